import type { TaskLogDto, TaskLogLevel } from '@taskyard/contracts';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { Db } from '../state/db';

export interface LogLine {
  taskId: string;
  level: TaskLogLevel;
  message: string;
  at: Date;
}

export interface LogReadOptions {
  /** Only lines after this log id (tailing). */
  after?: string;
  /**
   * Only lines written after this instant (at it too when `inclusive`): how a tail continues
   * in a backend other than the one that holds the `after` line.
   */
  since?: { at: Date; inclusive: boolean };
  limit: number;
}

/** Where task log lines are stored. Backends are chosen by the `task_log_storage_backend` setting. */
export interface TaskLogStore {
  /** Stores lines (one batch may hold many tasks); returns the stored lines with their ids. */
  append(lines: LogLine[]): Promise<TaskLogDto[]>;
  read(taskId: string, options: LogReadOptions): Promise<TaskLogDto[]>;
  /**
   * When `id` is a line id of this backend (its format), the time of that line, or of the
   * last line before it when it is gone; null for another backend's id. Lets a task's log be
   * read across backends (see {@link TaskLogReader}); a backend without it is read in full
   * beside the others' tail.
   */
  timeOf?(taskId: string, id: string): Promise<Date | null>;
  count(taskId: string): Promise<number>;
  /** Removes lines older than `before` (the log clean-up job); returns how many. */
  deleteOlderThan(before: Date): Promise<number>;
  deleteForTasks(taskIds: string[]): Promise<void>;
}

export interface LogStoreDeps {
  db: Db;
  redis: RedisClient;
  connections: RedisConnections;
  /** Retention of stored lines in days (Redis keys get it as TTL). */
  retentionDays: () => number;
}

export type LogStoreFactory = (deps: LogStoreDeps) => TaskLogStore;

const DB_LOG_ID = /^\d+$/;
const STREAM_LOG_ID = /^\d+-\d+$/;

/** PostgreSQL backend: one multi-row insert per batch; `id` is a bigserial that orders lines. */
export class DatabaseLogStore implements TaskLogStore {
  constructor(private readonly db: Db) {}

  async append(lines: LogLine[]): Promise<TaskLogDto[]> {
    if (lines.length === 0) return [];
    const rows = await this.db.rows(
      `INSERT INTO task_logs (task_id, level, message, created_at)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[], $4::timestamptz[])
       RETURNING id, task_id, level, message, created_at`,
      [lines.map((l) => l.taskId), lines.map((l) => l.level), lines.map((l) => l.message), lines.map((l) => l.at)],
    );
    return rows.map(toDto);
  }

  async read(taskId: string, { after, since, limit }: LogReadOptions): Promise<TaskLogDto[]> {
    const rows = await this.db.rows(
      `SELECT id, task_id, level, message, created_at FROM task_logs
        WHERE task_id = $1 AND id > $2 AND ($4::timestamptz IS NULL OR created_at > $4 OR ($5 AND created_at = $4))
        ORDER BY id LIMIT $3`,
      [taskId, after && DB_LOG_ID.test(after) ? after : '0', limit, since?.at ?? null, since?.inclusive ?? false],
    );
    return rows.map(toDto);
  }

  async timeOf(taskId: string, id: string): Promise<Date | null> {
    if (!DB_LOG_ID.test(id)) return null;
    const [row] = await this.db.rows<{ created_at: Date }>(
      `SELECT created_at FROM task_logs WHERE task_id = $1 AND id <= $2 ORDER BY id DESC LIMIT 1`,
      [taskId, id],
    );
    return row?.created_at ?? new Date(0);
  }

  async count(taskId: string): Promise<number> {
    const [row] = await this.db.rows<{ n: string }>(`SELECT count(*) AS n FROM task_logs WHERE task_id = $1`, [taskId]);
    return Number(row.n);
  }

  async deleteOlderThan(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      // Bounded batches keep each transaction short on a big table.
      const rows = await this.db.rows(
        `DELETE FROM task_logs WHERE id IN (SELECT id FROM task_logs WHERE created_at < $1 LIMIT 5000) RETURNING 1`,
        [before],
      );
      total += rows.length;
      if (rows.length < 5000) return total;
    }
  }

  async deleteForTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length > 0) await this.db.rows(`DELETE FROM task_logs WHERE task_id = ANY($1::uuid[])`, [taskIds]);
  }
}

function toDto(r: Record<string, unknown>): TaskLogDto {
  return {
    id: String(r.id),
    task_id: r.task_id as string,
    level: r.level as TaskLogLevel,
    message: r.message as string,
    created_at: (r.created_at as Date).toISOString(),
  };
}

/** How far before `since` a stream is read from (a line's own time vs. the XADD time). */
const SINCE_SLACK_MS = 60_000;

/**
 * Redis Streams backend: one stream per task (`XADD`), read with `XRANGE`, expiring after the
 * retention period. Keeps log traffic off PostgreSQL for chatty runners.
 */
export class RedisStreamLogStore implements TaskLogStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
    private readonly retentionDays: () => number,
  ) {}

  private key(taskId: string): string {
    return this.connections.key('logs', taskId);
  }

  async append(lines: LogLine[]): Promise<TaskLogDto[]> {
    if (lines.length === 0) return [];
    const ttl = Math.max(1, this.retentionDays()) * 86_400;
    const pipeline = this.redis.pipeline();
    for (const l of lines) {
      pipeline.xadd(this.key(l.taskId), '*', 'l', l.level, 'm', l.message, 't', String(l.at.getTime()));
    }
    for (const taskId of new Set(lines.map((l) => l.taskId))) pipeline.expire(this.key(taskId), ttl);
    const results = (await pipeline.exec()) ?? [];
    return lines.map((l, i) => {
      const [err, id] = results[i];
      if (err) throw err;
      return { id: String(id), task_id: l.taskId, level: l.level, message: l.message, created_at: l.at.toISOString() };
    });
  }

  async read(taskId: string, { after, since, limit }: LogReadOptions): Promise<TaskLogDto[]> {
    const start = after && STREAM_LOG_ID.test(after) ? `(${after}` : '-';
    if (!since || start !== '-') return this.toDtos(taskId, await this.redis.xrange(this.key(taskId), start, '+', 'COUNT', limit));
    // Stream ids start with the time of the XADD, which follows the line's own time: reading
    // from a minute before `since` and filtering by the line's time catches every line.
    const t = since.at.getTime();
    const found: TaskLogDto[] = [];
    let from = `${Math.max(0, t - SINCE_SLACK_MS)}-0`;
    while (found.length < limit) {
      const entries = await this.redis.xrange(this.key(taskId), from, '+', 'COUNT', limit);
      for (const line of this.toDtos(taskId, entries)) {
        const at = Date.parse(line.created_at);
        if (at > t || (since.inclusive && at === t)) found.push(line);
      }
      if (entries.length < limit) break;
      from = `(${entries[entries.length - 1][0]}`;
    }
    return found.slice(0, limit);
  }

  async timeOf(taskId: string, id: string): Promise<Date | null> {
    if (!STREAM_LOG_ID.test(id)) return null;
    const [line] = this.toDtos(taskId, await this.redis.xrevrange(this.key(taskId), id, '-', 'COUNT', 1));
    return line ? new Date(line.created_at) : new Date(0);
  }

  private toDtos(taskId: string, entries: [string, string[]][]): TaskLogDto[] {
    return entries.map(([id, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
      return {
        id,
        task_id: taskId,
        level: (f.get('l') ?? 'info') as TaskLogLevel,
        message: f.get('m') ?? '',
        created_at: new Date(Number(f.get('t') ?? id.split('-')[0])).toISOString(),
      };
    });
  }

  async count(taskId: string): Promise<number> {
    return this.redis.xlen(this.key(taskId));
  }

  async deleteOlderThan(before: Date): Promise<number> {
    // Streams expire by TTL; trim what is older than the cut-off in streams still alive.
    let trimmed = 0;
    for (const node of this.connections.masters(this.redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', this.connections.key('logs', '*'), 'COUNT', 500);
        cursor = next;
        for (const key of keys) trimmed += await this.redis.xtrim(key, 'MINID', `${before.getTime()}-0`);
      } while (cursor !== '0');
    }
    return trimmed;
  }

  async deleteForTasks(taskIds: string[]): Promise<void> {
    if (taskIds.length > 0) await this.redis.del(...taskIds.map((id) => this.key(id)));
  }
}

/** Log store backends by name; `database` and `redis` ship built in. */
export class LogStoreRegistry {
  private readonly factories = new Map<string, { name: string; factory: LogStoreFactory }>();

  constructor() {
    this.register('database', 'PostgreSQL', (d) => new DatabaseLogStore(d.db));
    this.register('redis', 'Redis Streams', (d) => new RedisStreamLogStore(d.redis, d.connections, d.retentionDays));
  }

  register(id: string, name: string, factory: LogStoreFactory): void {
    if (this.factories.has(id)) throw new Error(`log store backend already registered: ${id}`);
    this.factories.set(id, { name, factory });
  }

  has(id: string): boolean {
    return this.factories.has(id);
  }

  list(): { id: string; name: string }[] {
    return [...this.factories].map(([id, { name }]) => ({ id, name }));
  }

  create(id: string, deps: LogStoreDeps): TaskLogStore {
    const entry = this.factories.get(id);
    if (!entry) throw new Error(`unknown log store backend: ${id}`);
    return entry.factory(deps);
  }
}

/** One instance per registered backend, created on first use. */
export class LogStoreSet {
  private readonly cache = new Map<string, TaskLogStore>();

  constructor(
    private readonly registry: LogStoreRegistry,
    private readonly deps: LogStoreDeps,
  ) {}

  /** The backend with this id (`database` for an unknown one). */
  get(id: string): TaskLogStore {
    const key = this.registry.has(id) ? id : 'database';
    let store = this.cache.get(key);
    if (!store) {
      store = this.registry.create(key, this.deps);
      this.cache.set(key, store);
    }
    return store;
  }

  /** Every registered backend, in registration order. */
  all(): TaskLogStore[] {
    return this.registry.list().map(({ id }) => this.get(id));
  }
}

/**
 * Reads a task's log from every backend, merged by time: switching
 * `task_log_storage_backend` (and back) leaves the lines written before readable, also while
 * a task writes across the switch. `after` continues a tail wherever its line is stored.
 */
export class TaskLogReader {
  constructor(private readonly stores: () => TaskLogStore[]) {}

  async read(taskId: string, { after, limit }: { after?: string; limit: number }): Promise<TaskLogDto[]> {
    const stores = this.stores();
    let owner = -1;
    let at = new Date(0);
    if (after) {
      const times = await Promise.all(stores.map((s) => (s.timeOf ? s.timeOf(taskId, after) : Promise.resolve(null))));
      owner = times.findIndex((t) => t !== null);
      if (owner >= 0) at = times[owner] ?? at;
    }
    // Lines at the same instant are ordered by backend, so a later backend's line at the
    // cursor's time comes after it and an earlier one's before it.
    const parts = await Promise.all(
      stores.map((s, i) =>
        owner < 0 ? s.read(taskId, { limit }) : s.read(taskId, i === owner ? { after, limit } : { since: { at, inclusive: i > owner }, limit }),
      ),
    );
    return mergeByTime(parts, limit);
  }
}

/** Merges lists that are each in their own order by time, earlier list first on a tie. */
function mergeByTime(lists: TaskLogDto[][], limit: number): TaskLogDto[] {
  const heads = lists.map(() => 0);
  const merged: TaskLogDto[] = [];
  while (merged.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      if (heads[i] >= lists[i].length) continue;
      if (best < 0 || Date.parse(lists[i][heads[i]].created_at) < Date.parse(lists[best][heads[best]].created_at)) best = i;
    }
    if (best < 0) break;
    merged.push(lists[best][heads[best]++]);
  }
  return merged;
}

/** Process-wide backend registry written by `registerLogStoreBackend`. */
export const defaultLogStoreRegistry = new LogStoreRegistry();

/** Registers a log store backend that the `task_log_storage_backend` setting can select. */
export function registerLogStoreBackend(id: string, factory: LogStoreFactory, name = id): void {
  defaultLogStoreRegistry.register(id, name, factory);
}
