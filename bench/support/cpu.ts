import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from '@taskyard/tasks';

/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICKS_PER_S = 100;

/** CPU seconds one process has used so far (Linux /proc), or NaN where /proc is unavailable. */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // utime + stime
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by every PostgreSQL server process, per pid. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'postgres') out.set(Number(p), processCpu(Number(p)));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

async function redisCpu(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const value = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return value('used_cpu_user') + value('used_cpu_sys');
}

export interface CpuSplit {
  postgres: number;
  redis: number;
  worker: number;
  creator: number;
}

/**
 * Measures where the CPU of a run goes: PostgreSQL (all server processes), Redis, the worker
 * process and this (creating) process. `stop()` returns CPU seconds per part.
 */
export async function startCpuMeter(redis: RedisClient, workerPid: number): Promise<{ stop(): Promise<CpuSplit> }> {
  const pg0 = postgresCpu();
  const redis0 = await redisCpu(redis);
  const worker0 = processCpu(workerPid);
  const self0 = process.cpuUsage();
  return {
    async stop() {
      const pg1 = postgresCpu();
      let postgres = 0;
      for (const [pid, s] of pg1) postgres += s - (pg0.get(pid) ?? 0);
      const self = process.cpuUsage(self0);
      return {
        postgres,
        redis: (await redisCpu(redis)) - redis0,
        worker: processCpu(workerPid) - worker0,
        creator: (self.user + self.system) / 1e6,
      };
    },
  };
}
