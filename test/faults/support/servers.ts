import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
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

  /** With a password, the suite can check that no log line (connection errors included) shows it. */
  constructor(readonly password = '') {}

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction', ...(this.password ? ['--requirepass', this.password] : [])], {
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

  private async asPostgres(args: string[]): Promise<void> {
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', ...args], { timeout: 60_000 });
    else await run(args[0], args.slice(1), { timeout: 60_000 });
  }

  async init(): Promise<void> {
    this.port = await freePort();
    this.dir = mkdtempSync(join(tmpdir(), 'taskyard-faults-pg-'));
    chmodSync(this.dir, 0o700);
    if (typeof process.getuid === 'function' && process.getuid() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await this.asPostgres([join(PG_BIN, 'initdb'), '-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await this.start();
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await this.asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
    await waitFor(() => this.ready(), 30_000, 'private postgres to accept connections');
  }

  /** Fast shutdown (what `pg_ctlcluster ... stop` does): sessions are terminated. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.asPostgres([join(PG_BIN, 'pg_ctl'), '-D', join(this.dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async ready(): Promise<boolean> {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres`, connectionTimeoutMillis: 1_000 });
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

  async destroy(): Promise<void> {
    if (!this.dir) return;
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
