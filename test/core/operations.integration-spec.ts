import { ADMIN_PASSWORD, Api, JWT_SECRET } from '../api/support/api-harness';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Five processes start at once; on a shared machine under load that takes minutes.
const START_MS = 180_000;
// Tests that start a replacement worker wait for it too.
jest.setTimeout(START_MS + 60_000);

describe('operator features with real processes: timeouts, attempt history, pause, rate limits, fleet view', () => {
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

  /** Whether a worker process applies a pause (its task_paused gauge for the queue or type is 1). */
  const applies = async (worker: RunningProcess, scope: 'queue' | 'type', name: string): Promise<boolean> => {
    const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    return text.includes(`task_paused{scope="${scope}",name="${name}"} 1`);
  };
  const allApply = async (scope: 'queue' | 'type', name: string, paused = true): Promise<boolean> =>
    (await Promise.all(workers.map((w) => applies(w, scope, name)))).every((a) => a === paused);

  const startedTimes = async (ids: string[]): Promise<{ at: number; worker: string }[]> =>
    (await platform.db.rows<{ started_at: Date; worker_id: string }>(`SELECT started_at, worker_id FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY started_at`, [ids]))
      .map((r) => ({ at: r.started_at.getTime(), worker: r.worker_id }));

  beforeAll(async () => {
    env = await createTestEnv('operations', { JWT_SECRET, ADMIN_PASSWORD });
    platform = await startPlatform(env.env);
    const started = await Promise.allSettled([
      startProcess('api', 'apps/api/src/main.ts', { ...env.env, API_PORT: '0', API_HOST: '127.0.0.1' }, START_MS),
      startProcess('scheduler', SCHEDULER, env.env, START_MS),
      startProcess('worker-1', WORKER, env.env, START_MS),
      startProcess('worker-2', WORKER, env.env, START_MS),
      startProcess('worker-3', WORKER, env.env, START_MS),
    ]);
    // Whatever started is stopped in afterAll, even when another process failed to start.
    [apiProcess, scheduler, ...workers] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as RunningProcess[];
    workers = workers.filter(Boolean);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    api = new Api(`http://127.0.0.1:${apiProcess.port}`);
    admin = await api.login('admin', ADMIN_PASSWORD);
  }, START_MS + 30_000);

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

  describe('pause and resume', () => {
    it('pauses a task type on every worker within a second; its work stays pending, holds no slot, and runs on resume', async () => {
      const paused = await api.post('/api/system/task-types/t_echo/pause', admin);
      expect(paused.status).toBe(200);
      // Resumed whatever happens: later tests run t_echo.
      const resume = () => api.post('/api/system/task-types/t_echo/resume', admin);
      try {
        // From the API's answer (the row is written and announced) until the last worker applies
        // it; each worker is polled on its own so one slow scrape does not delay the others' reading.
        const acknowledged = Date.now();
        const appliedAt = await Promise.all(
          workers.map((w) => waitFor(async () => (await applies(w, 'type', 't_echo')) && Date.now(), 5_000, `worker ${w.child.pid} to apply the pause`)),
        );
        expect(Math.max(...appliedAt) - acknowledged).toBeLessThan(1_000);
        const echoes = await platform.tasks.createTasks({}, Array.from({ length: 40 }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
        // 40 paused jobs and 3 workers of 10 slots: if paused jobs held slots, nothing else could run.
        const other = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 300, steps: 3 } });
        expect(await platform.finished(other.id)).toMatchObject({ status: 'success' });
        const type = (await api.get('/api/system/queues', admin)).body.data.flatMap((q: { types: unknown[] }) => q.types).find((t: { type: string }) => t.type === 't_echo');
        expect(type).toMatchObject({ paused: true, queue: 'taskyard-default' });
        const rows = await platform.db.rows<{ status: string; started_at: Date | null }>(`SELECT status, started_at FROM tasks WHERE id = ANY($1::uuid[])`, [echoes.map((t) => t.id)]);
        expect(rows.every((r) => r.status === 'pending' && r.started_at === null)).toBe(true);

        expect((await resume()).status).toBe(200);
        const done = await Promise.all(echoes.map((t) => platform.finished(t.id, 15_000)));
        expect(done.every((t) => t.status === 'success')).toBe(true);
      } finally {
        await resume();
      }
    });

    it('pauses a whole queue: workers stop fetching it, other queues go on, resume drains it', async () => {
      expect((await api.post('/api/system/queues/tests-own/pause', admin)).status).toBe(200);
      await waitFor(() => allApply('queue', 'tests-own'), 5_000, 'every worker to pause the queue');
      const held = await platform.tasks.createTasks({}, Array.from({ length: 5 }, () => ({ type: 't_own_queue' })));
      const other = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 300, steps: 3 } });
      expect(await platform.finished(other.id)).toMatchObject({ status: 'success' });
      // The jobs sit in the queue: waiting, or delayed for the few that a fetch already under
      // way when the pause arrived picked up and put aside. None runs.
      const queue = await waitFor(async () => {
        const q = (await api.get('/api/system/queues', admin)).body.data.find((x: { name: string }) => x.name === 'tests-own');
        return q && q.jobs.waiting + q.jobs.delayed === 5 && q.jobs.active === 0 ? q : null;
      }, 5_000, 'five jobs held in the paused queue');
      expect(queue.paused).toBe(true);
      expect(queue.jobs.waiting).toBeGreaterThanOrEqual(5 - workers.length);
      expect(queue.paused_at).toEqual(expect.any(String));
      for (const t of held) expect(await platform.get(t.id)).toMatchObject({ status: 'pending', startedAt: null });

      expect((await api.post('/api/system/queues/tests-own/resume', admin)).status).toBe(200);
      const done = await Promise.all(held.map((t) => platform.finished(t.id, 15_000)));
      expect(done.map((t) => t.result)).toEqual(held.map(() => 'ran'));
    });

    it('applies a pause written only to PostgreSQL (its message lost) through the periodic re-read', async () => {
      const written = Date.now();
      await platform.db.rows(`INSERT INTO task_controls (scope, name, paused, paused_at) VALUES ('type', 't_artifact', true, now())`);
      await waitFor(() => allApply('type', 't_artifact'), 10_000, 'every worker to re-read the pause');
      expect(Date.now() - written).toBeLessThan(3_000);
      await platform.db.rows(`DELETE FROM task_controls WHERE scope = 'type' AND name = 't_artifact'`);
      await waitFor(() => allApply('type', 't_artifact', false), 10_000, 'every worker to drop the pause');
    });

    it('needs task:queue:update to pause and task:queue:view to list; rejects a bad name', async () => {
      const viewer = await api.user(admin, 'ops-viewer', ['viewer']);
      const operator = await api.user(admin, 'ops-operator', ['operator']);
      expect((await api.post('/api/system/task-types/t_echo/pause', viewer.token)).status).toBe(403);
      expect((await api.get('/api/system/queues', viewer.token)).status).toBe(403);
      expect((await api.get('/api/system/queues', operator.token)).status).toBe(200);
      const bad = await api.post('/api/system/task-types/Bad%20Name/pause', operator.token);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('E4003');
      const listed = (await api.get('/api/authorization/roles', admin)).body.data as { id: string; permissions: { code: string }[] }[];
      const roles = listed.map((r) => ({ id: r.id, permissions: r.permissions.map((p) => p.code) }));
      for (const id of ['admin', 'operator']) {
        expect(roles.find((r) => r.id === id)?.permissions).toEqual(expect.arrayContaining(['task:queue:view', 'task:queue:update', 'system:fleet:view']));
      }
      expect(roles.find((r) => r.id === 'viewer')?.permissions).not.toContain('task:queue:view');
    });
  });

  describe('rate limits', () => {
    // Start times come from PostgreSQL (the claim) while the limit counts on Redis' clock at the
    // step just before the claim; the slack absorbs that gap on a busy machine.
    const SLACK_MS = 300;

    it('holds a type to 3 starts per second across 3 workers, without holding their slots', async () => {
      const rated = await platform.tasks.createTasks({}, Array.from({ length: 12 }, () => ({ type: 't_rated' })));
      const other = await platform.tasks.createTask({}, 't_echo', { payload: { value: 'not limited' } });
      expect(await platform.finished(other.id)).toMatchObject({ status: 'success' });
      const done = await Promise.all(rated.map((t) => platform.finished(t.id, 30_000)));
      expect(done.every((t) => t.status === 'success')).toBe(true);
      const starts = await startedTimes(rated.map((t) => t.id));
      for (let i = 0; i + 3 < starts.length; i++) expect(starts[i + 3].at - starts[i].at).toBeGreaterThanOrEqual(1_000 - SLACK_MS);
      expect(starts.at(-1)!.at - starts[0].at).toBeGreaterThanOrEqual(3_000 - SLACK_MS);
      expect(new Set(starts.map((s) => s.worker)).size).toBeGreaterThanOrEqual(2);
    });

    it('takes an operator override at run time and goes back to the code default when it is cleared', async () => {
      // Created while the type is paused: a worker that applies the resume has read the override too (one table read).
      await api.post('/api/system/task-types/t_echo/pause', admin);
      await waitFor(() => allApply('type', 't_echo'), 5_000, 'every worker to apply the pause');
      const set = await api.request('PUT', '/api/system/task-types/t_echo/rate-limit', { token: admin, body: { max: 2, interval_ms: 1_000 } });
      expect(set.status).toBe(200);
      const type = set.body.data.flatMap((q: { types: unknown[] }) => q.types).find((t: { type: string }) => t.type === 't_echo');
      expect(type).toMatchObject({ rate_limit: { max: 2, interval_ms: 1_000 }, rate_limit_override: { max: 2, interval_ms: 1_000 } });
      const bad = await api.request('PUT', '/api/system/task-types/t_echo/rate-limit', { token: admin, body: { max: 0, interval_ms: 1_000 } });
      expect(bad.status).toBe(400);
      const echoes = await platform.tasks.createTasks({}, Array.from({ length: 6 }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
      await api.post('/api/system/task-types/t_echo/resume', admin);
      await Promise.all(echoes.map((t) => platform.finished(t.id, 20_000)));
      const starts = await startedTimes(echoes.map((t) => t.id));
      for (let i = 0; i + 2 < starts.length; i++) expect(starts[i + 2].at - starts[i].at).toBeGreaterThanOrEqual(1_000 - SLACK_MS);

      const cleared = await api.delete('/api/system/task-types/t_echo/rate-limit', admin);
      expect(cleared.status).toBe(200);
      const rated = cleared.body.data.flatMap((q: { types: unknown[] }) => q.types).find((t: { type: string }) => t.type === 't_rated');
      expect(rated).toMatchObject({ rate_limit: { max: 3, interval_ms: 1_000 }, rate_limit_default: { max: 3, interval_ms: 1_000 }, rate_limit_override: null });
      const echo = cleared.body.data.flatMap((q: { types: unknown[] }) => q.types).find((t: { type: string }) => t.type === 't_echo');
      expect(echo).toMatchObject({ rate_limit: null, rate_limit_override: null });
    });
  });

  describe('fleet view', () => {
    type Member = { id: string; pid: number; host: string; queues: string[]; concurrency: number; running: { task_id: string }[]; types: { type: string }[]; leader: boolean; heartbeat_at: string };
    const fleet = async (token = admin): Promise<{ workers: Member[]; schedulers: Member[]; lease_ms: number }> => (await api.get('/api/system/fleet', token)).body.data;

    it('lists live workers with their runs and the leader scheduler; a SIGKILLed worker drops out within its lease', async () => {
      const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 30_000, steps: 300 } });
      await waitFor(async () => (await platform.get(task.id)).status === 'running', 10_000, 'the task to start');
      const owner = await workerRunning(task.id);
      const view = await waitFor(async () => {
        const f = await fleet();
        return f.workers.find((w) => w.id === owner.workerId)?.running.some((r) => r.task_id === task.id) ? f : null;
      }, 5_000, 'the run to show in the fleet');
      expect(view.workers.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());
      expect(view.workers[0]).toMatchObject({ concurrency: 10, queues: expect.arrayContaining(['taskyard-default', 'tests-own']) });
      expect(view.workers[0].types.map((t) => t.type)).toEqual(expect.arrayContaining(['t_sleep', 't_rated']));
      expect(view.schedulers).toEqual([expect.objectContaining({ pid: scheduler.child.pid, leader: true })]);
      expect(view.lease_ms).toBe(2_500);

      const killedAt = Date.now();
      await owner.process.kill('SIGKILL');
      workers = workers.filter((w) => w !== owner.process);
      await waitFor(async () => !(await fleet()).workers.some((w) => w.id === owner.workerId), 10_000, 'the killed worker to drop out');
      // Lease 2.5 s, plus the last heartbeat's age (at most one 0.3 s interval) and polling.
      expect(Date.now() - killedAt).toBeLessThan(2_500 + 1_000);
      await platform.tasks.cancelTask(task.id);
      workers.push(await startProcess('worker-5', WORKER, env.env, START_MS));
    });

    it('removes a worker that stops cleanly at once, and is for admins and operators only', async () => {
      const leaving = workers[0];
      const before = (await fleet()).workers.find((w) => w.pid === leaving.child.pid);
      expect(before).toBeDefined();
      expect(await leaving.kill('SIGTERM')).toMatchObject({ code: 0 });
      workers = workers.filter((w) => w !== leaving);
      expect((await fleet()).workers.some((w) => w.pid === leaving.child.pid)).toBe(false);
      const viewer = await api.login('ops-viewer', 'ops-viewer-password');
      const operator = await api.login('ops-operator', 'ops-operator-password');
      expect((await api.get('/api/system/fleet', viewer)).status).toBe(403);
      expect((await api.get('/api/system/fleet', operator)).status).toBe(200);
    });

    it('documents the new routes in the OpenAPI document', async () => {
      const doc = (await api.get('/api/docs-json', admin)).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/tasks/{id}/attempts',
          '/api/system/queues',
          '/api/system/queues/{name}/pause',
          '/api/system/queues/{name}/resume',
          '/api/system/task-types/{type}/pause',
          '/api/system/task-types/{type}/resume',
          '/api/system/task-types/{type}/rate-limit',
          '/api/system/fleet',
        ]),
      );
    });
  });
});
