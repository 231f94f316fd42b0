import { waitFor } from '../support/test-env';
import { openEvents, startStack, type HttpResult, type Json, type Stack } from './support/api-harness';
import { ezConsoleContract, type Schema } from './support/swagger-contract';

/**
 * EZ-Console's REST contract: every route Taskyard shares with EZ-Console answers a body that
 * validates against the response schema of EZ-Console's own OpenAPI document
 * (support/ezconsole-swagger.json), errors included. Extra fields are allowed; a field it types
 * `string` is a string or absent, never null.
 */
const contract = ezConsoleContract();

/** `GET /api/files/:key?method=sign` has no schema in the document; EZ-Console's server answers `gin.H{signature, expires}`. */
const SIGNED_URL: Schema = {
  type: 'object',
  required: ['code', 'data'],
  properties: {
    code: { type: 'string' },
    data: { type: 'object', required: ['signature', 'expires'], properties: { signature: { type: 'string' }, expires: { type: 'integer' } } },
  },
};

/** Asserts the response status and that its body conforms; fails with the route and every mismatching field. */
function conforms(route: string, res: HttpResult, status: number, schema?: Schema): Json {
  const [method, path] = route.split(' ');
  if (res.status !== status) throw new Error(`${route}: expected status ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  const errors = contract.validate(schema ?? contract.responseSchema(method, path, status), res.body);
  if (errors.length) throw new Error(`${route} ${status} does not match EZ-Console's schema:\n  ${errors.join('\n  ')}`);
  return res.body;
}

describe("the contract checker", () => {
  const task = contract.responseSchema('GET', '/api/tasks/{id}', 200);
  const ok = { code: '0', data: { id: 't', type: 'x', status: 'failed', progress: 0, creator_id: 'u', category: 'user', retry_count: 0, auto_retry_count: 0, max_retries: 0, created_at: 'a', updated_at: 'b' } };

  it('accepts a task with empty optional fields left out, and extra fields', () => {
    expect(contract.validate(task, { ...ok, data: { ...ok.data, priority: 0, cancel_requested: false } })).toEqual([]);
  });

  it('names the field of a null, a wrong type, a missing field and a bad enum', () => {
    const { id: _id, ...withoutId } = ok.data;
    expect(contract.validate(task, { ...ok, data: { ...withoutId, error: null, payload: { a: 1 }, status: 'done' } })).toEqual([
      '$.data.id: missing',
      '$.data.status: "done" is not one of ["pending","running","success","failed","cancelled"]',
      '$.data.error: expected string, got null',
      '$.data.payload: expected string, got object',
    ]);
  });
});

describe('api: EZ-Console contract on every shared route (real api + worker)', () => {
  let stack: Stack;
  let admin: string;
  let success: Json;
  let failed: Json;

  beforeAll(async () => {
    stack = await startStack('api_ezconsole', { worker: true });
    admin = stack.adminToken;
    const [ok, bad] = await Promise.all([
      stack.api.startReport(admin, { steps: 2, step_ms: 0 }),
      stack.api.startReport(admin, { steps: 2, step_ms: 0, fail_at_step: 1, fail_attempts: 5, max_retries: 0 }),
    ]);
    [success, failed] = await Promise.all([stack.api.finished(admin, ok.id), stack.api.finished(admin, bad.id)]);
    expect([success.status, failed.status]).toEqual(['success', 'failed']);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('login and profile: the administrator is the role named admin, permissions are objects with a code', async () => {
    const login = conforms('POST /api/authorization/auth/login', await stack.api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: 'admin-pass-1234' }), 200);
    expect(login.data).toMatchObject({ needs_mfa: false, password_expired: false, user: { username: 'admin', last_login: expect.any(String) } });
    const profile = conforms('GET /api/authorization/profile', await stack.api.get('/api/authorization/profile', admin), 200);
    expect(profile.data.roles.map((r: Json) => r.name)).toEqual(['admin']);
    expect(profile.data.roles[0].permissions).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'task:cancel' })]));

    conforms('POST /api/authorization/auth/login', await stack.api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: 'wrong' }), 401);
    conforms('GET /api/authorization/profile', await stack.api.get('/api/authorization/profile'), 401);
  });

  it('task list, detail (success and failed), logs and user-tasks', async () => {
    const list = conforms('GET /api/tasks', await stack.api.get('/api/tasks?current=1&page_size=20', admin), 200);
    expect(list.data.map((t: Json) => t.id)).toEqual(expect.arrayContaining([success.id, failed.id]));
    const ok = conforms('GET /api/tasks/{id}', await stack.api.get(`/api/tasks/${success.id}`, admin), 200);
    expect(JSON.parse(ok.data.result)).toEqual({ steps: 2 });
    expect(JSON.parse(ok.data.payload)).toMatchObject({ steps: 2, step_ms: 0 });
    const bad = conforms('GET /api/tasks/{id}', await stack.api.get(`/api/tasks/${failed.id}`, admin), 200);
    expect(bad.data).toMatchObject({ status: 'failed', error: expect.any(String) });
    expect(bad.data).not.toHaveProperty('result');
    const logs = conforms('GET /api/tasks/{id}/logs', await stack.api.get(`/api/tasks/${success.id}/logs`, admin), 200);
    expect(logs.data.length).toBeGreaterThan(0);
    expect(logs.data[0].updated_at).toBe(logs.data[0].created_at);
    conforms('GET /api/user-tasks', await stack.api.get('/api/user-tasks', admin), 200);

    const unknown = '00000000-0000-4000-8000-000000000000';
    conforms('GET /api/tasks/{id}', await stack.api.get(`/api/tasks/${unknown}`, admin), 404);
    conforms('GET /api/tasks/{id}/logs', await stack.api.get(`/api/tasks/${unknown}/logs`, admin), 404);
    conforms('GET /api/tasks', await stack.api.get('/api/tasks?page_size=101', admin), 400);
    conforms('GET /api/tasks', await stack.api.get('/api/tasks'), 401);
  });

  it("log lines on the event stream are EZ-Console's log object, updated_at included", async () => {
    const stream = await openEvents(stack.api.base, { token: admin });
    try {
      const task = await stack.api.startReport(admin, { steps: 2, step_ms: 0 });
      await waitFor(() => stream.events.some((e) => e.event === 'log' && e.data.task_id === task.id), 10_000, 'a log event');
      const logs = stream.events.filter((e) => e.event === 'log' && e.data.task_id === task.id).map((e) => e.data.log);
      for (const log of logs) {
        const errors = contract.validate({ $ref: '#/definitions/model.TaskLog' }, log);
        if (errors.length) throw new Error(`SSE log event does not match EZ-Console's model.TaskLog:\n  ${errors.join('\n  ')}`);
        expect(log.updated_at).toBe(log.created_at);
      }
    } finally {
      stream.close();
    }
  });

  it('cancel, retry and delete answer a message; invalid transitions answer 409', async () => {
    const running = await stack.api.startReport(admin, { steps: 10, step_ms: 60_000 });
    await stack.api.waitTask(admin, running.id, (t) => t.status === 'running', 'start');
    const cancelled = conforms('POST /api/tasks/{id}/cancel', await stack.api.post(`/api/tasks/${running.id}/cancel`, admin), 200);
    expect(cancelled.data.message).toEqual(expect.any(String));
    await stack.api.finished(admin, running.id);

    conforms('POST /api/tasks/{id}/cancel', await stack.api.post(`/api/tasks/${success.id}/cancel`, admin), 409);
    conforms('POST /api/tasks/{id}/retry', await stack.api.post(`/api/tasks/${success.id}/retry`, admin), 409);
    const retried = conforms('POST /api/tasks/{id}/retry', await stack.api.post(`/api/tasks/${failed.id}/retry`, admin), 200);
    expect(retried.data.message).toEqual(expect.any(String));
    await stack.api.finished(admin, failed.id);

    const deleted = conforms('DELETE /api/tasks/{id}', await stack.api.delete(`/api/tasks/${running.id}`, admin), 200);
    expect(deleted.data.message).toEqual(expect.any(String));
    conforms('DELETE /api/tasks/{id}', await stack.api.delete(`/api/tasks/${running.id}`, admin), 404);
  });

  it('schedules: list, toggle, trigger, history and their errors', async () => {
    const schedules = conforms('GET /api/task-schedules', await stack.api.get('/api/task-schedules', admin), 200);
    const id = 'task-log-cleanup';
    expect(schedules.data.map((s: Json) => s.id)).toContain(id);

    const off = conforms('POST /api/task-schedules/{id}/toggle', await stack.api.post(`/api/task-schedules/${id}/toggle`, admin, { enabled: false }), 200);
    expect(off.data.message).toEqual(expect.any(String));
    // A disabled schedule has no next run: the field is absent, not null.
    conforms('GET /api/task-schedules', await stack.api.get('/api/task-schedules', admin), 200);
    conforms('POST /api/task-schedules/{id}/trigger', await stack.api.post(`/api/task-schedules/${id}/trigger`, admin), 409);
    conforms('POST /api/task-schedules/{id}/toggle', await stack.api.post(`/api/task-schedules/${id}/toggle`, admin, { enabled: true }), 200);

    const triggered = conforms('POST /api/task-schedules/{id}/trigger', await stack.api.post(`/api/task-schedules/${id}/trigger`, admin), 200);
    expect(triggered.data.cron_schedule_id).toBe(id);
    await stack.api.finished(admin, triggered.data.id);
    const history = conforms('GET /api/task-schedules/{id}/history', await stack.api.get(`/api/task-schedules/${id}/history?current=1&page_size=10`, admin), 200);
    expect(history.data.map((t: Json) => t.id)).toContain(triggered.data.id);
    // After a run, `last_run` is present.
    const after = conforms('GET /api/task-schedules', await stack.api.get('/api/task-schedules', admin), 200);
    expect(after.data.find((s: Json) => s.id === id).last_run).toEqual(expect.any(String));

    conforms('POST /api/task-schedules/{id}/toggle', await stack.api.post('/api/task-schedules/no-such-schedule/toggle', admin, { enabled: true }), 404);
    conforms('POST /api/task-schedules/{id}/trigger', await stack.api.post('/api/task-schedules/no-such-schedule/trigger', admin), 404);
    conforms('POST /api/task-schedules/{id}/toggle', await stack.api.post(`/api/task-schedules/${id}/toggle`, admin, { enabled: 'yes' }), 400);
  });

  it('task settings: map, update, fields and log storage backends', async () => {
    const settings = conforms('GET /api/system/task-settings', await stack.api.get('/api/system/task-settings', admin), 200);
    expect(settings.data.task_max_concurrent).toEqual(expect.any(Number));
    const updated = conforms('PUT /api/system/task-settings', await stack.api.request('PUT', '/api/system/task-settings', { token: admin, body: { task_log_retention_days: 31 } }), 200);
    expect(updated.data.message).toEqual(expect.any(String));
    conforms('PUT /api/system/task-settings', await stack.api.request('PUT', '/api/system/task-settings', { token: admin, body: { task_log_retention_days: 'many' } }), 400);
    const fields = conforms('GET /api/system/task-settings/fields', await stack.api.get('/api/system/task-settings/fields', admin), 200);
    expect(fields.data.find((f: Json) => f.key === 'task_max_concurrent')).toEqual({ key: 'task_max_concurrent', value_type: 'int', default_value: '10' });
    conforms('GET /api/system/task-settings/log-storage-backends', await stack.api.get('/api/system/task-settings/log-storage-backends', admin), 200);
  });

  it("files: sign answers {signature, expires} and the download accepts them as EZ-Console's pages build the URL", async () => {
    const key = success.artifact_file_key as string;
    const signed = conforms('GET /api/files/{fileKey}', await stack.api.get(`/api/files/${key}?method=sign`, admin), 200, SIGNED_URL);
    const { signature, expires } = signed.data;
    expect(expires).toBeGreaterThan(Date.now() / 1000);
    const file = await stack.api.get(`/api/files/${key}?signature=${signature}&expires=${expires}`);
    expect(file.status).toBe(200);
    expect(file.text).toBe((await stack.api.get(`/api/files/${key}`, admin)).text);
    conforms('GET /api/files/{fileKey}', await stack.api.get(`/api/files/${key}?signature=${signature}x&expires=${expires}`), 403);
    conforms('GET /api/files/{fileKey}', await stack.api.get(`/api/files/no-such-file?method=sign`, admin), 404);
  });

  it("EZ-Console's console boot routes: site and oauth providers", async () => {
    const site = conforms('GET /api/system/site', await stack.api.get('/api/system/site'), 200);
    expect(site.data.name).toBe('Taskyard');
    const providers = conforms('GET /api/oauth/providers', await stack.api.get('/api/oauth/providers'), 200);
    expect(providers.data).toEqual([]);
  });
});
