import { hostname } from 'node:os';
import type { FleetMemberDto } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';

/** What a member says about itself on each heartbeat (identity and times are added). */
export type FleetMemberState = Omit<FleetMemberDto, 'host' | 'pid' | 'started_at' | 'heartbeat_at'>;

/**
 * The live fleet in Redis: each process writes its entry under a key that expires after
 * `leaseMs` and refreshes it every `intervalMs`; a sorted set indexes the ids so reading the
 * fleet needs no key scan. A process that dies (SIGKILL, lost host) drops out when its key
 * expires; one that stops cleanly removes itself.
 */
export class Fleet {
  private readonly logger = new Logger('fleet');
  private readonly index: string;
  private timer: NodeJS.Timeout | undefined;
  private memberId: string | undefined;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
    readonly leaseMs: number,
    private readonly intervalMs: number,
  ) {
    this.index = connections.key('fleet');
  }

  /** Announces this process now and on every interval until {@link leave}. */
  async join(describe: () => FleetMemberState): Promise<void> {
    this.memberId = describe().id;
    const beat = async () => {
      const member: FleetMemberDto = { ...describe(), host: hostname(), pid: process.pid, started_at: this.startedAt, heartbeat_at: new Date().toISOString() };
      await this.redis
        .multi()
        .set(this.memberKey(member.id), JSON.stringify(member), 'PX', this.leaseMs)
        .zadd(this.index, Date.now() + this.leaseMs, member.id)
        .exec();
    };
    await beat().catch((err: Error) => this.logger.warn('fleet heartbeat failed', { error: err.message }));
    this.timer = setInterval(() => void beat().catch((err: Error) => this.logger.warn('fleet heartbeat failed', { error: err.message })), this.intervalMs);
    this.timer.unref();
  }

  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.memberId) return;
    await this.redis.multi().del(this.memberKey(this.memberId)).zrem(this.index, this.memberId).exec().catch(() => undefined);
  }

  /** Every member whose lease has not expired, by host and pid. */
  async members(): Promise<FleetMemberDto[]> {
    // Index entries of expired members are dropped a lease late, so clock skew between hosts
    // never hides a live member; the member key's own expiry is what decides.
    await this.redis.zremrangebyscore(this.index, '-inf', Date.now() - this.leaseMs);
    const ids = await this.redis.zrange(this.index, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.memberKey(id)));
    return values
      .filter((v): v is string => v !== null)
      .map((v) => JSON.parse(v) as FleetMemberDto)
      .sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid);
  }

  private memberKey(id: string): string {
    return this.connections.key('fleet', 'member', id);
  }
}
