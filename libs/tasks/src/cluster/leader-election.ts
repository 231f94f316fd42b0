import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../queue/redis-connections';
import { Logger } from '@taskyard/observability';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaderElectionOptions {
  key: string;
  ttlMs: number;
  /** How often to try to acquire or renew (default ttl / 3). */
  renewMs?: number;
}

/**
 * Leader election through one Redis key: `SET NX PX` to acquire, a compare-and-pexpire
 * script to renew, compare-and-delete to resign. A leader that cannot renew before its TTL
 * runs out steps down on its own (it stops its duties before another replica can take
 * over). Each term gets a fencing number from an INCR, for duties that want one.
 */
export class LeaderElection {
  readonly candidateId = randomBytes(8).toString('hex');
  private readonly logger = new Logger('leader-election', { candidate: this.candidateId });
  private timer: NodeJS.Timeout | undefined;
  private leaderUntil = 0;
  private leading = false;
  term = 0;
  private readonly listeners = new Set<(leading: boolean) => void>();

  constructor(
    private readonly redis: RedisClient,
    private readonly options: LeaderElectionOptions,
  ) {}

  get isLeader(): boolean {
    return this.leading && Date.now() < this.leaderUntil;
  }

  onChange(listener: (leading: boolean) => void): void {
    this.listeners.add(listener);
  }

  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.renewMs ?? Math.floor(this.options.ttlMs / 3));
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      if (this.leading) {
        const renewed = await this.redis.eval(RENEW, 1, this.options.key, this.candidateId, String(this.options.ttlMs));
        if (renewed === 1) this.leaderUntil = started + this.options.ttlMs;
        else this.set(false);
      } else {
        const ok = await this.redis.set(this.options.key, this.candidateId, 'PX', this.options.ttlMs, 'NX');
        if (ok === 'OK') {
          this.leaderUntil = started + this.options.ttlMs;
          this.term = await this.redis.incr(`${this.options.key}:term`);
          this.set(true);
        }
      }
    } catch (err) {
      this.logger.warn('leader election round failed', { error: (err as Error).message });
    }
    // Could not renew in time (Redis unreachable): step down before the key can expire elsewhere.
    if (this.leading && Date.now() >= this.leaderUntil - Math.floor(this.options.ttlMs / 5)) this.set(false);
  }

  private set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.logger.info(leading ? 'became leader' : 'lost leadership', { term: this.term });
    for (const l of this.listeners) l(leading);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.leading) {
      this.set(false);
      await this.redis.eval(RELEASE, 1, this.options.key, this.candidateId).catch(() => 0);
    }
  }
}
