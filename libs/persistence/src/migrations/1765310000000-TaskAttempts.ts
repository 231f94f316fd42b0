import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attempt history. A row is written for every attempt that a later transition supersedes:
 * an automatic retry, a lost worker (reaper or stalled take-over), a drain hand-back, a manual
 * retry. Each is written by the statement of that transition. The latest attempt lives in the
 * task row itself (`attempt`, `worker_id`, `started_at`, `finished_at`, `status`, `error`), so
 * the hot path (claim, then one outcome) writes no extra row; readers merge the two.
 */
export class TaskAttempts1765310000000 implements MigrationInterface {
  name = 'TaskAttempts1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_attempts (
      task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
      attempt int NOT NULL,
      worker_id varchar(128),
      started_at timestamptz,
      finished_at timestamptz NOT NULL DEFAULT now(),
      outcome varchar(16) NOT NULL CHECK (outcome IN ('success', 'failed', 'cancelled', 'lost', 'released')),
      error text,
      followed_by varchar(16) CHECK (followed_by IN ('auto_retry', 'manual_retry', 'recovery', 'handback')),
      PRIMARY KEY (task_id, attempt)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_attempts`);
  }
}
