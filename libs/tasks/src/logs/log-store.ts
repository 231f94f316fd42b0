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
  limit: number;
}

/** Where task log lines are stored. Backends are chosen by the `task_log_storage_backend` setting. */
export interface TaskLogStore {
  /** Stores lines (one batch may hold many tasks); returns the stored lines with their ids. */
  append(lines: LogLine[]): Promise<TaskLogDto[]>;
  read(taskId: string, options: LogReadOptions): Promise<TaskLogDto[]>;
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

  async read(taskId: string, { after, limit }: LogReadOptions): Promise<TaskLogDto[]> {
    const rows = await this.db.rows(
      `SELECT id, task_id, level, message, created_at FROM task_logs
        WHERE task_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [taskId, after && /^\d+$/.test(after) ? after : '0', limit],
    );
    return rows.map(toDto);
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

  async read(taskId: string, { after, limit }: LogReadOptions): Promise<TaskLogDto[]> {
    const start = after && /^\d+-\d+$/.test(after) ? `(${after}` : '-';
    const entries = await this.redis.xrange(this.key(taskId), start, '+', 'COUNT', limit);
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

/** Process-wide backend registry written by `registerLogStoreBackend`. */
export const defaultLogStoreRegistry = new LogStoreRegistry();

/** Registers a log store backend that the `task_log_storage_backend` setting can select. */
export function registerLogStoreBackend(id: string, factory: LogStoreFactory, name = id): void {
  defaultLogStoreRegistry.register(id, name, factory);
}
