import { freePort, PrivateRedis } from '../faults/support/servers';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, TEST_DATABASE_URL, waitFor, type TestEnv } from '../support/test-env';
import { ADMIN_PASSWORD, Api, JWT_SECRET } from './support/api-harness';
import { TcpProxy } from './support/tcp-proxy';

const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const ENTRIES = {
  api: 'apps/api/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  scheduler: 'apps/scheduler/src/main.ts',
};

/**
 * Every process pointed at a Redis (or PostgreSQL) that is not there: its port answers at once,
 * `/health/ready` says 503 and names what is missing, the log says what it waits for, and it
 * finishes booting by itself once the dependency comes up.
 */
describe('processes started before Redis or PostgreSQL is reachable', () => {
  let env: TestEnv;
  const processes: RunningProcess[] = [];
  const redis = new PrivateRedis();
  const postgres = new TcpProxy(new URL(TEST_DATABASE_URL).hostname, Number(new URL(TEST_DATABASE_URL).port || 5432));

  const start = async (name: keyof typeof ENTRIES, extra: Record<string, string>) => {
    const proc = await startProcess(name, ENTRIES[name], { ...env.env, JWT_SECRET, ADMIN_PASSWORD, API_HOST: '127.0.0.1', API_PORT: '0', WORKER_METRICS_PORT: '0', SCHEDULER_METRICS_PORT: '0', ...extra }, 60_000, 'listening');
    processes.push(proc);
    return proc;
  };

  beforeAll(async () => {
    env = await createTestEnv('boot_wait');
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await redis.kill();
    await postgres.cut();
    await env?.cleanup();
  });

  it('api, worker and scheduler answer ready 503 naming Redis, log the address they wait for, and become ready when a redis-server starts on it', async () => {
    redis.port = await freePort();
    const redisUrl = `redis://127.0.0.1:${redis.port}`;
    const started = await Promise.all((['api', 'worker', 'scheduler'] as const).map((name) => start(name, { REDIS_URL: redisUrl })));
    for (const proc of started) {
      await waitFor(() => proc.output.some((l) => l.includes(`"msg":"waiting for Redis at 127.0.0.1:${redis.port}"`) && l.includes('ECONNREFUSED')), 10_000, `${proc.name}'s waiting line`);
      const ready = await waitFor(async () => {
        const res = await get(proc.port, '/health/ready');
        return res.body.checks && (res.body.checks as Record<string, boolean>).postgres ? res : null;
      }, 10_000, `${proc.name}'s first probe of PostgreSQL`);
      expect({ name: proc.name, ...ready }).toEqual({ name: proc.name, status: 503, body: { status: 'unavailable', checks: { postgres: true, redis: false }, missing: ['redis'] } });
      expect((await get(proc.port, '/health/live')).status).toBe(200);
    }
    const [api] = started;
    expect(await get(api.port, '/api/tasks')).toMatchObject({ status: 503, body: { code: 'E5031', err: expect.stringContaining(`waiting for Redis at 127.0.0.1:${redis.port}`) } });

    await redis.start();
    for (const proc of started) {
      await waitFor(async () => (await get(proc.port, '/health/ready')).status === 200, 60_000, `${proc.name} to become ready`);
      // Ready can answer before the child's "started" line has crossed its stdout pipe.
      await waitFor(() => proc.output.some((l) => l.includes('"msg":"started"')), 60_000, `${proc.name} to log started`);
    }
    const token = await new Api(`http://127.0.0.1:${api.port}`).login('admin', ADMIN_PASSWORD);
    expect(token).toEqual(expect.any(String));
  });

  it('the api waits for PostgreSQL the same way', async () => {
    const pgPort = await freePort();
    const databaseUrl = new URL(TEST_DATABASE_URL);
    databaseUrl.hostname = '127.0.0.1';
    databaseUrl.port = String(pgPort);
    const api = await start('api', { DATABASE_URL: databaseUrl.toString(), API_PORT: '0' });
    await waitFor(() => api.output.some((l) => l.includes(`"msg":"waiting for PostgreSQL at 127.0.0.1:${pgPort}"`)), 10_000, 'the waiting line');
    await waitFor(async () => (await get(api.port, '/health/ready')).body.missing?.toString() === 'postgres', 10_000, 'ready to name only PostgreSQL');
    expect(await get(api.port, '/health/ready')).toMatchObject({ status: 503, body: { status: 'unavailable', missing: ['postgres'] } });
    expect(await get(api.port, '/api/tasks')).toMatchObject({ status: 503, body: { code: 'E5030', err: expect.stringContaining(`PostgreSQL at 127.0.0.1:${pgPort}`) } });
    await postgres.start(pgPort);
    await waitFor(async () => (await get(api.port, '/health/ready')).status === 200, 60_000, 'the api to become ready');
  });
});
