import type { TaskLogDto, TaskLogLevel } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import type { TaskEventPublisher } from '../events/task-event-bus';
import type { LogLine, TaskLogStore } from '../logs/log-store';
import { withDbRetry } from '../util/db-retry';

export const TRUNCATION_MARKER = '[log truncated: the line limit of this task was reached; later lines were not stored]';

/**
 * Collects log lines of every run in this process and stores them in batches in the current
 * log store backend, then publishes them as events. Each task's stored log is capped: the
 * first lines are kept and one truncation marker is added.
 */
export class TaskLogSink {
  private readonly logger = new Logger('task-log-sink');
  private buffer: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly counts = new Map<string, number>();
  private readonly creators = new Map<string, string>();

  constructor(
    private readonly store: () => TaskLogStore,
    private readonly events: TaskEventPublisher,
    private readonly maxLines: number,
    private readonly maxLineLength: number,
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
    if (lines.length === 0) return this.flushing; // nothing new: wait for what is in flight
    this.buffer = [];
    const previous = this.flushing;
    this.flushing = previous.then(() => this.store_(lines));
    return this.flushing;
  }

  private async store_(lines: LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    let stored: TaskLogDto[];
    try {
      stored = await withDbRetry(() => this.store().append(lines), 10_000);
    } catch (err) {
      this.logger.error('task log lines lost', { count: lines.length, error: (err as Error).message });
      return;
    }
    for (const log of stored) this.events.publish({ type: 'log', task_id: log.task_id, creator_id: this.creators.get(log.task_id) ?? '', log });
    for (const l of lines) if (!this.counts.has(l.taskId)) this.creators.delete(l.taskId);
  }
}
