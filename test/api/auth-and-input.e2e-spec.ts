import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { signJwt } from '@taskyard/auth';
import { TEST_DATABASE_URL, waitFor } from '../support/test-env';
import { ADMIN_PASSWORD, JWT_SECRET, startStack, type Stack } from './support/api-harness';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('api: envelope, authentication and bad input', () => {
  let stack: Stack;
  let pg: Client;
  const taskCount = async () => Number((await pg.query(`SELECT count(*) AS n FROM "${stack.env.schema}".tasks`)).rows[0].n);

  beforeAll(async () => {
    stack = await startStack('api_input', { env: { LOGIN_MAX_FAILURES: '3', MAX_PAYLOAD_BYTES: '128', API_BODY_LIMIT_BYTES: '4096' } });
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.stop();
  });

  it('logs the bootstrap admin in and returns a token, its expiry and the user without a password hash', async () => {
    const res = await stack.api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '0', data: { token: expect.any(String), expires_at: expect.any(String), user: { username: 'admin' } } });
    // EZ-Console's user fields (`password_expired`, `password_changed_at`) name the password; its hash never appears.
    expect(res.text).not.toMatch(/password_hash|scrypt/);
    const profile = await stack.api.get('/api/authorization/profile', res.body.data.token);
    expect(profile.body.data.permissions).toEqual(expect.arrayContaining(['task:list', 'authorization:user:create']));
    expect(profile.body.data.roles[0]).toMatchObject({ id: 'admin', name: 'admin', permissions: expect.arrayContaining([expect.objectContaining({ code: 'task:list' })]) });
  });

  it('puts a trace id in every body and header, and honours a valid incoming x-request-id', async () => {
    const res = await stack.api.request('GET', '/api/tasks', { token: stack.adminToken, headers: { 'x-request-id': 'req-abcdef-123456' } });
    expect(res.headers.get('x-trace-id')).toBe('req-abcdef-123456');
    expect(res.body.trace_id).toBe('req-abcdef-123456');
    const traced = await stack.api.request('GET', '/api/tasks/nope', { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(traced.body).toMatchObject({ code: 'E4010', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('sends security headers and no CORS headers to a foreign origin by default', async () => {
    const res = await stack.api.request('GET', '/api/tasks', { token: stack.adminToken, headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rejects wrong passwords, unknown users and tampered, expired or alg-none tokens with 401', async () => {
    const wrong = await stack.api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: 'not-the-password' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'E4011', err: 'invalid username or password' } });
    const unknown = await stack.api.post('/api/authorization/auth/login', undefined, { username: 'ghost', password: 'whatever1' });
    expect(unknown.status).toBe(401);

    const [header, payload, signature] = stack.adminToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      missing: undefined,
      garbage: 'not-a-token',
      forgedSignature: `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`,
      tamperedClaims: `${header}.${b64({ ...claims, sub: randomUUID() })}.${signature}`,
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      otherSecret: signJwt({ sub: claims.sub, iat: now, exp: now + 60 }, 'some-other-secret-123456'),
      expired: signJwt({ sub: claims.sub, iat: now - 120, exp: now - 60 }, JWT_SECRET),
      notYetValid: signJwt({ sub: claims.sub, iat: now, nbf: now + 3600, exp: now + 7200 }, JWT_SECRET),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await stack.api.get('/api/tasks', token);
      expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'E4010' });
    }
  });

  it('rate-limits failed logins per IP and username with 429', async () => {
    const attempt = (password: string) => stack.api.post('/api/authorization/auth/login', undefined, { username: 'limited', password });
    await stack.api.user(stack.adminToken, 'limited', ['user']);
    for (let i = 0; i < 3; i++) expect((await attempt('bad-password')).status).toBe(401);
    const blocked = await attempt('limited-password');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('E4290');
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another username from the same IP is not affected.
    expect((await stack.api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('lists users with pagination and keywords, and needs the permission to create or list', async () => {
    const plain = await stack.api.user(stack.adminToken, 'plain_user', ['user']);
    const list = await stack.api.get('/api/authorization/users?current=1&page_size=1&keywords=plain', stack.adminToken);
    expect(list.body).toMatchObject({ code: '0', total: 1, current: 1, page_size: 1, data: [{ username: 'plain_user', roles: [{ id: 'user' }] }] });
    expect(list.text).not.toMatch(/password_hash|scrypt/);
    expect((await stack.api.get('/api/authorization/users', plain.token)).body.code).toBe('E4030');
    const denied = await stack.api.post('/api/authorization/users', plain.token, { username: 'sneaky', password: 'sneaky-pass', role_ids: ['admin'] });
    expect(denied).toMatchObject({ status: 403, body: { code: 'E4030' } });
    const duplicate = await stack.api.post('/api/authorization/users', stack.adminToken, { username: 'PLAIN_USER', password: 'another-pass' });
    expect(duplicate).toMatchObject({ status: 409, body: { code: 'E4092' } });
    const roles = await stack.api.get('/api/authorization/roles', plain.token);
    expect(roles.body.data.map((r: { id: string }) => r.id)).toEqual(['admin', 'operator', 'user', 'viewer']);
  });

  it('answers every malformed request with a 4xx envelope and writes nothing', async () => {
    const token = stack.adminToken;
    const before = await taskCount();
    const cases: [string, Promise<{ status: number; body: { code: string; err: string } }>, number, string][] = [
      ['invalid JSON', stack.api.request('POST', '/api/examples/reports', { token, rawBody: '{"steps": 3,' }), 400, 'E4000'],
      ['unknown field', stack.api.post('/api/examples/reports', token, { steps: 3, status: 'success' }), 400, 'E4001'],
      ['mass assignment of creator', stack.api.post('/api/examples/reports', token, { creator_id: 'someone' }), 400, 'E4001'],
      ['wrong type', stack.api.post('/api/examples/reports', token, { steps: 'many' }), 400, 'E4001'],
      ['out of range', stack.api.post('/api/examples/reports', token, { steps: 0 }), 400, 'E4001'],
      ['array body', stack.api.post('/api/examples/reports', token, [1, 2]), 400, 'E4001'],
      ['oversized body', stack.api.post('/api/authorization/users/export', token, { keywords: 'x'.repeat(5000) }), 413, 'E4130'],
      ['oversized payload', stack.api.post('/api/authorization/users/export', token, { keywords: 'y'.repeat(200), status: 'active' }), 400, 'E4003'],
      ['page_size 0', stack.api.get('/api/tasks?page_size=0', token), 400, 'E4001'],
      ['page_size 101', stack.api.get('/api/tasks?page_size=101', token), 400, 'E4001'],
      ['page_size text', stack.api.get('/api/tasks?page_size=ten', token), 400, 'E4001'],
      ['unknown query parameter', stack.api.get('/api/tasks?owner=me', token), 400, 'E4001'],
      ['bad status filter', stack.api.get('/api/tasks?status=done', token), 400, 'E4001'],
      ['bad sort', stack.api.get('/api/tasks?sort=payload', token), 400, 'E4001'],
      ['bad date', stack.api.get('/api/tasks?created_from=yesterday', token), 400, 'E4001'],
      ['invalid uuid in path', stack.api.get('/api/tasks/12345', token), 400, 'E4002'],
      ['invalid uuid in action path', stack.api.post('/api/tasks/../../etc/cancel', token), 404, 'E4040'],
      ['unknown task', stack.api.get(`/api/tasks/${randomUUID()}`, token), 404, 'E4040'],
      ['logs limit 0', stack.api.get(`/api/tasks/${randomUUID()}/logs?limit=0`, token), 400, 'E4001'],
      ['bulk without ids', stack.api.post('/api/tasks/bulk/cancel', token, { ids: [] }), 400, 'E4001'],
      ['bulk with 101 ids', stack.api.post('/api/tasks/bulk/cancel', token, { ids: Array.from({ length: 101 }, () => randomUUID()) }), 400, 'E4001'],
      ['bulk with a bad id', stack.api.post('/api/tasks/bulk/delete', token, { ids: ['nope'] }), 400, 'E4001'],
      ['unknown route', stack.api.get('/api/no-such-route', token), 404, 'E4040'],
      ['unknown method route', stack.api.request('PATCH', '/api/tasks', { token }), 404, 'E4040'],
      ['unknown setting', stack.api.request('PUT', '/api/system/task-settings', { token, body: { task_bogus: 1 } }), 400, 'E4003'],
      ['ill-typed setting', stack.api.request('PUT', '/api/system/task-settings', { token, body: { task_max_concurrent: 'lots', task_retention_days: 7 } }), 400, 'E4003'],
      ['unknown log backend', stack.api.request('PUT', '/api/system/task-settings', { token, body: { log_storage_backend: 'floppy' } }), 400, 'E4003'],
      ['file key with traversal', stack.api.get('/api/files/..%2F..%2Fetc%2Fpasswd', token), 404, 'E4040'],
      ['forged file signature', stack.api.get('/api/files/AAAAAAAAAAAAAAAAAAAAAAAA?signature=abc&expires=9999999999', undefined), 403, 'E4031'],
    ];
    for (const [name, pending, status, code] of cases) {
      const res = await pending;
      expect({ name, status: res.status, code: res.body?.code, hasErr: typeof res.body?.err === 'string' && res.body.err.length > 0 }).toEqual({ name, status, code, hasErr: true });
    }
    expect(await taskCount()).toBe(before);
    const settings = await stack.api.get('/api/system/task-settings', token);
    expect(settings.body.data).toMatchObject({ task_max_concurrent: 10, task_retention_days: 90, log_storage_backend: 'database' });
  });

  it('reads and updates task settings through the flat map, with the log_storage_backend alias', async () => {
    const fields = await stack.api.get('/api/system/task-settings/fields', stack.adminToken);
    expect(fields.body.data).toEqual(expect.arrayContaining([{ key: 'task_max_concurrent', value_type: 'int', default_value: '10' }]));
    const backends = await stack.api.get('/api/system/task-settings/log-storage-backends', stack.adminToken);
    expect(backends.body.data.map((b: { id: string }) => b.id)).toEqual(expect.arrayContaining(['database', 'redis']));
    const put = await stack.api.request('PUT', '/api/system/task-settings', { token: stack.adminToken, body: { task_log_retention_days: 12, log_storage_backend: 'redis' } });
    expect(put.body.data).toMatchObject({ message: 'task settings updated', settings: { task_log_retention_days: 12, log_storage_backend: 'redis', task_log_storage_backend: 'redis' } });
    await stack.api.request('PUT', '/api/system/task-settings', { token: stack.adminToken, body: { log_storage_backend: 'database' } });
    const viewer = await stack.api.user(stack.adminToken, 'settings_viewer', ['viewer']);
    expect((await stack.api.get('/api/system/task-settings', viewer.token)).status).toBe(403);
  });

  it('serves the OpenAPI document and the console (or how to build it) outside the envelope', async () => {
    const docs = await stack.api.get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/tasks', '/api/tasks/{id}', '/api/authorization/auth/login']));
    // The document describes EZ-Console's representation: payload and result as JSON text, permissions as objects.
    const dataOf = (path: string, method: string) => docs.body.paths[path][method].responses['200'].content['application/json'].schema.properties.data;
    expect(dataOf('/api/tasks/{id}', 'get').properties).toMatchObject({ payload: { type: 'string' }, result: { type: 'string' } });
    expect(dataOf('/api/tasks/{id}', 'get').required).not.toContain('error');
    expect(dataOf('/api/authorization/profile', 'get').properties.roles.items.properties.permissions.items.required).toContain('code');
    expect(dataOf('/api/files/{fileKey}', 'get').required).toEqual(['signature', 'expires', 'url']);
    const deepLink = await stack.api.get('/tasks/some-id');
    expect(deepLink.status).toBe(200);
    expect(deepLink.headers.get('content-type')).toContain('text/html');
    expect((await stack.api.get('/')).headers.get('content-type')).toContain('text/html');
    expect((await stack.api.get('/assets/index-stale0hash.js')).status).toBe(404);
    expect((await stack.api.get('/health/live')).body).toEqual({ status: 'ok' });
  });

  it('refuses a demoted admin and a disabled user within AUTH_USER_CACHE_MS (1 s) of a change made in SQL', async () => {
    const { api, adminToken } = stack;
    const schema = stack.env.schema;
    const ann = await api.user(adminToken, 'cache_ann', ['admin']);
    const bob = await api.user(adminToken, 'cache_bob', ['user']);
    // Both users' lookups are cached now.
    expect((await api.get('/api/authorization/users', ann.token)).status).toBe(200);
    expect((await api.get('/api/tasks', bob.token)).status).toBe(200);
    const refusedWithin = async (check: () => Promise<boolean>, what: string) => {
      const changed = Date.now();
      await waitFor(check, 10_000, what);
      return Date.now() - changed;
    };
    await pg.query(`UPDATE "${schema}".user_roles SET role_id = 'user' WHERE user_id = $1`, [ann.id]);
    const demoted = await refusedWithin(async () => (await api.get('/api/authorization/users', ann.token)).status === 403, 'the demoted admin to get 403');
    await pg.query(`UPDATE "${schema}".users SET status = 'disabled' WHERE id = $1`, [bob.id]);
    const disabled = await refusedWithin(async () => (await api.get('/api/tasks', bob.token)).status === 401, 'the disabled user to get 401');
    // The bound is the cache lifetime; the rest is slack for request latency on a loaded machine.
    expect(demoted).toBeLessThan(2_500);
    expect(disabled).toBeLessThan(2_500);
    expect((await api.get('/api/tasks', ann.token)).status).toBe(200);
  });
});
