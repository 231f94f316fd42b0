import { TaskStatus, taskJobId } from '@taskyard/contracts';
import { EXPIRED_ERROR } from '@taskyard/tasks';
import { PARKED_TYPE, startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';

describe('task pipeline: createTask to an outcome on a real worker process', () => {
  let env: TestEnv;
  let platform: Platform;
  let worker: RunningProcess;
  let scheduler: RunningProcess;

  const finished = (id: string, timeoutMs = 20_000) => platform.finished(id, timeoutMs);

  beforeAll(async () => {
    env = await createTestEnv('pipeline');
    platform = await startPlatform(env.env);
    [worker, scheduler] = await Promise.all([startProcess('worker', WORKER, env.env), startProcess('scheduler', SCHEDULER, env.env)]);
  });

  afterAll(async () => {
    await Promise.all([worker?.kill(), scheduler?.kill()]);
    await platform?.close();
    await env?.cleanup();
  });

  it('runs a task to success and stores its result', async () => {
    const created = await platform.tasks.createTask({ user: { id: 'u1' } }, 't_echo', { payload: { value: 42 } });
    expect(created).toMatchObject({ status: 'pending', creatorId: 'u1', category: 'user', attempt: 0 });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'success', result: { echoed: 42, attempt: 1 }, progress: 100, autoRetryCount: 0 });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
  });

  it('defaults creator and category to system without a user', async () => {
    const created = await platform.tasks.createTask({}, 't_echo');
    expect(created).toMatchObject({ creatorId: 'system', category: 'system' });
  });

  it('retries a throwing runner automatically and records auto_retry_count', async () => {
    const created = await platform.tasks.createTask({}, 't_flaky', { payload: { failures: 2 }, maxRetries: 3 });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'success', result: 'recovered', autoRetryCount: 2, retryCount: 0, error: null });
  });

  it('fails after max_retries with the last error', async () => {
    const created = await platform.tasks.createTask({}, 't_flaky', { payload: { failures: 5 }, maxRetries: 1 });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'failed', autoRetryCount: 1, error: 'flaky failure 2' });
  });

  it('fails an unrecoverable error without retrying', async () => {
    const created = await platform.tasks.createTask({}, 't_unrecoverable', { maxRetries: 5 });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'failed', autoRetryCount: 0, error: 'bad input: nothing to retry' });
  });

  it('fails a task whose type has no runner', async () => {
    const created = await platform.tasks.createTask({}, 'no_such_type', { maxRetries: 3 });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'failed', error: 'task type not registered: no_such_type', autoRetryCount: 0 });
  });

  it('creates inside a caller transaction: rollback leaves no row and no job, commit enqueues', async () => {
    let rolledBackId = '';
    await expect(
      platform.dataSource.transaction(async (manager) => {
        const t = await platform.tasks.createTask({}, 't_echo', { manager });
        rolledBackId = t.id;
        throw new Error('caller changed its mind');
      }),
    ).rejects.toThrow('caller changed its mind');
    expect(await platform.states.find(rolledBackId)).toBeNull();
    expect(await platform.queues.unrunnable([{ id: rolledBackId, queue: 'taskyard-default', attempt: 0 }])).toEqual(['missing']);

    const committed = await platform.dataSource.transaction(async (manager) => {
      const t = await platform.tasks.createTask({}, 't_echo', { manager, payload: { value: 'tx' } });
      // Inside the transaction the job must not exist yet: a worker could not see the row.
      expect(await platform.queues.unrunnable([t])).toEqual(['missing']);
      return t;
    });
    expect((await finished(committed.id)).result).toEqual({ echoed: 'tx', attempt: 1 });
  });

  it('returns the existing task for a repeated idempotency key of the same creator', async () => {
    const ctx = { user: { id: 'idem-user' } };
    const a = await platform.tasks.createTask(ctx, 't_echo', { idempotencyKey: 'order-17' });
    const b = await platform.tasks.createTask(ctx, 't_echo', { idempotencyKey: 'order-17' });
    const other = await platform.tasks.createTask({ user: { id: 'someone-else' } }, 't_echo', { idempotencyKey: 'order-17' });
    expect(b.id).toBe(a.id);
    expect(other.id).not.toBe(a.id);
    const [c, d] = await platform.tasks.createTasks(ctx, [
      { type: 't_echo', idempotencyKey: 'order-17' },
      { type: 't_echo', idempotencyKey: 'order-18' },
    ]);
    expect(c.id).toBe(a.id);
    expect(d.id).not.toBe(a.id);
  });

  it('does not start a task before not_before', async () => {
    const notBefore = new Date(Date.now() + 2_000);
    const created = await platform.tasks.createTask({}, 't_echo', { notBefore });
    const done = await finished(created.id);
    expect(done.status).toBe('success');
    expect(done.startedAt!.getTime()).toBeGreaterThanOrEqual(notBefore.getTime() - 5);
  });

  it('expires a task that was not started by not_after', async () => {
    // Not startable before its deadline: it must end cancelled with the expiry error.
    const created = await platform.tasks.createTask({}, 't_echo', {
      notBefore: new Date(Date.now() + 3_000),
      notAfter: new Date(Date.now() + 1_000),
    }).catch(() => null);
    expect(created).toBeNull(); // notAfter before notBefore is rejected up front
    // Parked: no worker consumes its queue, so only the deadline applies.
    const stuck = await platform.tasks.createTask({}, PARKED_TYPE, { notAfter: new Date(Date.now() + 1_000) });
    const done = await finished(stuck.id);
    expect(done).toMatchObject({ status: 'cancelled', error: EXPIRED_ERROR, startedAt: null });
  });

  it('creates many tasks in one call, and they all run', async () => {
    const created = await platform.tasks.createTasks({}, Array.from({ length: 50 }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
    expect(new Set(created.map((t) => t.id)).size).toBe(50);
    const done = await Promise.all(created.map((t) => finished(t.id)));
    expect(done.map((t) => (t.result as { echoed: number }).echoed)).toEqual(created.map((_, i) => i));
  });

  it('caps per-type concurrency in a worker', async () => {
    const created = await platform.tasks.createTasks({}, Array.from({ length: 3 }, () => ({ type: 't_limited', payload: { ms: 600 } })));
    const done = await Promise.all(created.map((t) => finished(t.id)));
    const spans = done.map((t) => [t.startedAt!.getTime(), t.finishedAt!.getTime()] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1] - 50);
  });

  it('re-enqueues a pending task whose job never reached Redis', async () => {
    const created = await platform.tasks.createTask({}, 't_echo');
    // Simulate a lost enqueue: remove the job before any worker takes it, if it is still there.
    await platform.queues.remove(created.queue, created.id, 0);
    const done = await finished(created.id);
    expect(done.status).toBe('success');
  });

  it('never lets a stale attempt overwrite a newer outcome', async () => {
    const created = await platform.tasks.createTask({}, PARKED_TYPE);
    const [first] = await platform.states.claim([{ id: created.id, gen: 0 }], 'worker-a');
    expect(first).toMatchObject({ takeover: false, record: { attempt: 1, status: 'running' } });
    // Worker A loses its lock; BullMQ redelivers the same job to worker B, which takes over.
    const [second] = await platform.states.claim([{ id: created.id, gen: 0 }], 'worker-b');
    expect(second).toMatchObject({ takeover: true, record: { attempt: 2, recoveries: 1 } });
    const finish = (attempt: number, status: 'success' | 'failed') =>
      platform.states.finish([{ id: created.id, attempt, status, result: status, error: null, progress: null, progressMessage: null }]);
    expect(await finish(2, 'success')).toEqual([expect.objectContaining({ status: 'success' })]);
    expect(await finish(1, 'failed')).toEqual([null]);
    expect(await platform.get(created.id)).toMatchObject({ status: 'success', result: 'success', attempt: 2 });
    // A job of an older generation cannot claim the finished task either.
    expect(await platform.states.claim([{ id: created.id, gen: 0 }], 'worker-c')).toEqual([null]);
  });

  it('cancels a pending task at once and a running task through its signal', async () => {
    const pending = await platform.tasks.createTask({}, 't_echo', { notBefore: new Date(Date.now() + 60_000) });
    const cancelled = await platform.tasks.cancelTask(pending.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(await platform.queues.unrunnable([pending])).toEqual(['missing']);

    const running = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 30_000, steps: 300 } });
    await waitFor(async () => (await platform.get(running.id)).status === 'running', 10_000, 'task to start');
    const requested = Date.now();
    await platform.tasks.cancelTask(running.id);
    const done = await finished(running.id);
    expect(done.status).toBe(TaskStatus.Cancelled);
    expect(done.finishedAt!.getTime() - requested).toBeLessThan(5_000);
    await expect(platform.tasks.cancelTask(running.id)).rejects.toThrow('cannot cancel a task that is cancelled');
  });

  it('records a runner that ignores cancellation as cancelled after the grace period and drops its late result', async () => {
    const created = await platform.tasks.createTask({}, 't_stubborn', { payload: { ms: 4_000 } });
    await waitFor(async () => (await platform.get(created.id)).status === 'running', 10_000, 'task to start');
    await platform.tasks.cancelTask(created.id);
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'cancelled', result: null });
    // The runner returns later; its result must not appear.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await platform.get(created.id)).toMatchObject({ status: 'cancelled', result: null });
  });

  it('manual retry of a failed task runs it again with reset fields', async () => {
    const created = await platform.tasks.createTask({}, 't_unrecoverable');
    await finished(created.id);
    const retried = await platform.tasks.retryTask(created.id);
    expect(retried).toMatchObject({ status: 'pending', retryCount: 1, error: null, autoRetryCount: 0, progress: 0, startedAt: null, finishedAt: null });
    const done = await finished(created.id);
    expect(done).toMatchObject({ status: 'failed', retryCount: 1 });
    await expect(platform.tasks.retryTask((await platform.tasks.createTask({}, 't_echo', { notBefore: new Date(Date.now() + 60_000) })).id)).rejects.toThrow(
      'cannot retry a task that is pending',
    );
  });

  it('job ids are deterministic per task and attempt', () => {
    expect(taskJobId('0b7f0f8e-2d35-4a5e-b0e5-9d6c1c0a1f00', 3)).toBe('0b7f0f8e-2d35-4a5e-b0e5-9d6c1c0a1f00_3');
  });
});
