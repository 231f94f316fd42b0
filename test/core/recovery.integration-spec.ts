import IORedis from 'ioredis';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// This file flushes its Redis database, so it gets one no other test file uses.
const REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/13`;

describe('recovery with real processes: killed workers, flushed Redis, poison tasks', () => {
  let env: TestEnv;
  let platform: Platform;
  let workers: RunningProcess[] = [];
  let scheduler: RunningProcess;

  const finished = (id: string, timeoutMs = 30_000) => platform.finished(id, timeoutMs);

  const workerRunning = async (taskId: string): Promise<RunningProcess> => {
    const [row] = await platform.db.rows<{ worker_id: string }>(`SELECT worker_id FROM tasks WHERE id = $1 AND status = 'running'`, [taskId]);
    const pid = Number(row?.worker_id?.split('-').at(-2));
    const owner = workers.find((w) => w.child.pid === pid);
    if (!owner) throw new Error(`no worker process owns ${taskId} (worker_id ${row?.worker_id})`);
    return owner;
  };

  beforeAll(async () => {
    env = await createTestEnv('recovery', { REDIS_URL, MAX_RECOVERIES: '2' });
    platform = await startPlatform(env.env);
    [scheduler, ...workers] = await Promise.all([
      startProcess('scheduler', SCHEDULER, env.env),
      startProcess('worker-1', WORKER, env.env),
      startProcess('worker-2', WORKER, env.env),
    ]);
  });

  afterAll(async () => {
    await Promise.all([scheduler, ...workers].map((p) => p?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  it('finishes a task on another worker after its worker is SIGKILLed mid-run', async () => {
    const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 3_000, steps: 30 } });
    await waitFor(async () => (await platform.get(task.id)).progress >= 10, 10_000, 'the run to make progress');
    const victim = await workerRunning(task.id);
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    workers = workers.filter((w) => w !== victim);
    const done = await finished(task.id);
    const recoverySeconds = (done.finishedAt!.getTime() - killedAt) / 1000;
    expect(done).toMatchObject({ status: 'success', recoveries: 1, attempt: 2 });
    // Lease 2.5 s + reconcile period + the run itself (3 s): well inside 15 s.
    expect(recoverySeconds).toBeLessThan(15);
    workers.push(await startProcess('worker-3', WORKER, env.env));
  });

  it('runs every one of 100 pending tasks after Redis is flushed', async () => {
    const created = await platform.tasks.createTasks(
      {},
      Array.from({ length: 100 }, (_, i) => ({ type: 't_echo', payload: { value: i }, notBefore: new Date(Date.now() + 1_500) })),
    );
    const redis = new IORedis(REDIS_URL);
    expect(await redis.flushdb()).toBe('OK');
    redis.disconnect();
    const done = await Promise.all(created.map((t) => finished(t.id, 45_000)));
    expect(done.every((t) => t.status === 'success')).toBe(true);
    expect(done.map((t) => (t.result as { echoed: number }).echoed).sort((a, b) => a - b)).toEqual(created.map((_, i) => i));
  });

  it('fails a task that keeps killing its worker as a poison task instead of retrying forever', async () => {
    const task = await platform.tasks.createTask({}, 't_crash', { maxRetries: 5 });
    // Keep two workers alive, as an orchestrator would, until the platform gives up on the task.
    const done = await waitFor(async () => {
      workers = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
      while (workers.length < 2) workers.push(await startProcess(`worker-${Date.now()}`, WORKER, env.env));
      const t = await platform.get(task.id);
      return t.status === 'failed' ? t : null;
    }, 90_000, 'the poison task to be failed');
    expect(done.error).toMatch(/^poison task: its worker was lost 2 times$/);
    expect(done.autoRetryCount).toBe(0);
  });
});
