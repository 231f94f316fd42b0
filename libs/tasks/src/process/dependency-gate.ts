import IORedis from 'ioredis';
import { Client } from 'pg';
import type { RedisTarget } from '@taskyard/config';
import type { Logger } from '@taskyard/observability';

/** One dependency a process needs before it can boot, and how to tell it is reachable. */
export interface DependencyProbe {
  /** Key in `/health/ready`'s `checks` (`postgres`, `redis`). */
  name: string;
  /** How logs name it (`PostgreSQL`, `Redis`). */
  label: string;
  /** `host:port` (never the credentials of the URL). */
  address: string;
  /** Resolves when reachable; rejects with the reason otherwise. */
  probe(): Promise<void>;
}

function addressOf(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || defaultPort}`;
}

/** PINGs one Redis server; rejects with the connection's own error (e.g. `connect ECONNREFUSED ...`). */
async function pingRedis(redis: IORedis): Promise<void> {
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw lastError ?? err;
  } finally {
    redis.disconnect();
  }
}

/**
 * Probes of PostgreSQL (a connection and `SELECT 1` on the configured database) and Redis
 * (`PING` to the server, or to any seed node of a cluster).
 */
export function dependencyProbes(config: { DATABASE_URL: string; redis: RedisTarget }): DependencyProbe[] {
  const redis = config.redis;
  const probeOptions = { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false } as const;
  return [
    {
      name: 'postgres',
      label: 'PostgreSQL',
      address: addressOf(config.DATABASE_URL, 5432),
      async probe() {
        const client = new Client({ connectionString: config.DATABASE_URL, connectionTimeoutMillis: 2_000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.query('SELECT 1');
        } catch (err) {
          if ((err as { code?: string }).code === '3D000') throw new Error(`${(err as Error).message}: run \`npm run db:migrate\``);
          throw err;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    },
    {
      name: 'redis',
      label: 'Redis',
      address: redis.mode === 'standalone' ? addressOf(redis.url, 6379) : redis.nodes.map((n) => `${n.host}:${n.port}`).join(','),
      async probe() {
        if (redis.mode === 'standalone') return pingRedis(new IORedis(redis.url, probeOptions));
        const attempts = redis.nodes.map((n) =>
          pingRedis(new IORedis({ ...probeOptions, host: n.host, port: n.port, username: redis.username, password: redis.password, tls: redis.tls ? {} : undefined })),
        );
        await Promise.any(attempts).catch((err: AggregateError) => {
          throw err.errors[0] instanceof Error ? err.errors[0] : new Error('no cluster node answered');
        });
      },
    },
  ];
}

const PROBE_EVERY_MS = 1_000;
const REMIND_EVERY_MS = 30_000;

/**
 * Holds a process's boot until its dependencies answer, so it can listen for health checks at
 * once instead of hanging silently: `checks` says which are reachable (for `/health/ready`), a
 * missing one is logged as "waiting for Redis at 127.0.0.1:6379 (<reason>)" (again every 30 s),
 * and {@link waitAll} resolves by itself once all of them answer.
 */
export class DependencyGate {
  readonly checks: Record<string, boolean>;
  private readonly reasons = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly probes: DependencyProbe[],
    private readonly logger: Logger,
  ) {
    this.checks = Object.fromEntries(probes.map((p) => [p.name, false]));
  }

  /** What the process waits for, as a sentence (empty when nothing). */
  waitingFor(): string {
    return this.probes.filter((p) => !this.checks[p.name]).map((p) => `${p.label} at ${p.address}`).join(' and ');
  }

  /** Names of the dependencies not reachable yet. */
  missing(): string[] {
    return this.probes.filter((p) => !this.checks[p.name]).map((p) => p.name);
  }

  stop(): void {
    this.stopped = true;
  }

  async waitAll(): Promise<void> {
    const lastReminder = new Map<string, number>();
    while (!this.stopped) {
      await Promise.all(
        this.probes.map(async (p) => {
          try {
            await p.probe();
            if (!this.checks[p.name] && lastReminder.has(p.name)) this.logger.info(`${p.label} is reachable at ${p.address}`);
            this.checks[p.name] = true;
            lastReminder.delete(p.name);
          } catch (err) {
            this.checks[p.name] = false;
            const reason = err instanceof Error ? err.message || err.name : String(err);
            const last = lastReminder.get(p.name);
            if (last === undefined || Date.now() - last >= REMIND_EVERY_MS || this.reasons.get(p.name) !== reason) {
              this.logger.warn(`waiting for ${p.label} at ${p.address}`, { dependency: p.name, reason });
              lastReminder.set(p.name, Date.now());
            }
            this.reasons.set(p.name, reason);
          }
        }),
      );
      if (this.missing().length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  }
}
