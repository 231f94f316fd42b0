import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { TooManyAttemptsError } from './auth.errors';

/**
 * Counts failed logins per client IP and username in Redis (shared by every API replica).
 * After `maxFailures` within the window, attempts are refused with 429 until it expires.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  private key(ip: string, username: string): string {
    const id = createHash('sha256').update(`${ip}\0${username.toLowerCase()}`).digest('base64url');
    return `${this.keyPrefix}:login-failures:${id}`;
  }

  async check(ip: string, username: string): Promise<void> {
    const key = this.key(ip, username);
    const failures = Number((await this.redis.get(key)) ?? 0);
    if (failures >= this.maxFailures) throw new TooManyAttemptsError(Math.max(1, await this.redis.ttl(key)));
  }

  async failed(ip: string, username: string): Promise<void> {
    const key = this.key(ip, username);
    await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec();
  }

  async succeeded(ip: string, username: string): Promise<void> {
    await this.redis.del(this.key(ip, username));
  }
}
