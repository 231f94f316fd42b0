import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { TooManyAttemptsError } from './auth.errors';

/** One counter of failed logins: at most `maxFailures` within a fixed window of `windowSeconds`. */
export interface LoginLimit {
  maxFailures: number;
  windowSeconds: number;
}

/** The three limits a login attempt must pass (see {@link LoginThrottle}). */
export interface LoginLimits {
  /** Per client address and username. */
  pair: LoginLimit;
  /** Per username, across every address (password guessing spread over a botnet). */
  account: LoginLimit;
  /** Per client address, across every username (password spraying). */
  address: LoginLimit;
  /** How long an address stays known for a user after a successful login from it. */
  knownAddressSeconds: number;
}

// Checks every limit and, when none is reached, counts the attempt as a failure right away, in
// one atomic step: concurrent attempts (several replicas, a burst of parallel requests) each see
// the ones before them, so none slips past a limit while its password is still being hashed.
// A known address (KEYS[4] exists) is held to its pair limit only.
// Returns 0 when the attempt may go on, else the milliseconds until the longest block ends.
const RESERVE = `
local known = redis.call('EXISTS', KEYS[4]) == 1
local wait = 0
for i = 1, 3 do
  if i == 1 or not known then
    local n = tonumber(redis.call('GET', KEYS[i]) or '0')
    if n >= tonumber(ARGV[i * 2 - 1]) then
      local ttl = redis.call('PTTL', KEYS[i])
      if ttl < 0 then ttl = 1000 end
      if ttl > wait then wait = ttl end
    end
  end
end
if wait > 0 then return wait end
for i = 1, 3 do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i * 2]) * 1000, 'NX')
end
return 0`;

// A successful attempt takes its own reservation back, clears the pair's failures and marks
// the address as known for the user.
const SUCCEED = `
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[4], '1', 'EX', tonumber(ARGV[1])) end
return 1`;

/**
 * Login throttling shared by every API replica (counters in Redis, fixed windows):
 *
 * - per address and username (`pair`): the classic limit;
 * - per username across addresses (`account`) and per address across usernames (`address`):
 *   guessing spread over many addresses, or one address trying many accounts.
 *
 * An attacker must not be able to lock a user out: the account and address limits use short
 * windows that a blocked attempt does not extend, and they do not apply to an address the user
 * logged in from successfully within `knownAddressSeconds` (OWASP's "device cookie" idea, keyed
 * on the address). A blocked attempt is refused before any password is hashed. Every attempt is
 * counted when it starts and taken back if it succeeds. If Redis is unreachable the calls fail
 * and the login is refused with 503 (closed, not open).
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keyPrefix: string,
    private readonly limits: LoginLimits,
  ) {}

  private keys(ip: string, username: string): string[] {
    const id = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('base64url');
    const name = username.toLowerCase();
    const key = (kind: string, hash: string) => `${this.keyPrefix}:login:${kind}:${hash}`;
    return [key('pair', id(ip, name)), key('account', id(name)), key('address', id(ip)), key('known', id(ip, name))];
  }

  /** Counts an attempt as a failure until {@link succeeded}; throws 429 when a limit is reached. */
  async begin(ip: string, username: string): Promise<void> {
    const { pair, account, address } = this.limits;
    const args = [pair, account, address].flatMap((l) => [l.maxFailures, l.windowSeconds]);
    const waitMs = Number(await this.redis.eval(RESERVE, 4, ...this.keys(ip, username), ...args));
    if (waitMs > 0) throw new TooManyAttemptsError(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  async succeeded(ip: string, username: string): Promise<void> {
    await this.redis.eval(SUCCEED, 4, ...this.keys(ip, username), this.limits.knownAddressSeconds);
  }
}
