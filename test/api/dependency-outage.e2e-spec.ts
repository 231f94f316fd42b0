import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, TEST_DATABASE_URL, TEST_REDIS_URL, waitFor, type TestEnv } from '../support/test-env';
import { Api, ADMIN_PASSWORD, JWT_SECRET } from './support/api-harness';
import { TcpProxy } from './support/tcp-proxy';

describe('api: PostgreSQL or Redis down gives 503, never 500', () => {
  let env: TestEnv;
  let api: Api;
  let apiProcess: RunningProcess;
  let token: string;
  const postgres = new TcpProxy(new URL(TEST_DATABASE_URL).hostname, Number(new URL(TEST_DATABASE_URL).port || 5432));
  const redis = new TcpProxy(new URL(TEST_REDIS_URL).hostname, Number(new URL(TEST_REDIS_URL).port || 6379));

  beforeAll(async () => {
    env = await createTestEnv('api_outage');
    const [pgPort, redisPort] = await Promise.all([postgres.start(), redis.start()]);
    const databaseUrl = new URL(TEST_DATABASE_URL);
    databaseUrl.hostname = '127.0.0.1';
    databaseUrl.port = String(pgPort);
    apiProcess = await startProcess('api', 'apps/api/src/main.ts', {
      ...env.env,
      JWT_SECRET,
      ADMIN_PASSWORD,
      API_PORT: '0',
      API_HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    api = new Api(`http://127.0.0.1:${apiProcess.port}`);
    token = await api.login('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await Promise.all([postgres.cut(), redis.cut()]);
    await apiProcess?.kill('SIGKILL');
    await env?.cleanup();
  });

  it('answers 503 E5031 while Redis is down for routes that need it, serves the others, and recovers', async () => {
    await redis.cut();
    const login = await api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
    expect(login).toMatchObject({ status: 503, body: { code: 'E5031' } });
    expect((await api.post('/api/tasks/events/ticket', token)).body.code).toBe('E5031');
    expect((await api.get(`/api/files/AAAAAAAAAAAAAAAAAAAAAAAA?method=sign`, token)).body.code).toBe('E4040');
    await redis.restore();
    await waitFor(async () => (await api.post('/api/authorization/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD })).status === 200, 15_000, 'redis back');
  });

  it('answers 503 E5030 while PostgreSQL is down, and recovers', async () => {
    await postgres.cut();
    const res = await api.get('/api/tasks', token);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('E5030');
    await postgres.restore();
    await waitFor(async () => (await api.get('/api/tasks', token)).status === 200, 15_000, 'postgres back');
  });
});
