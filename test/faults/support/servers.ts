import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { waitFor } from '../../support/test-env';

const run = promisify(execFile);

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A private `redis-server` child process on its own port: the suite may flush, pause, kill and
 * restart it without touching the machine's shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  port = 0;

  /**
   * With a password, the suite can check that no log line (connection errors included) shows it.
   * `args` are more redis-server options (cluster mode, say); `host` the address it binds.
   */
  constructor(
    readonly password = '',
    private readonly options: { args?: string[]; host?: string } = {},
  ) {}

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', this.host, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction'];
    const child = spawn('redis-server', [...args, ...(this.password ? ['--requirepass', this.password, '--masterauth', this.password] : []), ...(this.options.args ?? [])], {
      stdio: 'ignore',
    });
    this.child = child;
    await waitFor(async () => (await this.command((r) => r.ping())) === 'PONG', 10_000, `redis-server on ${this.port}`);
  }

  /** SIGKILLs the server (all data gone: it runs without persistence). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Runs one command on a short-lived connection. */
  async command<T>(fn: (redis: IORedis) => Promise<T>): Promise<T> {
    const redis = new IORedis(this.url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 1_000, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }
}

/**
 * A private Redis Cluster of `masters` redis-server processes (and `replicasPerMaster` replicas
 * each), made with `redis-cli --cluster create` in a temp dir. Nodes run without persistence,
 * so a killed master comes back empty (its cluster config file keeps its slots).
 */
export class PrivateRedisCluster {
  readonly nodes: PrivateRedis[];
  private readonly dir = mkdtempSync(join(tmpdir(), 'taskyard-redis-cluster-'));

  constructor(
    readonly masters = 3,
    readonly replicasPerMaster = 0,
    readonly password = '',
  ) {
    this.nodes = Array.from({ length: masters * (1 + replicasPerMaster) }, (_, i) =>
      new PrivateRedis(password, {
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${i}.conf`), '--dir', this.dir, '--cluster-node-timeout', '2000', '--cluster-require-full-coverage', 'no'],
      }),
    );
  }

  /** `redis+cluster://` URL of every node (ioredis discovers the rest from any one). */
  get url(): string {
    const auth = this.password ? `:${encodeURIComponent(this.password)}@` : '';
    return `redis+cluster://${auth}${this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
  }

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.start()));
    const auth = this.password ? ['-a', this.password, '--no-auth-warning'] : [];
    await run('redis-cli', [...auth, '--cluster', 'create', ...this.nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(this.replicasPerMaster), '--cluster-yes'], { timeout: 60_000 });
    await this.healthy();
  }

  /** Every running node sees the cluster as `ok` with every slot served. */
  async healthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes.filter((n) => n.running)) {
          const info = await node.command((r) => r.cluster('INFO'));
          if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
        }
        return true;
      },
      timeoutMs,
      'redis cluster state ok',
    );
  }

  /** The node that serves `key`'s slot as master now. */
  async masterOf(key: string): Promise<PrivateRedis> {
    const live = this.nodes.find((n) => n.running);
    if (!live) throw new Error('no node running');
    const slot = await live.command((r) => r.cluster('KEYSLOT', key));
    const ranges = await live.command((r) => r.cluster('SLOTS'));
    const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
    const node = owner && this.nodes.find((n) => n.port === Number(owner[2]?.[1]));
    if (!node) throw new Error(`no master for slot ${slot}`);
    return node;
  }

  /** Starts every node that is down (a test that failed midway left one killed). */
  async restore(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !n.running).map((n) => n.start()));
  }

  /** FLUSHALL on every master: what a cluster that lost its data looks like. */
  async flushAll(): Promise<void> {
    for (const node of this.nodes.filter((n) => n.running)) {
      const role = await node.command((r) => r.role());
      if (role[0] === 'master') await node.command((r) => r.flushall());
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs a command as the postgres user when this process is root (PostgreSQL and PgBouncer refuse root). */
async function asPostgres(args: string[]): Promise<void> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 });
  else await run(args[0], args.slice(1), { timeout: 60_000 });
}

/** Whether a PostgreSQL (or PgBouncer) URL accepts a connection and answers a query. */
async function answers(connectionString: string): Promise<boolean> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A temp dir the postgres user owns. */
async function postgresDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o700);
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  return dir;
}

/**
 * A private PgBouncer (Debian's) in transaction pooling mode in front of a PostgreSQL server:
 * one pooled database for `database`, whose server connections get `searchPath` by a
 * `connect_query` (the startup parameter `options` carrying it is ignored: PgBouncer cannot pool
 * it), at most `poolSize` server connections.
 */
export class PrivatePgBouncer {
  port = 0;
  private dir = '';

  constructor(
    private readonly upstream: { host: string; port: number; database: string; searchPath: string },
    readonly poolSize: number,
  ) {}

  /** The pooled database goes by the name of the one behind it (the migration checks that it exists). */
  get alias(): string {
    return this.upstream.database;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.alias}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.dir = await postgresDir('taskyard-pgbouncer-');
    const { host, port, database, searchPath } = this.upstream;
    writeFileSync(join(this.dir, 'userlist.txt'), '"postgres" ""\n', { mode: 0o644 });
    writeFileSync(
      join(this.dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${this.alias} = host=${host} port=${port} dbname=${database} pool_size=${this.poolSize} connect_query='SET search_path = ${searchPath}'`,
        // For the migration's database check (it connects to `postgres`).
        `postgres = host=${host} port=${port} dbname=postgres pool_size=1`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(this.dir, 'userlist.txt')}`,
        'admin_users = postgres',
        'pool_mode = transaction',
        'max_client_conn = 1000',
        'ignore_startup_parameters = options',
        `pidfile = ${join(this.dir, 'pgbouncer.pid')}`,
        `logfile = ${join(this.dir, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    await asPostgres(['pgbouncer', '-d', join(this.dir, 'pgbouncer.ini')]);
    await waitFor(() => this.ready(), 10_000, 'pgbouncer to accept connections');
  }

  ready(): Promise<boolean> {
    return answers(this.url);
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Client connections PgBouncer holds for the pooled database (its `SHOW CLIENTS`). */
  async clients(): Promise<number> {
    const admin = new Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/pgbouncer` });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ database: string }>('SHOW CLIENTS');
      return rows.filter((r) => r.database === this.alias).length;
    } finally {
      await admin.end();
    }
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    const pid = Number(readFileSync(join(this.dir, 'pgbouncer.pid'), 'utf8').trim());
    if (pid > 0) process.kill(pid, 'SIGTERM');
    await waitFor(() => !this.alive(pid), 10_000, 'pgbouncer to exit');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A private PostgreSQL 15 cluster (initdb in a temp dir, its own port, run as the postgres
 * user): the suite restarts it at will while other test files keep using the machine's server.
 */
export class PrivatePostgres {
  port = 0;
  private dir = '';

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/taskyard_faults`;
  }

  async init(): Promise<void> {
    this.port = await freePort();
    this.dir = await postgresDir('taskyard-faults-pg-');
    await asPostgres([join(PG_BIN, 'initdb'), '-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await this.start();
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
    await waitFor(() => this.ready(), 30_000, 'private postgres to accept connections');
  }

  /** Fast shutdown (what `pg_ctlcluster ... stop` does): sessions are terminated. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
  }

  ready(): Promise<boolean> {
    return answers(`postgres://postgres@127.0.0.1:${this.port}/postgres`);
  }

  async destroy(): Promise<void> {
    if (!this.dir) return;
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
