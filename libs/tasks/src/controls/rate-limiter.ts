import { randomBytes } from 'node:crypto';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { RateLimit } from './task-controls.service';

/*
 * A sliding log per task type: a sorted set of the start times (Redis TIME, one clock for the
 * whole fleet) within the interval. A start is granted while fewer than `max` are logged;
 * otherwise the answer is how long until the oldest leaves the window.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], interval)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + interval - now)
`;

/** Fleet-wide start limits per task type, one Redis round trip per start of a limited type. */
export class RateLimiter {
  private readonly salt = randomBytes(4).toString('hex');
  private seq = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
  ) {}

  /** Takes a start of `type`: 0 when granted, else the milliseconds until one is free. */
  async take(type: string, limit: RateLimit): Promise<number> {
    const member = `${this.salt}:${++this.seq}`;
    const wait = await this.redis.eval(TAKE, 1, this.connections.key('rate', type), limit.max, limit.intervalMs, member);
    return Number(wait);
  }
}
