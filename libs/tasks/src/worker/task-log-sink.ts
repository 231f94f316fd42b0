import type { TaskLogDto, TaskLogLevel } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import type { TaskEventPublisher } from '../events/task-event-bus';
import type { LogLine, TaskLogStore } from '../logs/log-store';
import { withDbRetry } from '../util/db-retry';

export const TRUNCATION_MARKER = '[log truncated: the line limit of this task was reached; later lines were not stored]';

/** What the sink does while the log store is out of reach. */
export interface LogSinkRetry {
  /** How long one store attempt keeps retrying (the worker's database retry budget). */
  budgetMs: number;
  /** Lines kept in memory for a later attempt once an attempt gave up; the rest are dropped. */
  maxBacklog: number;
  /** Counts lines dropped for good (the backlog was full). */
  onDropped: (count: number) => void;
}

/**
 * Collects log lines of every run in this process and stores them in batches in the current
 * log store backend, then publishes them as events. Each task's stored log is capped: the
 * first lines are kept and one truncation marker is added. Lines that cannot be stored within
 * the retry budget (a database outage) are kept, in order, in a bounded backlog and stored
 * with the next batch; only what overflows the backlog is dropped, and counted.
 */
export class TaskLogSink {
  private readonly logger = new Logger('task-log-sink');
  private buffer: LogLine[] = [];
  private backlog: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly counts = new Map<string, number>();
  private readonly creators = new Map<string, string>();

  constructor(
    private readonly store: () => TaskLogStore,
    private readonly events: TaskEventPublisher,
    private readonly maxLines: number,
    private readonly maxLineLength: number,
    private readonly retry: LogSinkRetry,
    private readonly windowMs = 100,
  ) {}

  /** Starts counting a first run's lines. */
  begin(taskId: string): void {
    this.counts.set(taskId, 0);
  }

  /** Starts counting a later attempt's lines from what is already stored (retries append). */
  async resume(taskId: string): Promise<void> {
    this.counts.set(taskId, await this.store().count(taskId).catch(() => 0));
  }

  end(taskId: string): void {
    this.counts.delete(taskId);
  }

  write(taskId: string, creatorId: string, level: TaskLogLevel, message: string): void {
    const count = this.counts.get(taskId) ?? 0;
    if (count > this.maxLines) return;
    this.counts.set(taskId, count + 1);
    const text = count === this.maxLines ? TRUNCATION_MARKER : message.length > this.maxLineLength ? `${message.slice(0, this.maxLineLength)}…` : message;
    this.buffer.push({ taskId, level: count === this.maxLines ? 'warn' : level, message: text, at: new Date() });
    this.creators.set(taskId, creatorId);
    if (this.buffer.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
  }

  /** Stores everything buffered so far (called before a run records its outcome). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffer;
    if (lines.length === 0 && this.backlog.length === 0) return this.flushing; // nothing new: wait for what is in flight
    this.buffer = [];
    const previous = this.flushing;
    this.flushing = previous.then(() => this.store_(lines));
    return this.flushing;
  }

  /** Lines waiting for the store to come back. */
  get backlogSize(): number {
    return this.backlog.length;
  }

  private async store_(fresh: LogLine[]): Promise<void> {
    // Older lines first: stores are chained, so the backlog taken here precedes these lines.
    const lines = this.backlog.length > 0 ? [...this.backlog, ...fresh] : fresh;
    this.backlog = [];
    if (lines.length === 0) return;
    let stored: TaskLogDto[];
    try {
      stored = await withDbRetry(() => this.store().append(lines), this.retry.budgetMs);
    } catch (err) {
      const kept = lines.slice(0, this.retry.maxBacklog);
      this.backlog = kept;
      const dropped = lines.length - kept.length;
      if (dropped > 0) {
        this.retry.onDropped(dropped);
        this.logger.error('task log lines lost: the backlog is full', { count: dropped, error: (err as Error).message });
      }
      this.logger.warn('task log lines not stored yet; kept for the next attempt', { count: kept.length, error: (err as Error).message });
      this.timer ??= setTimeout(() => void this.flush(), RETRY_AFTER_MS);
      return;
    }
    for (const log of stored) this.events.publish({ type: 'log', task_id: log.task_id, creator_id: this.creators.get(log.task_id) ?? '', log });
    for (const l of lines) if (!this.counts.has(l.taskId)) this.creators.delete(l.taskId);
  }
}

/** Pause before storing a backlog again when no new line comes to carry it. */
const RETRY_AFTER_MS = 1_000;
