import IORedis, { type Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'commands' | 'subscriber' | 'worker' | 'queue';

/**
 * Creates the Redis connections of a process from one URL. Workers and subscribers retry
 * forever (`maxRetriesPerRequest: null`, as BullMQ requires for blocking connections); the
 * API's command and queue connections fail fast while Redis is down so requests get a 503
 * instead of hanging.
 */
export class RedisConnections {
  private readonly created: Redis[] = [];

  constructor(
    readonly url: string,
    /** Key prefix shared by BullMQ keys and pub/sub channels. */
    readonly prefix: string,
    private readonly failFast: boolean,
  ) {}

  options(role: RedisRole): RedisOptions {
    const blocking = role === 'worker' || role === 'subscriber';
    return {
      maxRetriesPerRequest: blocking || !this.failFast ? null : 1,
      enableOfflineQueue: blocking || !this.failFast,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
      lazyConnect: false,
    };
  }

  create(role: RedisRole): Redis {
    const conn = new IORedis(this.url, this.options(role));
    // Errors are surfaced by the calls that fail; an unhandled 'error' event would crash the process.
    conn.on('error', () => undefined);
    this.created.push(conn);
    return conn;
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
