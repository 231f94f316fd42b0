import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DatabaseOptions {
  url: string;
  /** Schema that holds the tables; tests use one each. */
  schema: string;
  poolSize?: number;
  applicationName?: string;
}

/** A TypeORM data source for Taskyard's schema. `synchronize` is never on: migrations only. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'taskyard_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? 'taskyard',
    extra: {
      max: options.poolSize ?? 10,
      // Unqualified SQL in the hot paths resolves to the configured schema; `public` holds pg_trgm.
      options: `-c search_path=${options.schema},public`,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  });
}

/** Creates the database named in the URL when it does not exist yet (connects to `postgres`). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      // Two processes migrating at once: the other one created it.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Creates the database and schema if needed and runs pending migrations. Safe to run from
 * several processes at once: an advisory lock serialises them.
 */
export async function migrate(options: DatabaseOptions): Promise<string[]> {
  await ensureDatabase(options.url);
  const bootstrap = new Client({ connectionString: options.url });
  await bootstrap.connect();
  try {
    // A transaction-scoped lock, held by an open transaction until the end: behind PgBouncer in
    // transaction pooling a session lock and its unlock can land on different server
    // connections, leaving the lock held by a pooled connection and the next migration stuck.
    await bootstrap.query('BEGIN');
    await bootstrap.query('SELECT pg_advisory_xact_lock(727274)');
    const ds = createDataSource({ ...options, poolSize: 2 });
    await ds.initialize();
    try {
      await ds.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      const ran = await ds.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await bootstrap.query('COMMIT').catch(() => undefined);
    await bootstrap.end();
  }
}

/**
 * Fails unless unqualified SQL resolves to `schema`. The schema reaches PostgreSQL as the
 * `search_path` startup option, which a connection pooler may drop (PgBouncer in transaction
 * pooling can only ignore it): then every raw query would silently use another schema.
 */
export async function checkSearchPath(ds: DataSource, schema: string): Promise<void> {
  const [row] = await ds.query<{ s: string | null }[]>('SELECT current_schema() AS s');
  if (row?.s !== schema) {
    throw new Error(
      `DATABASE_SCHEMA is ${schema} but unqualified SQL resolves to ${row?.s ?? 'no schema'}: behind PgBouncer in transaction pooling give the pooled database ` +
        `connect_query='SET search_path = ${schema}, public' (or ALTER ROLE ... SET search_path)`,
    );
  }
}
