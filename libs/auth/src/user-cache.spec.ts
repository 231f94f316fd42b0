import type { AuthUser } from './auth.types';
import { ActiveUserCache, MAX_USER_CACHE_MS } from './user-cache';

const user = (id: string, permissions: string[] = []): AuthUser => ({
  id, username: id, email: '', full_name: '', status: 'active', roles: [], source: 'local', mfa_enabled: false, mfa_enforced: false,
  disable_change_password: true, password_changed_at: '', created_at: '', updated_at: '', permissions,
});

/** A users table the test edits, counting lookups, and a clock the test moves. */
function setup(ttlMs: number, maxEntries?: number) {
  let now = 0;
  const table = new Map<string, AuthUser>([['a', user('a', ['task:list'])], ['b', user('b')]]);
  const lookups: string[] = [];
  const cache = new ActiveUserCache(async (id) => {
    lookups.push(id);
    return table.get(id) ?? null;
  }, ttlMs, maxEntries, () => now);
  return { cache, table, lookups, advance: (ms: number) => (now += ms) };
}

describe('ActiveUserCache', () => {
  it('serves a burst of requests from one user with one lookup, shared by concurrent misses', async () => {
    const { cache, lookups } = setup(1_000);
    const users = await Promise.all(Array.from({ length: 50 }, () => cache.get('a')));
    expect(users.every((u) => u?.id === 'a')).toBe(true);
    expect(await cache.get('a')).toMatchObject({ id: 'a' });
    expect(lookups).toEqual(['a']);
  });

  it('sees a disabled user or a removed permission once the lifetime has passed, never later', async () => {
    const { cache, table, lookups, advance } = setup(1_000);
    expect(await cache.get('a')).toMatchObject({ permissions: ['task:list'] });
    table.set('a', user('a', []));
    table.delete('b');
    advance(999);
    expect(await cache.get('a')).toMatchObject({ permissions: ['task:list'] });
    advance(1);
    expect(await cache.get('a')).toMatchObject({ permissions: [] });
    expect(lookups).toEqual(['a', 'a']);
    expect(await cache.get('b')).toBeNull();
  });

  it('keeps no unknown or disabled user and no failed lookup', async () => {
    const { cache, table, lookups } = setup(1_000);
    expect(await cache.get('x')).toBeNull();
    table.set('x', user('x'));
    expect(await cache.get('x')).toMatchObject({ id: 'x' });
    const failing = new ActiveUserCache(async () => {
      throw new Error('database down');
    }, 1_000);
    await expect(failing.get('a')).rejects.toThrow('database down');
    await expect(failing.get('a')).rejects.toThrow('database down');
    expect(lookups).toEqual(['x', 'x']);
  });

  it('looks the user up on every request with lifetime 0, and refuses a lifetime above the bound', async () => {
    const { cache, lookups } = setup(0);
    await cache.get('a');
    await cache.get('a');
    expect(lookups).toEqual(['a', 'a']);
    expect(() => new ActiveUserCache(async () => null, MAX_USER_CACHE_MS + 1)).toThrow(RangeError);
  });

  it('stays within its size: expired entries go first, then all', async () => {
    const { cache, table, lookups, advance } = setup(1_000, 2);
    table.set('c', user('c'));
    await cache.get('a');
    advance(1_000);
    await cache.get('b');
    await cache.get('c'); // full: 'a' has expired and goes
    await cache.get('b');
    expect(lookups).toEqual(['a', 'b', 'c']);
    await cache.get('a'); // full of fresh entries: cleared
    await cache.get('b');
    expect(lookups).toEqual(['a', 'b', 'c', 'a', 'b']);
  });
});
