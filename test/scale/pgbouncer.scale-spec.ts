import { Client } from 'pg';
import { checkSearchPath, createDataSource, migrate } from '@taskyard/persistence';
import { Api } from '../api/support/api-harness';
import { Fleet } from '../faults/support/fleet';
import { cancelLong, createLoad, settle } from '../faults/support/load';
import { PrivatePgBouncer, PrivateRedis } from '../faults/support/servers';
import { startPlatform, type Platform } from '../support/platform';
import { FAST_TIMINGS, waitFor } from '../support/test-env';

const JWT_SECRET = 'scale-jwt-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'scale-admin-pass-5678';
const DATABASE = 'taskyard_scale_pgbouncer';
const SCHEMA = 'scale';
const POOL_SIZE = 4;
const WORKERS = 4;

/**
 * Every process (api, 4 workers, 2 schedulers, the test's own platform and the migration) reaches
 * PostgreSQL only through a private PgBouncer in transaction pooling mode: the mixed load ends
 * right, and PostgreSQL never sees more than the pool's connections however many clients there are.
 */
describe('PgBouncer in transaction pooling between every process and PostgreSQL', () => {
  const bouncer = new PrivatePgBouncer({ host: '127.0.0.1', port: 5432, database: DATABASE, searchPath: `${SCHEMA}, public` }, POOL_SIZE);
  const redis = new PrivateRedis();
  let env: Record<string, string>;
  let platform: Platform;
  let fleet: Fleet;
  let api: Api;
  let token: string;
  const direct = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  let peak = 0;
  let sampling: NodeJS.Timeout | undefined;

  const serverConnections = async () =>
    Number((await direct.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1`, [DATABASE])).rows[0].n);

  beforeAll(async () => {
    await direct.connect();
    await direct.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await direct.query(`CREATE DATABASE ${DATABASE}`);
    await Promise.all([bouncer.start(), redis.start()]);
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: bouncer.url,
      DATABASE_SCHEMA: SCHEMA,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'tyscale',
      ...FAST_TIMINGS,
      JWT_SECRET,
    };
  }, 60_000);

  afterAll(async () => {
    if (sampling) clearInterval(sampling);
    await fleet?.stop().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    await bouncer.stop();
    await redis.kill();
    await direct.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await direct.end();
  });

  it('migrates through the pooler, concurrently, and leaves no lock held on a pooled connection', async () => {
    const runs = await Promise.all([migrate({ url: bouncer.url, schema: SCHEMA }), migrate({ url: bouncer.url, schema: SCHEMA })]);
    expect(runs.flat().length).toBeGreaterThan(0);
    // A session-level advisory lock taken and released through transaction pooling can stay held
    // by whichever server connection ran the lock; the next migration would then wait forever.
    const held = await direct.query(`SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = $1`, [DATABASE]);
    expect(Number(held.rows[0].n)).toBe(0);
    await expect(migrate({ url: bouncer.url, schema: SCHEMA })).resolves.toEqual([]);
  });

  it('refuses to boot when the pooler dropped the search_path and SQL would hit another schema', async () => {
    const unpooledSchema = new PrivatePgBouncer({ host: '127.0.0.1', port: 5432, database: DATABASE, searchPath: 'public' }, 1);
    await unpooledSchema.start();
    try {
      // What every process does at boot, right after its data source initialised.
      for (const [url, outcome] of [
        [unpooledSchema.url, 'refused'],
        [bouncer.url, 'accepted'],
      ] as const) {
        const ds = createDataSource({ url, schema: SCHEMA, poolSize: 1 });
        await ds.initialize();
        const result = await checkSearchPath(ds, SCHEMA).then(
          () => 'accepted',
          (err: Error) => (/DATABASE_SCHEMA is scale but unqualified SQL resolves to public/.test(err.message) ? 'refused' : err.message),
        );
        await ds.destroy();
        expect(result).toBe(outcome);
      }
    } finally {
      await unpooledSchema.stop();
    }
  });

  it('runs the mixed load with PostgreSQL at the pool size, whatever the number of clients', async () => {
    sampling = setInterval(() => {
      void serverConnections().then((n) => (peak = Math.max(peak, n)), () => undefined);
    }, 100);
    platform = await startPlatform(env);
    fleet = new Fleet(env);
    await fleet.start({ ADMIN_PASSWORD }, WORKERS);
    api = new Api(`http://127.0.0.1:${fleet.api.port}`);
    token = await api.login('admin', ADMIN_PASSWORD);
    const load = [...(await createLoad(platform, 'pooled-1')), ...(await createLoad(platform, 'pooled-2'))];
    await cancelLong(platform, api, token, load);
    const burst = await platform.tasks.createTasks({}, Array.from({ length: 200 }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
    expect(await settle(platform, [...load, ...burst.map((t) => ({ id: t.id, type: t.type, expected: 'success' as const, phase: 'burst' }))])).toEqual([]);
    const clients = await bouncer.clients();
    await waitFor(async () => (await api.get('/health/ready')).status === 200, 10_000, 'api ready through the pooler');
    console.log(`pgbouncer: ${clients} client connections from ${2 + WORKERS + 2} processes, PostgreSQL peak ${peak} (pool ${POOL_SIZE}), ${load.length + burst.length} tasks`);
    expect(clients).toBeGreaterThan(POOL_SIZE * 2);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(POOL_SIZE);
    expect(fleet.dead()).toEqual([]);
  });
});
