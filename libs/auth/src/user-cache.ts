import type { AuthUser } from './auth.types';

/** Upper bound of {@link ActiveUserCache}'s lifetime: how long a revoked user may still pass. */
export const MAX_USER_CACHE_MS = 2_000;

/**
 * Short-lived, per-process cache of the active users (with roles and permissions) that Bearer
 * tokens stand for, keyed by user id, so a burst of requests from one user costs one lookup
 * instead of one per request. An entry lives `ttlMs` from the moment its lookup started, so a
 * change committed at time T (a user disabled, a role removed, on any replica or straight in
 * SQL) is seen by every request from T + `ttlMs` on: that is the whole staleness bound. Only
 * active users are kept (an unknown or disabled user is looked up again each time); concurrent
 * misses for one user share one lookup. `ttlMs` 0 turns the cache off.
 */
export class ActiveUserCache {
  private readonly entries = new Map<string, { at: number; user: Promise<AuthUser | null> }>();

  constructor(
    private readonly lookup: (id: string) => Promise<AuthUser | null>,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (ttlMs < 0 || ttlMs > MAX_USER_CACHE_MS) throw new RangeError(`user cache lifetime must be 0-${MAX_USER_CACHE_MS} ms`);
  }

  get(id: string): Promise<AuthUser | null> {
    if (this.ttlMs === 0) return this.lookup(id);
    const at = this.now();
    const hit = this.entries.get(id);
    if (hit && at - hit.at < this.ttlMs) return hit.user;
    if (this.entries.size >= this.maxEntries) this.prune(at);
    const user = this.lookup(id);
    const entry = { at, user };
    this.entries.set(id, entry);
    const drop = () => {
      if (this.entries.get(id) === entry) this.entries.delete(id);
    };
    void user.then((found) => found ?? drop(), drop);
    return user;
  }

  /** Drops expired entries, or every entry when all are fresh (a burst of distinct users). */
  private prune(at: number): void {
    for (const [id, entry] of this.entries) if (at - entry.at >= this.ttlMs) this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
  }
}
