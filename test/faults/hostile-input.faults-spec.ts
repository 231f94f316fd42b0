import { Client } from 'pg';
import { TEST_DATABASE_URL } from '../support/test-env';
import { ADMIN_PASSWORD, JWT_SECRET, openEvents, startStack, type Stack } from '../api/support/api-harness';

/** Strings that break naive SQL (quotes, comments, statement ends) or LIKE patterns (% _ \). */
const META = [`'; DROP TABLE tasks; --`, `' OR '1'='1`, `%`, `_`, `\\`, `\\%`, `"`, `$1`, `) OR 1=1 --`, `*/ SELECT pg_sleep(5) /*`, `é'ü`];

describe('hostile input: SQL meta-characters in search and filters, secrets never logged', () => {
  let stack: Stack;
  let pg: Client;
  const count = async (where: string, params: unknown[]) =>
    Number((await pg.query(`SELECT count(*) AS n FROM "${stack.env.schema}".tasks WHERE deleted_at IS NULL AND ${where}`, params)).rows[0].n);

  beforeAll(async () => {
    // Debug logging: the most the api ever writes, all of which must be free of secrets.
    stack = await startStack('faults_hostile', { env: { LOG_LEVEL: 'debug', LOGIN_MAX_FAILURES: '50' } });
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.stop();
  });

  it('treats SQL and LIKE meta-characters in search, filters and keywords as plain text', async () => {
    const { api, adminToken: token } = stack;
    for (const keywords of [...META, 'plain words']) {
      const res = await api.post('/api/authorization/users/export', token, { keywords });
      expect({ keywords, status: res.status }).toEqual({ keywords, status: 201 });
    }
    for (const name of ['alpha', 'bravo']) await api.user(token, name, ['user']);
    const tasksBefore = await count('true', []);
    expect(tasksBefore).toBe(META.length + 1);

    for (const text of META) {
      // The oracle: a literal, case-insensitive substring of the searched text (as the index sees it).
      const expected = await count(`strpos(lower(type || ' ' || coalesce(payload::text, '')), lower($1)) > 0`, [text]);
      const search = await api.get(`/api/tasks?page_size=100&search=${encodeURIComponent(text)}`, token);
      expect({ text, status: search.status, total: search.body.total }).toEqual({ text, status: 200, total: expected });

      for (const filter of ['type', 'creator_id']) {
        const res = await api.get(`/api/tasks?${filter}=${encodeURIComponent(text)}`, token);
        expect({ text, filter, status: res.status, total: res.body.total }).toEqual({ text, filter, status: 200, total: 0 });
      }
      const users = await api.get(`/api/authorization/users?keywords=${encodeURIComponent(text)}`, token);
      expect({ text, status: users.status, total: users.body.total }).toEqual({ text, status: 200, total: 0 });
    }
    // Enumerated filters reject meta-characters instead of passing them on.
    for (const query of [`status=pending' OR '1'='1`, `sort=created_at;DROP TABLE tasks`, `category=user'--`, `created_from=2020-01-01' OR 1=1`]) {
      const res = await api.get(`/api/tasks?${query.replace(/ /g, '%20')}`, token);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'E4001' });
    }
    // Nothing was dropped, written or slept on.
    expect(await count('true', [])).toBe(tasksBefore);
    const users = await api.get('/api/authorization/users', token);
    expect(users.body.total).toBe(3);
  });

  it('never writes passwords, the JWT secret, tokens or tickets to the logs', async () => {
    const { api, adminToken: token } = stack;
    const wrongPassword = 'Wrong-Secret-Password-42';
    const userPassword = 'charlie-password';
    expect((await api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: wrongPassword })).status).toBe(401);
    await api.user(token, 'charlie', ['user']);
    const charlie = await api.login('charlie', userPassword);
    const ticket = (await api.post('/api/tasks/events/ticket', charlie)).body.data.ticket as string;
    await api.get('/api/tasks', charlie);
    const stream = await openEvents(api.base, { query: { ticket } });
    expect(stream.status).toBe(200);
    stream.close();
    await api.get('/api/tasks', `${token.slice(0, -4)}AAAA`);
    // An unexpected-error path (a malformed body) logs too.
    await api.request('POST', '/api/authorization/auth/login', { rawBody: `{"username":"admin","password":"${wrongPassword}"` });
    await new Promise((r) => setTimeout(r, 500));

    const logs = stack.apiProcess.output.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    const secrets: Record<string, string> = {
      'admin password': ADMIN_PASSWORD,
      'wrong password': wrongPassword,
      'user password': userPassword,
      'JWT secret': JWT_SECRET,
      'admin token signature': token.split('.')[2],
      'user token signature': charlie.split('.')[2],
      'SSE ticket': ticket,
    };
    const leaked = Object.entries(secrets).filter(([, secret]) => logs.includes(secret)).map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
