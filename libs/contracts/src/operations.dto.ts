/** How an attempt ended: a final status, or superseded (worker lost, handed back on shutdown). */
export type AttemptOutcome = 'running' | 'success' | 'failed' | 'cancelled' | 'lost' | 'released';

/** What the platform did after an attempt: another attempt followed because of it. */
export type AttemptFollowUp = 'auto_retry' | 'manual_retry' | 'recovery' | 'handback';

/** One attempt of a task (`GET /api/tasks/:id/attempts`), oldest first. */
export interface TaskAttemptDto {
  attempt: number;
  /** Worker process that ran it (`<host>-<pid>-<random>`), when known. */
  worker_id: string | null;
  started_at: string | null;
  /** Null while running. */
  finished_at: string | null;
  outcome: AttemptOutcome;
  error: string | null;
  followed_by: AttemptFollowUp | null;
}
