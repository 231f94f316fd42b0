import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env';
import { openEvents, startStack, type Json, type Stack } from './support/api-harness';

const CONSOLE_ORIGIN = 'https://console.example';

describe('api: example modules, schedules and live events (real api + worker)', () => {
  let stack: Stack;
  let pg: Client;
  let alice: { id: string; token: string };
  let operator: { id: string; token: string };

  beforeAll(async () => {
    stack = await startStack('api_examples', { worker: true, env: { CORS_ORIGINS: CONSOLE_ORIGIN } });
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    [alice, operator] = await Promise.all([stack.api.user(stack.adminToken, 'alice', ['user']), stack.api.user(stack.adminToken, 'olga', ['operator'])]);
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.stop();
  });

  it('exports users to a CSV artifact (permission authorization:user:export)', async () => {
    expect((await stack.api.post('/api/authorization/users/export', alice.token, {})).body.code).toBe('E4030');
    const created = await stack.api.post('/api/authorization/users/export', stack.adminToken, {});
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'user_export', status: 'pending', category: 'user', });
    expect(JSON.parse(created.body.data.payload)).toEqual({ keywords: null, status: null });
    const done = await stack.api.finished(stack.adminToken, created.body.data.id);
    expect(done).toMatchObject({ status: 'success', progress: 100, artifact_file_name: expect.stringMatching(/^users-.*\.csv$/) });
    expect(JSON.parse(done.result)).toEqual({ rows: 3 });
    const csv = await stack.api.get(`/api/files/${done.artifact_file_key}`, stack.adminToken);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,username,email,full_name,status,roles,created_at');
    expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['admin', 'alice', 'olga']);
    expect(csv.text).toContain(`${alice.id},alice,alice@example.com,alice Example,active,user,`);
    const logs = (await stack.api.get(`/api/tasks/${done.id}/logs`, stack.adminToken)).body.data.map((l: Json) => l.message);
    expect(logs).toEqual(['exporting 3 users', expect.stringMatching(/^wrote 3 users/)]);

    const filtered = await stack.api.post('/api/authorization/users/export', stack.adminToken, { keywords: 'olg' });
    expect(await stack.api.finished(stack.adminToken, filtered.body.data.id)).toMatchObject({ status: 'success', result: JSON.stringify({ rows: 1 }) });
  });

  it('runs an example report with retries to success, with logs and progress visible over HTTP', async () => {
    const report = await stack.api.startReport(alice.token, { steps: 4, step_ms: 150, fail_at_step: 2, fail_attempts: 1, max_retries: 2 });
    expect(report).toMatchObject({ creator_id: alice.id, max_retries: 2 });
    const partial = await stack.api.waitTask(alice.token, report.id, (t) => t.progress > 0 && t.progress < 100, 'partial progress');
    expect(partial.progress_message).toMatch(/^step \d\/4$/);
    const done = await stack.api.finished(alice.token, report.id);
    expect(done).toMatchObject({ status: 'success', progress: 100, progress_message: 'step 4/4', auto_retry_count: 1, result: JSON.stringify({ steps: 4 }), artifact_file_key: expect.any(String) });
    const logs = (await stack.api.get(`/api/tasks/${report.id}/logs`, alice.token)).body.data.map((l: Json) => l.message);
    expect(logs).toEqual(expect.arrayContaining(['simulated failure at step 2', 'step 4/4 done', 'report finished']));
    const csv = await stack.api.get(`/api/files/${done.artifact_file_key}`, alice.token);
    expect(csv.text.trim().split('\r\n')).toHaveLength(5);
  });

  it('counts manual retries as attempts of an example report, so its manual-retry demo succeeds', async () => {
    const report = await stack.api.startReport(alice.token, { steps: 2, step_ms: 0, fail_at_step: 1, fail_attempts: 2, max_retries: 0 });
    expect(await stack.api.finished(alice.token, report.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('attempt 1') });
    expect((await stack.api.post(`/api/tasks/${report.id}/retry`, alice.token, {})).status).toBe(200);
    await stack.api.waitTask(alice.token, report.id, (t) => t.retry_count === 1 && t.status === 'failed', 'the second attempt to fail');
    expect((await stack.api.get(`/api/tasks/${report.id}`, alice.token)).body.data.error).toContain('attempt 2');
    expect((await stack.api.post(`/api/tasks/${report.id}/retry`, alice.token, {})).status).toBe(200);
    await stack.api.waitTask(alice.token, report.id, (t) => t.retry_count === 2 && t.status === 'success', 'the third attempt to succeed');
  });

  it('records the request trace id on the task it created', async () => {
    const res = await stack.api.request('POST', '/api/examples/reports', { token: alice.token, body: { steps: 1, step_ms: 0 }, headers: { 'x-request-id': 'trace-from-client-01' } });
    const { rows } = await pg.query(`SELECT trace_id FROM "${stack.env.schema}".tasks WHERE id = $1`, [res.body.data.id]);
    expect(rows[0].trace_id).toBe('trace-from-client-01');
  });

  it('lists, toggles, triggers schedules and shows their history', async () => {
    expect((await stack.api.get('/api/task-schedules', alice.token)).body.code).toBe('E4030');
    const list = await stack.api.get('/api/task-schedules', operator.token);
    expect(list.status).toBe(200);
    const schedule = list.body.data.find((s: Json) => s.id === 'task-log-cleanup');
    expect(schedule).toMatchObject({ name: expect.any(String), spec: expect.any(String), task_type: expect.any(String), enabled: true, next_run: expect.any(String) });

    const triggered = await stack.api.post('/api/task-schedules/task-log-cleanup/trigger', operator.token);
    expect(triggered.body.data).toMatchObject({ cron_schedule_id: 'task-log-cleanup', category: 'system', creator_id: 'system' });
    const history = await stack.api.get('/api/task-schedules/task-log-cleanup/history?current=1&page_size=10', operator.token);
    expect(history.body).toMatchObject({ code: '0', total: 1, current: 1, page_size: 10, data: [{ id: triggered.body.data.id }] });
    // A plain user sees no system task in a schedule's history.
    expect((await stack.api.get('/api/task-schedules/task-log-cleanup/history', alice.token)).body).toMatchObject({ total: 0, data: [] });

    expect((await stack.api.post('/api/task-schedules/task-log-cleanup/toggle', alice.token, { enabled: false })).status).toBe(403);
    const off = await stack.api.post('/api/task-schedules/task-log-cleanup/toggle', operator.token, { enabled: false });
    expect(off.body.data).toMatchObject({ id: 'task-log-cleanup', enabled: false, message: 'schedule disabled' });
    expect(off.body.data).not.toHaveProperty('next_run');
    const refused = await stack.api.post('/api/task-schedules/task-log-cleanup/trigger', operator.token);
    expect(refused).toMatchObject({ status: 409, body: { code: 'E4091' } });
    expect((await stack.api.post('/api/task-schedules/task-log-cleanup/toggle', operator.token, { enabled: 'no' })).body.code).toBe('E4001');
    expect((await stack.api.post('/api/task-schedules/task-log-cleanup/toggle', operator.token, { enabled: true })).body.data.enabled).toBe(true);

    for (const res of [
      await stack.api.get('/api/task-schedules/no-such-schedule/history', operator.token),
      await stack.api.post('/api/task-schedules/no-such-schedule/toggle', operator.token, { enabled: true }),
      await stack.api.post('/api/task-schedules/no-such-schedule/trigger', operator.token),
    ]) {
      expect(res).toMatchObject({ status: 404, body: { code: 'E4041' } });
    }
  });

  it('allows the configured cross-origin console and no other origin', async () => {
    const preflight = await stack.api.request('OPTIONS', '/api/tasks', { headers: { origin: CONSOLE_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    const foreign = await stack.api.request('GET', '/api/tasks', { token: alice.token, headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ends open event streams when the api shuts down', async () => {
    const stream = await openEvents(stack.api.base, { token: alice.token });
    const exit = await stack.apiProcess.kill('SIGTERM');
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    await stream.ended;
  });
});
