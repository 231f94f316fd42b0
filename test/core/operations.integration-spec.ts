import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';

describe('operator features with real processes: timeouts', () => {
  let env: TestEnv;
  let platform: Platform;
  let scheduler: RunningProcess;
  let workers: RunningProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv('operations');
    platform = await startPlatform(env.env);
    [scheduler, ...workers] = await Promise.all([
      startProcess('scheduler', SCHEDULER, env.env),
      startProcess('worker-1', WORKER, env.env),
      startProcess('worker-2', WORKER, env.env),
      startProcess('worker-3', WORKER, env.env),
    ]);
  });

  afterAll(async () => {
    await Promise.all([scheduler, ...workers].map((p) => p?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  describe('run timeouts', () => {
    it('aborts a run past its type timeout, records the error and retries while retries remain', async () => {
      const [slow, quick] = await platform.tasks.createTasks({}, [
        { type: 't_timeout', payload: { ms: 20_000 }, maxRetries: 1 },
        { type: 't_timeout', payload: { ms: 50 }, maxRetries: 1 },
      ]);
      const [slowDone, quickDone] = await Promise.all([platform.finished(slow.id), platform.finished(quick.id)]);
      expect(quickDone).toMatchObject({ status: 'success', result: 'in time', attempt: 1 });
      expect(slowDone).toMatchObject({ status: 'failed', error: 'task timed out after 500 ms', autoRetryCount: 1, attempt: 2 });
      const lastRunMs = slowDone.finishedAt!.getTime() - slowDone.startedAt!.getTime();
      expect(lastRunMs).toBeGreaterThanOrEqual(450);
      expect(lastRunMs).toBeLessThan(3_000);
    });

    it('records a runner that ignores its signal as timed out after the grace period, well before it returns', async () => {
      const task = await platform.tasks.createTask({}, 't_timeout_stubborn', { payload: { ms: 6_000 } });
      const done = await platform.finished(task.id);
      expect(done).toMatchObject({ status: 'failed', error: 'task timed out after 300 ms', result: null });
      // 300 ms timeout + 1.5 s grace (CANCEL_GRACE_MS of the tests), well before the 6 s sleep ends.
      const runMs = done.finishedAt!.getTime() - done.startedAt!.getTime();
      expect(runMs).toBeGreaterThanOrEqual(1_700);
      expect(runMs).toBeLessThan(5_000);
    });
  });
});
