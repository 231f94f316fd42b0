import IORedis, { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';
import { resolveRedisTarget, type RedisTarget } from '@taskyard/config';

export type RedisRole = 'commands' | 'subscriber' | 'worker' | 'queue';

/** A connection to one Redis server or to a Redis Cluster; both speak the same commands. */
export type RedisClient = Redis | Cluster;

/**
 * Creates the Redis connections of a process from one target: a server URL, or a Redis Cluster
 * (`redis+cluster://host:port,...`, or a {@link RedisTarget} from the config). Workers and
 * subscribers retry forever (`maxRetriesPerRequest: null`, as BullMQ requires for blocking
 * connections); the API's command and queue connections fail fast while Redis is down so
 * requests get a 503 instead of hanging.
 */
export class RedisConnections {
  private readonly created: RedisClient[] = [];
  readonly target: RedisTarget;

  constructor(
    target: RedisTarget | string,
    /** Key prefix shared by BullMQ keys and pub/sub channels (hash-tagged on a cluster). */
    readonly prefix: string,
    private readonly failFast: boolean,
  ) {
    const resolved = typeof target === 'string' ? resolveRedisTarget(target) : target;
    if (!resolved) throw new Error('not a Redis URL');
    this.target = resolved;
  }

  get cluster(): boolean {
    return this.target.mode === 'cluster';
  }

  options(role: RedisRole): RedisOptions {
    const patient = blocking(role) || !this.failFast;
    return {
      maxRetriesPerRequest: patient ? null : 1,
      enableOfflineQueue: patient,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      lazyConnect: false,
    };
  }

  private clusterOptions(role: RedisRole): ClusterOptions {
    const { maxRetriesPerRequest, enableOfflineQueue, connectTimeout, retryStrategy } = this.options(role);
    const target = this.target.mode === 'cluster' ? this.target : undefined;
    return {
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy,
      // A master that is down (no replica to promote) leaves its slots uncovered: keep retrying
      // the commands of those slots instead of failing them after a few redirections.
      retryDelayOnClusterDown: 300,
      retryDelayOnFailover: 200,
      maxRedirections: blocking(role) || !this.failFast ? 1_000 : 16,
      slotsRefreshTimeout: 2_000,
      slotsRefreshInterval: 5_000,
      redisOptions: {
        maxRetriesPerRequest,
        connectTimeout,
        username: target?.username,
        password: target?.password,
        ...(target?.tls ? { tls: {} } : {}),
      },
    };
  }

  create(role: RedisRole): RedisClient {
    const conn: RedisClient = this.target.mode === 'cluster' ? new Cluster(this.target.nodes, this.clusterOptions(role)) : new IORedis(this.target.url, this.options(role));
    // Errors are surfaced by the calls that fail; an unhandled 'error' event would crash the process.
    conn.on('error', () => undefined);
    this.created.push(conn);
    return conn;
  }

  /**
   * The servers holding keys: every master of a cluster (a SCAN reaches one node only), or the
   * one connection itself.
   */
  masters(conn: RedisClient): RedisClient[] {
    return conn instanceof Cluster ? conn.nodes('master') : [conn];
  }

  /**
   * Whether the server holding this prefix's keys answers. On a cluster a PING reaches any node,
   * so a keyed read goes to the master of the prefix's slot instead.
   */
  async reachable(conn: RedisClient): Promise<boolean> {
    if (!(conn instanceof Cluster)) return (await conn.ping()) === 'PONG';
    await conn.exists(this.key('ready'));
    return true;
  }

  channel(name: string): string {
    return `${this.prefix}:ch:${name}`;
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.created.map((c) => c.quit().catch(() => c.disconnect())));
    this.created.length = 0;
  }
}

function blocking(role: RedisRole): boolean {
  return role === 'worker' || role === 'subscriber';
}
