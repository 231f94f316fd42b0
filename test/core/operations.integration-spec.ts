import { ADMIN_PASSWORD, Api, JWT_SECRET } from '../api/support/api-harness';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Five processes start at once on a shared, busy machine.
const START_MS = 90_000;

describe('operator features with real processes: timeouts, attempt history', () => {
  let env: TestEnv;
  let platform: Platform;
  let apiProcess: RunningProcess;
  let api: Api;
  let admin: string;
  let scheduler: RunningProcess;
  let workers: RunningProcess[] = [];

  const workerRunning = async (taskId: string): Promise<{ process: RunningProcess; workerId: string }> => {
    const [row] = await platform.db.rows<{ worker_id: string }>(`SELECT worker_id FROM tasks WHERE id = $1 AND status = 'running'`, [taskId]);
    const pid = Number(row?.worker_id?.split('-').at(-2));
    const owner = workers.find((w) => w.child.pid === pid);
    if (!owner) throw new Error(`no worker process owns ${taskId} (worker_id ${row?.worker_id})`);
    return { process: owner, workerId: row.worker_id };
  };

  beforeAll(async () => {
    env = await createTestEnv('operations', { JWT_SECRET, ADMIN_PASSWORD });
    platform = await startPlatform(env.env);
    [apiProcess, scheduler, ...workers] = await Promise.all([
      startProcess('api', 'apps/api/src/main.ts', { ...env.env, API_PORT: '0', API_HOST: '127.0.0.1' }, START_MS),
      startProcess('scheduler', SCHEDULER, env.env, START_MS),
      startProcess('worker-1', WORKER, env.env, START_MS),
      startProcess('worker-2', WORKER, env.env, START_MS),
      startProcess('worker-3', WORKER, env.env, START_MS),
    ]);
    api = new Api(`http://127.0.0.1:${apiProcess.port}`);
    admin = await api.login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await Promise.all([apiProcess, scheduler, ...workers].map((p) => p?.kill()));
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

  describe('attempt history', () => {
    it('shows an attempt lost with its SIGKILLed worker, then the recovery that finished the task', async () => {
      const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 2_000, steps: 20 } });
      await waitFor(async () => (await platform.get(task.id)).progress >= 10, 10_000, 'the run to make progress');
      const victim = await workerRunning(task.id);
      await victim.process.kill('SIGKILL');
      workers = workers.filter((w) => w !== victim.process);
      const replacement = startProcess('worker-4', WORKER, env.env, START_MS);
      const done = await platform.finished(task.id, 30_000);
      workers.push(await replacement);
      expect(done).toMatchObject({ status: 'success', attempt: 2, recoveries: 1 });
      const res = await api.get(`/api/tasks/${task.id}/attempts`, admin);
      expect(res.status).toBe(200);
      const [lost, rerun, ...rest] = res.body.data;
      expect(rest).toEqual([]);
      expect(lost).toMatchObject({ attempt: 1, worker_id: victim.workerId, outcome: 'lost', followed_by: 'recovery' });
      expect(lost.error).toMatch(/^worker lost: /);
      expect(Date.parse(lost.finished_at)).toBeGreaterThan(Date.parse(lost.started_at));
      expect(rerun).toMatchObject({ attempt: 2, outcome: 'success', error: null, followed_by: null });
      expect(rerun.worker_id).not.toBe(victim.workerId);
      expect(Date.parse(rerun.started_at)).toBeGreaterThanOrEqual(Date.parse(lost.finished_at));
    });

    it('keeps automatic and manual retries apart, with each attempt\'s error', async () => {
      const task = await platform.tasks.createTask({}, 't_flaky', { payload: { failures: 5 }, maxRetries: 1 });
      expect(await platform.finished(task.id)).toMatchObject({ status: 'failed', attempt: 2 });
      const retried = await api.post(`/api/tasks/${task.id}/retry`, admin);
      expect(retried.status).toBe(200);
      await waitFor(async () => (await platform.get(task.id)).attempt === 4 && (await platform.finished(task.id)), 20_000, 'the manual retry to fail twice');
      const res = await api.get(`/api/tasks/${task.id}/attempts`, admin);
      expect(res.body.data.map((a: { attempt: number; outcome: string; error: string; followed_by: string | null }) => [a.attempt, a.outcome, a.error, a.followed_by])).toEqual([
        [1, 'failed', 'flaky failure 1', 'auto_retry'],
        [2, 'failed', 'flaky failure 2', 'manual_retry'],
        [3, 'failed', 'flaky failure 1', 'auto_retry'],
        [4, 'failed', 'flaky failure 2', null],
      ]);
      expect(res.body.data.every((a: { worker_id: string | null }) => typeof a.worker_id === 'string')).toBe(true);
    });

    it('shows a running attempt, and answers 404 to a caller who may not see the task', async () => {
      const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 30_000, steps: 300 } });
      await waitFor(async () => (await platform.get(task.id)).status === 'running', 10_000, 'the task to start');
      const res = await api.get(`/api/tasks/${task.id}/attempts`, admin);
      expect(res.body.data).toEqual([expect.objectContaining({ attempt: 1, outcome: 'running', finished_at: null, error: null })]);
      const plain = await api.user(admin, 'attempts-user', ['user']);
      expect((await api.get(`/api/tasks/${task.id}/attempts`, plain.token)).status).toBe(404);
      expect((await api.get(`/api/tasks/not-a-uuid/attempts`, admin)).status).toBe(400);
      await platform.tasks.cancelTask(task.id);
      await platform.finished(task.id);
      const after = await api.get(`/api/tasks/${task.id}/attempts`, admin);
      expect(after.body.data).toEqual([expect.objectContaining({ attempt: 1, outcome: 'cancelled', error: 'task cancelled' })]);
    });
  });
});
