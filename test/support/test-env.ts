import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { migrate } from '@taskyard/persistence';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/taskyard_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Timings short enough for tests to observe recovery in seconds. */
export const FAST_TIMINGS: Record<string, string> = {
  LOCK_DURATION_MS: '2000',
  STALLED_INTERVAL_MS: '1000',
  HEARTBEAT_INTERVAL_MS: '300',
  RUN_LEASE_MS: '2500',
  RECONCILE_INTERVAL_MS: '300',
  RECONCILE_PENDING_AFTER_MS: '1000',
  RETRY_BACKOFF_MS: '100',
  CANCEL_GRACE_MS: '1500',
  SHUTDOWN_TIMEOUT_MS: '5000',
  PROGRESS_PERSIST_MS: '1000',
  LOG_LEVEL: 'warn',
};

export interface TestEnv {
  schema: string;
  prefix: string;
  /** Environment for processes and configs of this test file. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * A private PostgreSQL schema (migrated) and Redis key prefix for one test file, so test
 * files run in parallel against the machine's shared servers without seeing each other.
 */
export async function createTestEnv(name: string, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const id = `${name.toLowerCase().replace(/[^a-z0-9]/g, '_').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const schema = `t_${id}`;
  const prefix = `tytest-${id}`;
  const redisUrl = overrides.REDIS_URL ?? TEST_REDIS_URL;
  await migrate({ url: TEST_DATABASE_URL, schema });
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    ...FAST_TIMINGS,
    ...overrides,
  };
  return {
    schema,
    prefix,
    env,
    async cleanup() {
      const pg = new Client({ connectionString: TEST_DATABASE_URL });
      await pg.connect();
      await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pg.end());
      // A private cluster's suite tears the whole cluster down instead.
      if (redisUrl.includes('+cluster://')) return;
      const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
