import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Generous: these files start processes while other suites load the machine.
const START_MS = 60_000;

async function metric(p: RunningProcess, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/**
 * Jobs that ended in Redis while their task row still waits: the reconciler must compare the
 * row with the job's state, not trust that the job key exists.
 */
describe('reconciler and jobs that ended without their task', () => {
  let env: TestEnv;
  let other: TestEnv;
  let platform: Platform;
  let scheduler: RunningProcess;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv('reconcile_jobs');
    // Another platform's database (schema) on the same Redis and key prefix.
    other = await createTestEnv('reconcile_other');
    platform = await startPlatform(env.env);
    scheduler = await startProcess('scheduler', SCHEDULER, env.env, START_MS);
  });

  afterAll(async () => {
    await Promise.all([scheduler, ...workers].map((p) => p?.kill()));
    await platform?.close();
    await Promise.all([env?.cleanup(), other?.cleanup()]);
  });

  it('re-adds a pending task whose job ended in the failed set', async () => {
    const task = await platform.tasks.createTask({}, 't_echo', { payload: { value: 'kept' } });
    // A consumer that fails every job (as a claim does once PostgreSQL stays out of reach past
    // the retry budget): the job ends in BullMQ's failed set, the row is still pending.
    const connection = new IORedis(env.env.REDIS_URL, { maxRetriesPerRequest: null });
    const failing = new Worker(task.queue, async () => {
      throw new Error('database unreachable');
    }, { connection, prefix: env.prefix });
    const key = `${env.prefix}:${task.queue}:${task.id}_0`;
    try {
      await waitFor(async () => (await platform.redis.hget(key, 'finishedOn')) !== null, 10_000, 'the job to fail');
    } finally {
      await failing.close();
      connection.disconnect();
    }
    expect(await platform.queues.unrunnable([task])).toEqual(['ended']);
    workers.push(await startProcess('worker', WORKER, env.env, START_MS));
    const done = await platform.finished(task.id, 20_000);
    expect(done).toMatchObject({ status: 'success', attempt: 1, result: { echoed: 'kept', attempt: 1 } });
  });

  it('runs every task when a worker of another database shares the Redis, and that worker counts what it could not claim', async () => {
    await workers.pop()?.kill();
    const stranger = await startProcess('stranger', WORKER, { ...env.env, DATABASE_SCHEMA: other.schema }, START_MS);
    workers.push(stranger);
    const created = await platform.tasks.createTasks({}, Array.from({ length: 20 }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
    // The stranger takes every job first; none of them may vanish.
    await waitFor(async () => (await metric(stranger, 'task_job_dropped_total{reason="not_found"}')) >= 20, 20_000, 'the stranger to drop 20 jobs');
    expect(stranger.output.some((l) => l.includes("job names a task this worker's database does not have"))).toBe(true);
    workers.push(await startProcess('worker-2', WORKER, env.env, START_MS));
    const done = await Promise.all(created.map((t) => platform.finished(t.id, 30_000)));
    expect(done.map((t) => t.status)).toEqual(created.map(() => 'success'));
  }, 240_000);
});
