import { Channels } from '@taskyard/contracts';
import { Logger, type TaskMetrics } from '@taskyard/observability';
import { InvalidTaskOptionsError } from '../errors';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { Db } from '../state/db';

/** At most `max` starts of a task type per `intervalMs`, across the whole fleet. */
export interface RateLimit {
  max: number;
  intervalMs: number;
}

export type ControlScope = 'queue' | 'type';

/** A row of `task_controls`: what an operator set for a queue or a task type. */
export interface TaskControl {
  scope: ControlScope;
  name: string;
  paused: boolean;
  pausedAt: Date | null;
  /** Replaces the registration's `rateLimit` (types only). */
  rateLimit: RateLimit | null;
  updatedAt: Date;
  updatedBy: string | null;
}

const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
/** Largest interval of a rate limit: a day. */
export const MAX_RATE_INTERVAL_MS = 86_400_000;

/** Validates a rate limit (registration or override); throws {@link InvalidTaskOptionsError}. */
export function checkRateLimit(limit: RateLimit, what: string): void {
  const positiveInt = (n: number, max: number) => Number.isInteger(n) && n > 0 && n <= max;
  if (!positiveInt(limit.max, 1_000_000) || !positiveInt(limit.intervalMs, MAX_RATE_INTERVAL_MS)) {
    throw new InvalidTaskOptionsError(`rate limit of ${what} needs max 1..1000000 and intervalMs 1..${MAX_RATE_INTERVAL_MS}`);
  }
}

/**
 * Pause state and rate-limit overrides of queues and task types. The truth is the
 * `task_controls` table; each process keeps a copy, re-read when any process announces a
 * change on pub/sub and every `refreshMs` as the fallback for a lost message.
 */
export class TaskControlsService {
  private readonly logger = new Logger('task-controls');
  private controls = new Map<string, TaskControl>();
  private readonly listeners = new Set<() => void>();
  private readonly channel: string;
  private timer: NodeJS.Timeout | undefined;
  private loadSeq = 0;
  private appliedSeq = 0;

  constructor(
    private readonly db: Db,
    connections: RedisConnections,
    private readonly metrics?: TaskMetrics,
  ) {
    this.channel = connections.channel(Channels.ControlsChanged);
  }

  /** Loads, then follows changes (pub/sub + periodic re-read). */
  async watch(subscriber: RedisClient, refreshMs = 1_000): Promise<void> {
    await this.load();
    subscriber.on('message', (channel: string) => {
      if (channel === this.channel) void this.load().catch((err: Error) => this.logger.warn('controls reload failed', { error: err.message }));
    });
    await subscriber.subscribe(this.channel);
    this.timer = setInterval(() => void this.load().catch(() => undefined), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    const rows = await this.db.rows(`SELECT scope, name, paused, paused_at, rate_max, rate_interval_ms, updated_at, updated_by FROM task_controls`);
    // Loads overlap (timer + message): an older read finishing last must not win.
    if (seq < this.appliedSeq) return;
    this.appliedSeq = seq;
    const next = new Map<string, TaskControl>();
    for (const r of rows) {
      const control: TaskControl = {
        scope: r.scope as ControlScope,
        name: r.name as string,
        paused: Boolean(r.paused),
        pausedAt: (r.paused_at as Date | null) ?? null,
        rateLimit: r.rate_max === null ? null : { max: Number(r.rate_max), intervalMs: Number(r.rate_interval_ms) },
        updatedAt: r.updated_at as Date,
        updatedBy: (r.updated_by as string | null) ?? null,
      };
      next.set(`${control.scope}:${control.name}`, control);
    }
    const changed = next.size !== this.controls.size || [...next].some(([k, c]) => !sameControl(this.controls.get(k), c));
    this.controls = next;
    if (!changed) return;
    if (this.metrics) {
      this.metrics.paused.reset();
      for (const c of next.values()) this.metrics.paused.set({ scope: c.scope, name: c.name }, c.paused ? 1 : 0);
    }
    for (const listener of this.listeners) listener();
  }

  list(): TaskControl[] {
    return [...this.controls.values()].sort((a, b) => a.scope.localeCompare(b.scope) || a.name.localeCompare(b.name));
  }

  get(scope: ControlScope, name: string): TaskControl | undefined {
    return this.controls.get(`${scope}:${name}`);
  }

  isQueuePaused(queue: string): boolean {
    return this.get('queue', queue)?.paused ?? false;
  }

  /** Whether a job of `type` on `queue` must wait: its queue or its type is paused. */
  isPaused(queue: string, type: string): boolean {
    return this.isQueuePaused(queue) || (this.get('type', type)?.paused ?? false);
  }

  /** The rate limit in effect for a type: the operator's override, else the registration's. */
  rateLimitOf(type: string, registered: RateLimit | undefined): RateLimit | undefined {
    return this.get('type', type)?.rateLimit ?? registered;
  }

  /** Pauses or resumes a queue or task type on every process; returns the stored control. */
  async setPaused(scope: ControlScope, name: string, paused: boolean, by: string | null, redis: RedisClient): Promise<TaskControl> {
    checkName(scope, name);
    await this.db.rows(
      `INSERT INTO task_controls (scope, name, paused, paused_at, updated_by) VALUES ($1, $2, $3, CASE WHEN $3 THEN now() END, $4)
       ON CONFLICT (scope, name) DO UPDATE SET paused = excluded.paused, updated_by = excluded.updated_by, updated_at = now(),
              paused_at = CASE WHEN excluded.paused THEN coalesce(task_controls.paused_at, now()) END`,
      [scope, name, paused, by],
    );
    return this.announce(scope, name, redis);
  }

  /** Sets (or with null clears) the rate-limit override of a task type on every process. */
  async setRateLimit(type: string, limit: RateLimit | null, by: string | null, redis: RedisClient): Promise<TaskControl> {
    checkName('type', type);
    if (limit) checkRateLimit(limit, type);
    await this.db.rows(
      `INSERT INTO task_controls (scope, name, rate_max, rate_interval_ms, updated_by) VALUES ('type', $1, $2, $3, $4)
       ON CONFLICT (scope, name) DO UPDATE SET rate_max = excluded.rate_max, rate_interval_ms = excluded.rate_interval_ms,
              updated_by = excluded.updated_by, updated_at = now()`,
      [type, limit?.max ?? null, limit?.intervalMs ?? null, by],
    );
    return this.announce('type', type, redis);
  }

  private async announce(scope: ControlScope, name: string, redis: RedisClient): Promise<TaskControl> {
    // The periodic re-read covers a publish that fails (Redis down): the row is the truth.
    await redis.publish(this.channel, `${scope}:${name}`).catch(() => 0);
    await this.load();
    const control = this.get(scope, name);
    if (!control) throw new Error(`task control ${scope}:${name} not found after writing it`);
    return control;
  }
}

function checkName(scope: ControlScope, name: string): void {
  if (!NAME_PATTERN.test(name)) throw new InvalidTaskOptionsError(`invalid ${scope === 'queue' ? 'queue' : 'task type'} name: ${JSON.stringify(name)}`);
}

function sameControl(a: TaskControl | undefined, b: TaskControl): boolean {
  return a !== undefined && a.paused === b.paused && a.rateLimit?.max === b.rateLimit?.max && a.rateLimit?.intervalMs === b.rateLimit?.intervalMs;
}
