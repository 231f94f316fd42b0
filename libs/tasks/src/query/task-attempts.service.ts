import type { AttemptFollowUp, AttemptOutcome, TaskAttemptDto } from '@taskyard/contracts';
import type { Db } from '../state/db';

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : null);

/**
 * A task's attempt history: the superseded attempts in `task_attempts` plus the latest one,
 * which lives in the task row (running, or its final outcome) unless a later transition
 * already moved it to the history (see migration TaskAttempts).
 */
export class TaskAttemptsService {
  constructor(private readonly db: Db) {}

  async list(taskId: string): Promise<TaskAttemptDto[]> {
    const rows = await this.db.rows(
      `SELECT attempt, worker_id, started_at, finished_at, outcome, error, followed_by FROM task_attempts WHERE task_id = $1
       UNION ALL
       SELECT t.attempt, t.worker_id, t.started_at, CASE WHEN t.status = 'running' THEN NULL ELSE t.finished_at END,
              t.status, CASE WHEN t.status = 'running' THEN NULL ELSE t.error END, NULL
         FROM tasks t
        WHERE t.id = $1 AND t.status <> 'pending' AND t.started_at IS NOT NULL AND t.attempt > 0
          AND NOT EXISTS (SELECT 1 FROM task_attempts a WHERE a.task_id = t.id AND a.attempt = t.attempt)
       ORDER BY attempt`,
      [taskId],
    );
    return rows.map((r) => ({
      attempt: Number(r.attempt),
      worker_id: (r.worker_id as string | null) ?? null,
      started_at: iso(r.started_at),
      finished_at: iso(r.finished_at),
      outcome: r.outcome as AttemptOutcome,
      error: (r.error as string | null) ?? null,
      followed_by: (r.followed_by as AttemptFollowUp | null) ?? null,
    }));
  }
}
