import { startProcess, type RunningProcess } from '../../support/processes';

export const API = 'apps/api/src/main.ts';
export const WORKER = 'test/support/test-worker.main.ts';
export const SCHEDULER = 'test/support/test-scheduler.main.ts';

type Exit = Awaited<RunningProcess['exited']>;

export interface Retired {
  process: RunningProcess;
  /** How it was ended, hence how it must have exited. */
  expected: 'SIGKILL' | 'clean';
}

/** The processes of the topology, the ones retired by the suite, and how each must have ended. */
export class Fleet {
  api!: RunningProcess;
  workers: RunningProcess[] = [];
  schedulers: RunningProcess[] = [];
  readonly retired: Retired[] = [];
  private seq = 0;

  constructor(private readonly env: Record<string, string>) {}

  async start(apiEnv: Record<string, string>, workers = 3): Promise<void> {
    [this.api, ...this.workers] = await Promise.all([
      startProcess('api', API, { ...this.env, ...apiEnv, API_PORT: '0', API_HOST: '127.0.0.1' }, 60_000),
      ...Array.from({ length: workers }, () => this.spawnWorker()),
    ]);
    this.schedulers = await Promise.all([this.spawnScheduler(), this.spawnScheduler()]);
  }

  spawnWorker(): Promise<RunningProcess> {
    return startProcess(`worker-${++this.seq}`, WORKER, this.env, 60_000);
  }

  spawnScheduler(): Promise<RunningProcess> {
    return startProcess(`scheduler-${++this.seq}`, SCHEDULER, this.env, 60_000);
  }

  all(): RunningProcess[] {
    return [this.api, ...this.workers, ...this.schedulers].filter(Boolean);
  }

  /** Processes of the topology that are no longer running (they must be none). */
  dead(): string[] {
    return this.all()
      .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
      .map((p) => `${p.name} exited (code ${p.child.exitCode}, signal ${p.child.signalCode}):\n${p.output.slice(-15).join('\n')}`);
  }

  /** SIGKILLs a worker or scheduler and takes it out of the topology. */
  async sigkill(victim: RunningProcess): Promise<Exit> {
    this.remove(victim);
    this.retired.push({ process: victim, expected: 'SIGKILL' });
    return victim.kill('SIGKILL');
  }

  /** SIGTERMs a process (graceful drain) and takes it out of the topology. */
  async sigterm(victim: RunningProcess): Promise<Exit> {
    this.remove(victim);
    this.retired.push({ process: victim, expected: 'clean' });
    return victim.kill('SIGTERM');
  }

  private remove(victim: RunningProcess): void {
    this.workers = this.workers.filter((w) => w !== victim);
    this.schedulers = this.schedulers.filter((s) => s !== victim);
  }

  /** Retired processes that did not end the way they were ended (a crash on SIGTERM, say). */
  async badExits(): Promise<string[]> {
    const bad: string[] = [];
    for (const { process, expected } of this.retired) {
      const { code, signal } = await process.exited;
      const ok = expected === 'SIGKILL' ? signal === 'SIGKILL' : code === 0 && signal === null;
      if (!ok) bad.push(`${process.name}: expected ${expected}, got code ${code} signal ${signal}:\n${process.output.slice(-15).join('\n')}`);
    }
    return bad;
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((p) => p.kill('SIGTERM')));
  }
}

/** 1 when this scheduler's metrics say it leads, 0 when not, null when it does not answer. */
export async function leaderGauge(scheduler: RunningProcess): Promise<number | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${scheduler.port}/metrics`, { signal: AbortSignal.timeout(1_500) });
    const match = /^taskyard_scheduler_leader (\d+)/m.exec(await res.text());
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
