// Throughput: N no-op tasks created through the module-author API and run by a separate
// worker process until every row is `success` in PostgreSQL, against raw BullMQ (Queue.add +
// a no-op Worker in a separate process) with the same N, concurrency and Redis, and against
// BullMQ's own PostgreSQL backend (`createPostgresBackend`, its own fresh schema per run) fed
// by single `Queue.add` calls and by `addBulk`.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, createPostgresBackend, runMigrations } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform, type Platform } from '../test/support/platform';
import { startProcess } from '../test/support/processes';
import { TEST_DATABASE_URL } from '../test/support/test-env';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { startCpuMeter, type CpuSplit } from './support/cpu';

export const N = Number(process.env.BENCH_N ?? 20_000);
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
export const IN_FLIGHT = 64;
/** Jobs per `addBulk` call for BullMQ's PostgreSQL backend (calls one after another). */
const BULK_SIZE = Number(process.env.BENCH_BULK_SIZE ?? 1_000);
/** Pool size of BullMQ's PostgreSQL backend, per process (node-postgres' default is 10). */
const BULLMQ_PG_POOL = Number(process.env.BENCH_BULLMQ_PG_POOL ?? 10);
/** Which systems run: any of `bullmq`, `bullmq-pg` (both feeds), `taskyard`; all by default. */
const SYSTEMS = new Set((process.env.BENCH_SYSTEMS ?? 'bullmq,bullmq-pg,taskyard').split(',').map((s) => s.trim()));
/** With BENCH_PAYLOAD_BYTES, every task and job carries a JSON payload of about that size. */
const PAYLOAD_BYTES = Number(process.env.BENCH_PAYLOAD_BYTES ?? 0);
const PAYLOAD = PAYLOAD_BYTES > 0 ? benchPayload(PAYLOAD_BYTES) : undefined;

/** A report-like payload of about `bytes` bytes of JSON: rows of region, owner and note. */
function benchPayload(bytes: number): { report: string; rows: { region: string; owner: string; note: string }[] } {
  const payload = { report: 'quarterly revenue by region', rows: [] as { region: string; owner: string; note: string }[] };
  for (let i = 0; JSON.stringify(payload).length < bytes; i++) payload.rows.push({ region: `region-${i}`, owner: `user${i}@example.com`, note: `lorem ipsum dolor sit amet ${i}` });
  return payload;
}

export const UNFINISHED_PROBE = `(SELECT 1 FROM tasks WHERE status = 'pending' AND deleted_at IS NULL LIMIT 1)
  UNION ALL (SELECT 1 FROM tasks WHERE status = 'running' LIMIT 1)`;

export async function inFlight(n: number, limit: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < n) await fn(next++);
  }));
}

export interface Run {
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

/**
 * BullMQ's PostgreSQL backend in a schema of its own, created and migrated for this run and
 * dropped after it: `Queue.add` (IN_FLIGHT in flight) or `addBulk` (BULK_SIZE per call) + a no-op
 * Worker (CONCURRENCY) in a separate process. Done when no job is waiting, delayed or active
 * (a one-row probe of the job table; completed jobs are removed on completion).
 */
async function bullmqPostgres(env: Record<string, string>, feed: 'add' | 'addBulk'): Promise<Run> {
  const schema = `bench_bmqpg_${randomBytes(4).toString('hex')}`;
  const pg = new Client({ connectionString: TEST_DATABASE_URL });
  await pg.connect();
  try {
    await runMigrations(pg, schema);
    const worker = await startProcess('bullmq-pg-worker', 'bench/support/bullmq-worker.main.ts', {
      ...env, BACKEND: 'postgres', PG_URL: TEST_DATABASE_URL, PG_SCHEMA: schema, PG_POOL_MAX: String(BULLMQ_PG_POOL), QUEUE: 'bench', CONCURRENCY: String(CONCURRENCY),
    });
    const queue = new Queue('bench', { connection: { connectionString: TEST_DATABASE_URL, schema, max: BULLMQ_PG_POOL } }, createPostgresBackend);
    const redis = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
    const meter = await startCpuMeter(redis, worker.child.pid ?? 0);
    const data = (i: number) => PAYLOAD ?? { i };
    const started = performance.now();
    if (feed === 'add') {
      await inFlight(N, IN_FLIGHT, (i) => queue.add('noop', data(i), { removeOnComplete: true }));
    } else {
      for (let from = 0; from < N; from += BULK_SIZE) {
        const jobs = Array.from({ length: Math.min(BULK_SIZE, N - from) }, (_, k) => ({ name: 'noop', data: data(from + k), opts: { removeOnComplete: true } }));
        await queue.addBulk(jobs);
      }
    }
    const probe = `SELECT 1 FROM "${schema}".job WHERE state IN ('waiting', 'delayed', 'active') LIMIT 1`;
    while ((await pg.query(probe)).rows.length > 0) await sleep(20);
    const seconds = (performance.now() - started) / 1000;
    const cpu = await meter.stop();
    await Promise.all([queue.close(), worker.kill()]);
    redis.disconnect();
    return { perSecond: N / seconds, cpu };
  } finally {
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pg.end());
  }
}

/** Successful bench_noop tasks in the table (earlier runs' included). */
async function countSucceeded(db: Platform['db']): Promise<number> {
  const [row] = await db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE type = 'bench_noop' AND status = 'success'`);
  return Number(row.n);
}

/** Taskyard: N no-op tasks created with `createTask` (IN_FLIGHT in flight) and run by a bench worker process. */
export async function taskyard(env: Record<string, string>): Promise<Run> {
  const platform = await startPlatform(env);
  await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: CONCURRENCY }, platform.redis);
  const worker = await startProcess('taskyard-worker', 'bench/support/bench-worker.main.ts', env);
  const before = await countSucceeded(platform.db);
  const meter = await startCpuMeter(platform.redis, worker.child.pid ?? 0);
  const started = performance.now();
  await inFlight(N, IN_FLIGHT, () => platform.tasks.createTask({}, 'bench_noop', PAYLOAD ? { payload: PAYLOAD } : {}));
  // Done when no task is pending or running (each probe reads one entry of a partial index,
  // so polling does not load the database it measures), then every row is checked.
  while ((await platform.db.rows(UNFINISHED_PROBE)).length > 0) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  const cpu = await meter.stop();
  const succeeded = (await countSucceeded(platform.db)) - before;
  if (succeeded !== N) throw new Error(`${succeeded} of ${N} tasks succeeded`);
  await worker.kill();
  await platform.close();
  return { perSecond: N / seconds, cpu };
}

/** CPU microseconds per task, by process. */
export function perTask(cpu: CpuSplit): Record<keyof CpuSplit | 'total', number> {
  const us = (s: number) => Math.round((s * 1e6) / N);
  return { postgres: us(cpu.postgres), redis: us(cpu.redis), worker: us(cpu.worker), creator: us(cpu.creator), total: us(cpu.postgres + cpu.redis + cpu.worker + cpu.creator) };
}

type Row = { system: string; run: Run };

export async function runThroughput(): Promise<Record<string, unknown>> {
  const env = await createBenchEnv('throughput');
  try {
    const runs: Row[] = [];
    if (SYSTEMS.has('bullmq')) runs.push({ system: 'raw BullMQ (Queue.add + no-op Worker)', run: await bullmq(env.env) });
    if (SYSTEMS.has('bullmq-pg')) {
      runs.push({ system: 'BullMQ PostgreSQL backend, Queue.add', run: await bullmqPostgres(env.env, 'add') });
      runs.push({ system: `BullMQ PostgreSQL backend, addBulk (${BULK_SIZE} per call)`, run: await bullmqPostgres(env.env, 'addBulk') });
    }
    const ours = SYSTEMS.has('taskyard') ? await taskyard(env.env) : undefined;
    if (ours) runs.push({ system: 'Taskyard (createTask -> success in PostgreSQL)', run: ours });
    const raw = runs.find((r) => r.system.startsWith('raw BullMQ'))?.run;
    const multiple = (other: Run) => (ours ? Number((ours.perSecond / other.perSecond).toFixed(3)) : null);
    const systems = runs.map(({ system, run }) => ({
      system,
      per_s: Math.round(run.perSecond),
      taskyard_multiple: multiple(run),
      cpu_us_per_task: perTask(run.cpu),
    }));
    const result = {
      taskyard_tasks_per_s: ours ? Math.round(ours.perSecond) : null,
      bullmq_jobs_per_s: raw ? Math.round(raw.perSecond) : null,
      ratio: ours && raw ? multiple(raw) : null,
      n: N,
      concurrency: CONCURRENCY,
      in_flight: IN_FLIGHT,
      bulk_size: BULK_SIZE,
      bullmq_pg_pool: BULLMQ_PG_POOL,
      payload_bytes: PAYLOAD ? JSON.stringify(PAYLOAD).length : 0,
      systems,
    };
    console.log(
      table(systems.map(({ system, per_s, taskyard_multiple, cpu_us_per_task: cpu }) => ({
        system,
        'per second': per_s,
        'Taskyard x': taskyard_multiple ?? '',
        'CPU us/task: postgres': cpu.postgres,
        redis: cpu.redis,
        worker: cpu.worker,
        creator: cpu.creator,
        total: cpu.total,
      }))),
    );
    if (result.ratio !== null) console.log(`ratio to raw BullMQ: ${result.ratio}${PAYLOAD ? ` (payload ${result.payload_bytes} bytes)` : ''}`);
    console.log(`results: ${writeResult(PAYLOAD ? 'throughput-payload' : 'throughput', result)}`);
    return result;
  } finally {
    await env.cleanup();
  }
}
