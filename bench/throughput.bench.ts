// Throughput: N no-op tasks created through the module-author API and run by a separate
// worker process until every row is `success` in PostgreSQL, against raw BullMQ (Queue.add +
// a no-op Worker in a separate process) with the same N, concurrency and Redis.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform } from '../test/support/platform';
import { startProcess } from '../test/support/processes';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { startCpuMeter, type CpuSplit } from './support/cpu';

const N = Number(process.env.BENCH_N ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const IN_FLIGHT = 64;
/** With BENCH_PAYLOAD_BYTES, every task and job carries a JSON payload of about that size. */
const PAYLOAD_BYTES = Number(process.env.BENCH_PAYLOAD_BYTES ?? 0);
const PAYLOAD = PAYLOAD_BYTES > 0 ? benchPayload(PAYLOAD_BYTES) : undefined;

/** A report-like payload of about `bytes` bytes of JSON: rows of region, owner and note. */
function benchPayload(bytes: number): { report: string; rows: { region: string; owner: string; note: string }[] } {
  const payload = { report: 'quarterly revenue by region', rows: [] as { region: string; owner: string; note: string }[] };
  for (let i = 0; JSON.stringify(payload).length < bytes; i++) payload.rows.push({ region: `region-${i}`, owner: `user${i}@example.com`, note: `lorem ipsum dolor sit amet ${i}` });
  return payload;
}

const UNFINISHED_PROBE = `(SELECT 1 FROM tasks WHERE status = 'pending' AND deleted_at IS NULL LIMIT 1)
  UNION ALL (SELECT 1 FROM tasks WHERE status = 'running' LIMIT 1)`;

async function inFlight(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < n) await fn(next++);
  }));
}

interface Run {
  perSecond: number;
  cpu: CpuSplit;
}

async function bullmq(env: Record<string, string>): Promise<Run> {
  const worker = await startProcess('bullmq-worker', 'bench/support/bullmq-worker.main.ts', { ...env, QUEUE: 'bench', CONCURRENCY: String(CONCURRENCY) });
  const connection = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bench', { connection, prefix: env.REDIS_PREFIX });
  const meter = await startCpuMeter(connection, worker.child.pid ?? 0);
  const started = performance.now();
  await inFlight(N, IN_FLIGHT, (i) => queue.add('noop', PAYLOAD ?? { i }, { removeOnComplete: true }));
  // Done when nothing is left: jobs are removed on completion (QueueEvents would miss events
  // once its stream is trimmed, so counts are polled instead).
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) break;
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = await meter.stop();
  await Promise.all([queue.close(), worker.kill()]);
  connection.disconnect();
  return { perSecond: N / seconds, cpu };
}

async function taskyard(env: Record<string, string>): Promise<Run> {
  const platform = await startPlatform(env);
  await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: CONCURRENCY }, platform.redis);
  const worker = await startProcess('taskyard-worker', 'bench/support/bench-worker.main.ts', env);
  const meter = await startCpuMeter(platform.redis, worker.child.pid ?? 0);
  const started = performance.now();
  await inFlight(N, IN_FLIGHT, () => platform.tasks.createTask({}, 'bench_noop', PAYLOAD ? { payload: PAYLOAD } : {}));
  // Done when no task is pending or running (each probe reads one entry of a partial index,
  // so polling does not load the database it measures), then every row is checked.
  while ((await platform.db.rows(UNFINISHED_PROBE)).length > 0) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  const cpu = await meter.stop();
  const [row] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE status = 'success'`);
  if (Number(row.n) !== N) throw new Error(`${row.n} of ${N} tasks succeeded`);
  await worker.kill();
  await platform.close();
  return { perSecond: N / seconds, cpu };
}

/** CPU microseconds per task, by process. */
function perTask(cpu: CpuSplit): Record<keyof CpuSplit | 'total', number> {
  const us = (s: number) => Math.round((s * 1e6) / N);
  return { postgres: us(cpu.postgres), redis: us(cpu.redis), worker: us(cpu.worker), creator: us(cpu.creator), total: us(cpu.postgres + cpu.redis + cpu.worker + cpu.creator) };
}

export async function runThroughput(): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('throughput');
  try {
    const raw = await bullmq(env.env);
    const ours = await taskyard(env.env);
    const result = {
      taskyard_tasks_per_s: Math.round(ours.perSecond),
      bullmq_jobs_per_s: Math.round(raw.perSecond),
      ratio: Number((ours.perSecond / raw.perSecond).toFixed(3)),
      n: N,
      concurrency: CONCURRENCY,
      payload_bytes: PAYLOAD ? JSON.stringify(PAYLOAD).length : 0,
      cpu_us_per_task: { taskyard: perTask(ours.cpu), bullmq: perTask(raw.cpu) },
    };
    const row = (system: string, perSecond: number, cpu: ReturnType<typeof perTask>) => ({
      system,
      'per second': perSecond,
      'CPU us/task: postgres': cpu.postgres,
      redis: cpu.redis,
      worker: cpu.worker,
      creator: cpu.creator,
      total: cpu.total,
    });
    console.log(
      table([
        row('raw BullMQ (Queue.add + no-op Worker)', result.bullmq_jobs_per_s, result.cpu_us_per_task.bullmq),
        row('Taskyard (createTask -> success in PostgreSQL)', result.taskyard_tasks_per_s, result.cpu_us_per_task.taskyard),
      ]),
    );
    console.log(`ratio: ${result.ratio}${PAYLOAD ? ` (payload ${result.payload_bytes} bytes)` : ''}`);
    console.log(`results: ${writeResult(PAYLOAD ? 'throughput-payload' : 'throughput', result)}`);
    return result;
  } finally {
    await env.cleanup();
  }
}

