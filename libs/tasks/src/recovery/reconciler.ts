import { Logger, type TaskMetrics } from '@taskyard/observability';
import type { TaskEventPublisher } from '../events/task-event-bus';
import type { TaskQueues } from '../queue/task-queues';
import type { TaskRecord } from '../state/task-record';
import type { TaskStateMachine } from '../state/task-state-machine';
import type { TasksConfig } from '../tasks.config';

export interface ReconcileReport {
  expired: number;
  reenqueued: number;
  recovered: number;
  poisoned: number;
  cancelled: number;
}

const PAGE = 1_000;

/**
 * Keeps PostgreSQL and Redis in agreement, from PostgreSQL's side (run by the scheduler
 * leader only):
 * - expires pending tasks whose `not_after` passed;
 * - reaps running tasks whose worker stopped heartbeating (back to pending, or cancelled, or
 *   failed as poison after too many losses);
 * - re-enqueues pending tasks whose job is missing from Redis (enqueue failed, Redis
 *   flushed or restarted), or ended without the row moving on (a claim that failed, a worker
 *   of another database), under their deterministic job id.
 */
export class Reconciler {
  private readonly logger = new Logger('reconciler');
  private cursor: { updatedAt: Date; id: string } | null = null;

  constructor(
    private readonly config: TasksConfig,
    private readonly states: TaskStateMachine,
    private readonly queues: TaskQueues,
    private readonly events: TaskEventPublisher,
    private readonly metrics: TaskMetrics,
  ) {}

  /**
   * Since when this reconciler has been able to reach PostgreSQL without a break. Workers
   * cannot heartbeat while the database is down either, so right after an outage (or a new
   * leader's first round) every heartbeat looks stale: the reaper waits one full lease of
   * healthy database first, giving live workers the time to heartbeat again instead of
   * re-running their tasks.
   */
  private healthySince: number | null = null;

  /** Called when a round failed (typically PostgreSQL unreachable). */
  noteFailure(): void {
    this.healthySince = null;
  }

  async runOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = { expired: 0, reenqueued: 0, recovered: 0, poisoned: 0, cancelled: 0 };
    await this.expire(report);
    this.healthySince ??= Date.now();
    if (Date.now() - this.healthySince >= this.config.RUN_LEASE_MS) await this.reap(report);
    await this.reenqueue(report);
    if (report.expired + report.reenqueued + report.recovered + report.poisoned + report.cancelled > 0) {
      this.logger.info('reconciled', { ...report });
    }
    return report;
  }

  private async expire(report: ReconcileReport): Promise<void> {
    for (;;) {
      const expired = await this.states.expireDue(PAGE);
      for (const t of expired) {
        report.expired++;
        this.events.publish({ type: 'status', task_id: t.id, creator_id: t.creatorId, status: t.status, error: t.error, at: new Date().toISOString() });
        await this.queues.remove(t.queue, t.id, t.attempt);
      }
      if (expired.length < PAGE) return;
    }
  }

  private async reap(report: ReconcileReport): Promise<void> {
    for (;;) {
      const recovered = await this.states.recoverStale(this.config.RUN_LEASE_MS, this.config.MAX_RECOVERIES, PAGE);
      const pending: TaskRecord[] = [];
      for (const t of recovered) {
        this.events.publish({ type: 'status', task_id: t.id, creator_id: t.creatorId, status: t.status, error: t.error, at: new Date().toISOString() });
        if (t.status === 'pending') {
          report.recovered++;
          this.metrics.recovered.inc({ reason: 'reaper' });
          pending.push(t);
        } else if (t.status === 'failed') {
          report.poisoned++;
          this.metrics.recovered.inc({ reason: 'poison' });
        } else {
          report.cancelled++;
        }
      }
      await this.queues.enqueueMany(pending);
      if (recovered.length < PAGE) return;
    }
  }

  /** Walks pending rows in keyset order, a bounded number per round, and adds missing jobs. */
  private async reenqueue(report: ReconcileReport): Promise<void> {
    for (let pages = 0; pages < 20; pages++) {
      const page = await this.states.pendingPage(this.config.RECONCILE_PENDING_AFTER_MS, this.cursor, PAGE);
      if (page.length === 0) {
        this.cursor = null;
        return;
      }
      const last = page[page.length - 1];
      this.cursor = { updatedAt: last.updatedAt, id: last.id };
      // The job's state, not the key's existence: a job that ended (failed or completed)
      // while its row still waits at that attempt would otherwise strand the task for good.
      const checks = await this.queues.unrunnable(page);
      const missing = page.filter((_, i) => checks[i] === 'missing');
      const ended = page.filter((_, i) => checks[i] === 'ended');
      if (missing.length > 0) await this.queues.enqueueMany(missing);
      if (ended.length > 0) await this.queues.readd(ended);
      const lost = missing.length + ended.length;
      if (lost > 0) {
        report.reenqueued += lost;
        this.metrics.recovered.inc({ reason: 'reenqueued' }, lost);
      }
      if (page.length < PAGE) {
        this.cursor = null;
        return;
      }
    }
  }
}
