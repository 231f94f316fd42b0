import { type TaskStatus, type JsonValue, type TaskCategory } from '@taskyard/contracts';
import { InvalidTransitionError, TaskNotFoundError } from '../errors';
import type { Db, Row, SqlRunner } from './db';
import { RUN_COLUMNS, TASK_COLUMNS, mapRunRow, mapTaskRow, type RunRecord, type TaskRecord } from './task-record';

export const EXPIRED_ERROR = 'task expired: not_after deadline passed';
/** A task's search text, from its own columns: stored in `task_search.doc` at insert. */
export const SEARCH_DOC = `(type || ' ' || coalesce(payload::text, ''))`;
export const CANCELLED_ERROR = 'task cancelled';
/** Error of an attempt whose worker lost its job, taken over by BullMQ's stalled redelivery. */
const STALLED_ERROR = 'worker lost: its job was redelivered';

export interface NewTask {
  id: string;
  type: string;
  queue: string;
  creatorId: string;
  category: TaskCategory;
  cronScheduleId: string | null;
  maxRetries: number;
  priority: number;
  payload: JsonValue | null;
  notBefore: Date | null;
  notAfter: Date | null;
  idempotencyKey: string | null;
  fireKey: string | null;
  traceId: string | null;
}

export interface ClaimRequest {
  id: string;
  /** Attempt counter carried by the job. */
  gen: number;
}

export interface Claimed {
  record: RunRecord;
  /** True when this claim took over a run whose worker lost the job (stalled). */
  takeover: boolean;
}

export type FinalStatus = typeof TaskStatus.Success | typeof TaskStatus.Failed | typeof TaskStatus.Cancelled;

export interface FinishRequest {
  id: string;
  attempt: number;
  status: FinalStatus;
  result: JsonValue | null;
  error: string | null;
  progress: number | null;
  progressMessage: string | null;
}

/** One write of a worker tick: a claim or an outcome. */
export type TickItem = { claim: ClaimRequest } | { finish: FinishRequest };

export interface Transitioned {
  id: string;
  creatorId: string;
  status: TaskStatus;
  error: string | null;
}

const json = (v: JsonValue | null): string | null => (v === null ? null : JSON.stringify(v));

/*
 * Batched statements join an unnest() of ids to `tasks`; the ids are also an index condition
 * (`t.id = ANY(ids)`) and their status tests are written as CASE join filters, on purpose: a
 * plain `t.status = 'pending'` is a restriction the planner may serve from a status index.
 * Statistics lag a bursty queue table (taken while it was idle, they say "almost no pending
 * rows"), so it would then read every pending row and hash-join them, once per batch:
 * measured, a 20,000-task burst spent ~300 µs of PostgreSQL CPU per task that way. With the
 * ids as the only usable restriction, the plan is a primary-key lookup per id.
 */
const CLAIM_COLUMNS = RUN_COLUMNS.replace(/(\w+)/g, 't.$1');
/** A finished row in the claim row's shape (run columns, gen, error): what an outcome needs, NULL for the rest. */
const FINISHED_PADDED = [
  ...RUN_COLUMNS.split(',').map((c) => c.trim()).map((c) => (['id', 'creator_id', 'status', 'attempt'].includes(c) ? c : 'NULL')),
  'NULL', // gen
  'error',
].join(', ');
/**
 * A CTE inserting superseded attempts into `task_attempts` from `select` (task id, attempt,
 * worker, start, [end,] outcome, error, followed by); without an end column the end is now().
 */
function supersededAttempt(select: string, { withEnd = false, name = 'superseded' }: { withEnd?: boolean; name?: string } = {}): string {
  const columns = `task_id, attempt, worker_id, started_at, ${withEnd ? 'finished_at, ' : ''}outcome, error, followed_by`;
  return `${name} AS (INSERT INTO task_attempts (${columns}) ${select} ON CONFLICT (task_id, attempt) DO NOTHING)`;
}
const isRunningAttempt = (attempt: string): string => `CASE WHEN t.status = 'running' THEN t.attempt = ${attempt} ELSE false END`;

/**
 * The task state machine: every status change of the platform, each a compare-and-set on the
 * current status and attempt (the fencing token). A stale worker's write matches no row and
 * changes nothing. Nothing else in the code base writes `status`.
 *
 *   pending -> running            claim (attempt + 1)
 *   running -> running            take-over of a stalled run by BullMQ's redelivery (attempt + 1)
 *   running -> success|failed|cancelled   finish (same attempt)
 *   running -> pending            automatic retry, crash recovery, drain hand-back
 *   pending -> cancelled          cancel, expiry (not_after), delete
 *   failed|cancelled -> pending   manual retry
 */
export class TaskStateMachine {
  constructor(private readonly db: Db) {}

  /** Inserts new pending tasks; rows that hit an idempotency or fire key come back as existing. */
  async insert(tasks: NewTask[], runner: SqlRunner = this.db): Promise<{ record: TaskRecord; created: boolean }[]> {
    if (tasks.length === 0) return [];
    const col = <K extends keyof NewTask>(k: K) => tasks.map((t) => t[k]);
    // The search text (type and payload never change) is written once, beside the row: see
    // migration SearchTable for why it is not indexed on `tasks`.
    const inserted = await runner.rows(
      `WITH ins AS (
         INSERT INTO tasks (id, type, queue, creator_id, category, cron_schedule_id, max_retries, priority, payload,
                            not_before, not_after, idempotency_key, fire_key, trace_id)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                              $7::int[], $8::int[], $9::jsonb[], $10::timestamptz[], $11::timestamptz[], $12::varchar[],
                              $13::varchar[], $14::varchar[])
         ON CONFLICT DO NOTHING
         RETURNING ${TASK_COLUMNS}),
       search AS (INSERT INTO task_search (task_id, doc) SELECT id, ${SEARCH_DOC} FROM ins)
       SELECT * FROM ins`,
      [
        col('id'), col('type'), col('queue'), col('creatorId'), col('category'), col('cronScheduleId'),
        col('maxRetries'), col('priority'), tasks.map((t) => json(t.payload)), col('notBefore'), col('notAfter'),
        col('idempotencyKey'), col('fireKey'), col('traceId'),
      ],
    );
    const byId = new Map(inserted.map((r) => [r.id as string, mapTaskRow(r)]));
    const missing = tasks.filter((t) => !byId.has(t.id));
    const existing = new Map<string, TaskRecord>();
    if (missing.length > 0) {
      const found = await runner.rows(
        `SELECT ${TASK_COLUMNS}, idempotency_key, fire_key FROM tasks
          WHERE (creator_id, idempotency_key) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[]))
             OR fire_key = ANY($3::varchar[])`,
        [missing.map((t) => t.creatorId), missing.map((t) => t.idempotencyKey), missing.map((t) => t.fireKey).filter(Boolean)],
      );
      for (const r of found) {
        if (r.idempotency_key) existing.set(`i:${r.creator_id as string}:${r.idempotency_key as string}`, mapTaskRow(r));
        if (r.fire_key) existing.set(`f:${r.fire_key as string}`, mapTaskRow(r));
      }
    }
    return tasks.map((t) => {
      const created = byId.get(t.id);
      if (created) return { record: created, created: true };
      const prior =
        (t.idempotencyKey && existing.get(`i:${t.creatorId}:${t.idempotencyKey}`)) || (t.fireKey && existing.get(`f:${t.fireKey}`));
      if (!prior) throw new Error(`task ${t.id} was neither inserted nor found by its idempotency or fire key`);
      return { record: prior, created: false };
    });
  }

  /**
   * Claims tasks for a run: pending at the job's attempt, or running under the same job (a
   * redelivered stalled job takes over, counting a recovery). Returns null for a job whose
   * task moved on (cancelled, deleted, expired, already run), which the caller drops.
   */
  async claim(requests: ClaimRequest[], workerId: string): Promise<(Claimed | null)[]> {
    return (await this.transition(requests, [], workerId)).claimed;
  }

  /** Records the outcome of runs; returns, per request, whether it was recorded (false: fenced out). */
  async finish(requests: FinishRequest[]): Promise<(Transitioned | null)[]> {
    return (await this.transition([], requests, '')).finished;
  }

  /**
   * A worker tick's claims and outcomes, answered per item in order: one statement, unless a
   * claim is for a task whose previous attempt's outcome is in the same tick (its stalled job
   * redelivered to the same worker); that claim then goes in a second statement after the
   * outcome, so no statement updates one row twice.
   */
  async tick(items: TickItem[], workerId: string): Promise<(Claimed | Transitioned | null)[]> {
    const finishes: FinishRequest[] = [];
    const claims: ClaimRequest[] = [];
    for (const item of items) {
      if ('finish' in item) finishes.push(item.finish);
      else claims.push(item.claim);
    }
    const finishing = new Set(finishes.map((f) => f.id));
    const now = claims.filter((c) => !finishing.has(c.id));
    const later = claims.filter((c) => finishing.has(c.id));
    const first = await this.transition(now, finishes, workerId);
    const second = later.length > 0 ? await this.transition(later, [], workerId) : { claimed: [], finished: [] };
    const claimed = new Map<ClaimRequest, Claimed | null>();
    now.forEach((c, i) => claimed.set(c, first.claimed[i]));
    later.forEach((c, i) => claimed.set(c, second.claimed[i]));
    let f = 0;
    return items.map((item) => ('claim' in item ? (claimed.get(item.claim) ?? null) : first.finished[f++]));
  }

  /**
   * A worker's claims and outcomes of one tick in a single statement (one round trip, one
   * commit). The two sets must touch different rows ({@link tick} sees to it).
   */
  async transition(claims: ClaimRequest[], finishes: FinishRequest[], workerId: string): Promise<{ claimed: (Claimed | null)[]; finished: (Transitioned | null)[] }> {
    if (claims.length === 0 && finishes.length === 0) return { claimed: [], finished: [] };
    const { text, params } = transitionStatement(claims, finishes, workerId);
    const rows = await this.db.rows(text, params);
    const claimedById = new Map<string, Claimed>();
    const finishedById = new Map<string, Transitioned>();
    // Keyed by id and generation (claims) or attempt (outcomes): two jobs of one task in a
    // batch must not both read the one row that changed.
    for (const r of rows) {
      if (r.claim) claimedById.set(`${r.id as string}:${Number(r.gen)}`, { record: mapRunRow(r), takeover: Number(r.attempt) !== Number(r.gen) + 1 });
      else finishedById.set(`${r.id as string}:${Number(r.attempt)}`, transitioned(r));
    }
    return {
      claimed: claims.map((r) => claimedById.get(`${r.id}:${r.gen}`) ?? null),
      finished: finishes.map((r) => finishedById.get(`${r.id}:${r.attempt}`) ?? null),
    };
  }

  /** running -> pending for an automatic retry after `delayMs`; returns the record to re-enqueue. */
  async scheduleRetry(id: string, attempt: number, error: string, delayMs: number): Promise<TaskRecord | null> {
    const rows = await this.db.rows(
      `WITH old AS (SELECT worker_id, started_at FROM tasks WHERE id = $1),
       upd AS (
         UPDATE tasks SET status = 'pending', auto_retry_count = auto_retry_count + 1, error = $3,
                not_before = now() + $4 * interval '1 millisecond', worker_id = NULL, heartbeat_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'running' AND attempt = $2 AND NOT cancel_requested
         RETURNING ${TASK_COLUMNS}),
       ${supersededAttempt(`SELECT upd.id, upd.attempt, old.worker_id, old.started_at, 'failed', upd.error, 'auto_retry' FROM upd, old`)}
       SELECT * FROM upd`,
      [id, attempt, error, delayMs],
    );
    return rows[0] ? mapTaskRow(rows[0]) : null;
  }

  /** running -> pending without counting a retry: a draining worker hands its run back. */
  async release(id: string, attempt: number): Promise<TaskRecord | null> {
    const rows = await this.db.rows(
      `WITH old AS (SELECT worker_id, started_at FROM tasks WHERE id = $1),
       upd AS (
         UPDATE tasks SET status = 'pending', worker_id = NULL, heartbeat_at = NULL, updated_at = now()
          WHERE id = $1 AND status = 'running' AND attempt = $2
         RETURNING ${TASK_COLUMNS}),
       ${supersededAttempt(`SELECT upd.id, upd.attempt, old.worker_id, old.started_at, 'released', 'worker shutting down: run handed back', 'handback' FROM upd, old`)}
       SELECT * FROM upd`,
      [id, attempt],
    );
    return rows[0] ? mapTaskRow(rows[0]) : null;
  }

  /**
   * For a job whose claim found nothing to run: expires the task if its `not_after` passed
   * (pending at the job's attempt), and tells whether this database has the task at all.
   */
  async unclaimed(id: string, gen: number): Promise<{ expired: Transitioned | null; found: boolean }> {
    const rows = await this.db.rows(
      `WITH expired AS (
         UPDATE tasks SET status = 'cancelled', error = $3, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'pending' AND attempt = $2 AND not_after <= now()
         RETURNING id, creator_id, status, error)
       SELECT true AS expired, * FROM expired
       UNION ALL
       SELECT false, id, creator_id, status, error FROM tasks WHERE id = $1`,
      [id, gen, EXPIRED_ERROR],
    );
    const expired = rows.find((r) => r.expired);
    return { expired: expired ? transitioned(expired) : null, found: rows.length > 0 };
  }

  /** Expires every pending task whose not_after passed (reconciler). */
  async expireDue(limit: number): Promise<(Transitioned & { queue: string; attempt: number })[]> {
    const rows = await this.db.rows(
      `UPDATE tasks SET status = 'cancelled', error = $1, finished_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM tasks WHERE status = 'pending' AND not_after <= now() AND deleted_at IS NULL
                      ORDER BY not_after LIMIT $2 FOR UPDATE SKIP LOCKED)
          AND status = 'pending'
       RETURNING id, creator_id, status, error, queue, attempt`,
      [EXPIRED_ERROR, limit],
    );
    return rows.map((r) => ({ ...transitioned(r), queue: r.queue as string, attempt: Number(r.attempt) }));
  }

  /**
   * Cancels a task: pending becomes cancelled at once; running gets `cancel_requested` (the
   * worker aborts the runner and records the outcome). Terminal tasks cannot be cancelled.
   */
  async cancel(id: string): Promise<TaskRecord> {
    const rows = await this.db.rows(
      `UPDATE tasks SET
              status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
              error = CASE WHEN status = 'pending' THEN $2 ELSE error END,
              finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END,
              cancel_requested = true, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND status IN ('pending', 'running')
       RETURNING ${TASK_COLUMNS}`,
      [id, CANCELLED_ERROR],
    );
    if (rows[0]) return mapTaskRow(rows[0]);
    throw await this.explain(id, 'cancel');
  }

  /** failed|cancelled -> pending: a fresh run (resets outcome and auto retries, counts a manual retry). */
  async retry(id: string): Promise<TaskRecord> {
    // The final attempt leaves the row here, so it moves to the history (unless it is there
    // already: a run retried automatically, then cancelled while pending; or never ran).
    const rows = await this.db.rows(
      `WITH old AS (SELECT attempt, worker_id, started_at, finished_at, status, error FROM tasks WHERE id = $1),
       upd AS (
         UPDATE tasks SET status = 'pending', error = NULL, result = NULL, progress = 0, progress_message = NULL,
                started_at = NULL, finished_at = NULL, not_before = NULL, not_after = NULL, auto_retry_count = 0,
                retry_count = retry_count + 1, cancel_requested = false, recoveries = 0, worker_id = NULL,
                heartbeat_at = NULL, updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL AND status IN ('failed', 'cancelled')
         RETURNING ${TASK_COLUMNS}),
       ${supersededAttempt(`SELECT upd.id, old.attempt, old.worker_id, old.started_at, coalesce(old.finished_at, now()), old.status, old.error, 'manual_retry'
                              FROM upd, old WHERE old.started_at IS NOT NULL AND old.attempt > 0`, { withEnd: true })}
       SELECT * FROM upd`,
      [id],
    );
    if (rows[0]) return mapTaskRow(rows[0]);
    throw await this.explain(id, 'retry');
  }

  /** Soft delete; a pending task is cancelled, a running one gets `cancel_requested`. */
  async softDelete(id: string): Promise<TaskRecord> {
    const rows = await this.db.rows(
      `UPDATE tasks SET deleted_at = now(), updated_at = now(),
              status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
              error = CASE WHEN status = 'pending' THEN $2 ELSE error END,
              finished_at = CASE WHEN status = 'pending' THEN now() ELSE finished_at END,
              cancel_requested = cancel_requested OR status IN ('pending', 'running')
        WHERE id = $1 AND deleted_at IS NULL
       RETURNING ${TASK_COLUMNS}`,
      [id, CANCELLED_ERROR],
    );
    if (rows[0]) return mapTaskRow(rows[0]);
    throw new TaskNotFoundError(id);
  }

  /**
   * Refreshes the heartbeat of a worker's runs and reports, per run, whether it still owns
   * it and whether cancellation was requested (the durable fallback of the cancel message).
   * Keyed by task id, with the attempt that owns the row: of two runs of one task (an old
   * attempt still settling after a take-over), only the one with that attempt owns it.
   */
  async heartbeat(runs: { id: string; attempt: number }[]): Promise<Map<string, { attempt: number; cancelRequested: boolean }>> {
    if (runs.length === 0) return new Map();
    const rows = await this.db.rows(
      `UPDATE tasks t SET heartbeat_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS r(id, attempt)
        WHERE t.id = ANY($1::uuid[]) AND t.id = r.id AND ${isRunningAttempt('r.attempt')}
       RETURNING t.id, t.attempt, t.cancel_requested`,
      [runs.map((r) => r.id), runs.map((r) => r.attempt)],
    );
    return new Map(rows.map((r) => [r.id as string, { attempt: Number(r.attempt), cancelRequested: Boolean(r.cancel_requested) }]));
  }

  /** Persists the latest progress of running attempts (throttled by the caller). */
  async saveProgress(items: { id: string; attempt: number; progress: number; message: string | null }[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.rows(
      `UPDATE tasks t SET progress = r.progress, progress_message = r.message
         FROM unnest($1::uuid[], $2::int[], $3::smallint[], $4::text[]) AS r(id, attempt, progress, message)
        WHERE t.id = ANY($1::uuid[]) AND t.id = r.id AND ${isRunningAttempt('r.attempt')}`,
      [items.map((i) => i.id), items.map((i) => i.attempt), items.map((i) => i.progress), items.map((i) => i.message)],
    );
  }

  /** Points a running attempt's task at its artifact. */
  async setArtifact(id: string, attempt: number, fileKey: string, fileName: string): Promise<{ previousKey: string | null } | null> {
    const rows = await this.db.rows(
      `UPDATE tasks t SET artifact_file_key = $3, artifact_file_name = $4, updated_at = now()
         FROM (SELECT artifact_file_key AS previous FROM tasks WHERE id = $1) p
        WHERE t.id = $1 AND t.attempt = $2 AND t.status = 'running'
       RETURNING p.previous`,
      [id, attempt, fileKey, fileName],
    );
    return rows[0] ? { previousKey: (rows[0].previous as string | null) ?? null } : null;
  }

  /**
   * Recovers runs whose worker stopped heartbeating: back to pending (to be re-enqueued),
   * cancelled if cancellation was requested, or failed as a poison task after too many losses.
   */
  async recoverStale(leaseMs: number, maxRecoveries: number, limit: number): Promise<TaskRecord[]> {
    const rows = await this.db.rows(
      `WITH upd AS (
       UPDATE tasks t SET
              recoveries = t.recoveries + 1,
              status = CASE WHEN t.cancel_requested THEN 'cancelled' WHEN t.recoveries + 1 >= $2 THEN 'failed' ELSE 'pending' END,
              error = CASE WHEN t.cancel_requested THEN $4
                           WHEN t.recoveries + 1 >= $2 THEN 'poison task: its worker was lost ' || (t.recoveries + 1) || ' times'
                           ELSE t.error END,
              finished_at = CASE WHEN t.cancel_requested OR t.recoveries + 1 >= $2 THEN now() ELSE NULL END,
              worker_id = NULL, heartbeat_at = NULL, updated_at = now()
         FROM (SELECT id, worker_id AS old_worker_id, started_at AS old_started_at FROM tasks
                WHERE status = 'running' AND heartbeat_at < now() - $1 * interval '1 millisecond'
                ORDER BY heartbeat_at LIMIT $3 FOR UPDATE SKIP LOCKED) s
        WHERE t.id = s.id AND t.status = 'running'
       RETURNING ${TASK_COLUMNS.replace(/(\w+)/g, 't.$1')}, s.old_worker_id, s.old_started_at),
       ${supersededAttempt(`SELECT id, attempt, old_worker_id, old_started_at, 'lost', $5,
                                   CASE WHEN status = 'pending' THEN 'recovery' END FROM upd`)}
       SELECT * FROM upd`,
      [leaseMs, maxRecoveries, limit, CANCELLED_ERROR, `worker lost: no heartbeat for ${leaseMs} ms`],
    );
    return rows.map(mapTaskRow);
  }

  /** Pending tasks untouched for `olderThanMs`, in keyset order, for the reconciler's job check. */
  async pendingPage(olderThanMs: number, after: { updatedAt: Date; id: string } | null, limit: number): Promise<TaskRecord[]> {
    const rows = await this.db.rows(
      `SELECT ${TASK_COLUMNS} FROM tasks
        WHERE status = 'pending' AND deleted_at IS NULL AND updated_at < now() - $1 * interval '1 millisecond'
          AND (updated_at, id) > ($2::timestamptz, $3::uuid)
        ORDER BY updated_at, id LIMIT $4`,
      [olderThanMs, after?.updatedAt ?? new Date(0), after?.id ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map(mapTaskRow);
  }

  async find(id: string): Promise<TaskRecord | null> {
    const rows = await this.db.rows(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return rows[0] ? mapTaskRow(rows[0]) : null;
  }

  private async explain(id: string, action: string): Promise<Error> {
    const task = await this.find(id);
    return task ? new InvalidTransitionError(id, action, task.status) : new TaskNotFoundError(id);
  }
}

/** The statement of {@link TaskStateMachine.transition} (exported so tests can EXPLAIN it). */
export function transitionStatement(claims: ClaimRequest[], finishes: FinishRequest[], workerId: string): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const parts: string[] = [];
  if (claims.length > 0) {
    const ids = param(claims.map((r) => r.id));
    // A pending claim moves attempt from gen to gen + 1; a take-over moves it further, which
    // is how the returned row tells the two apart.
    parts.push(`claimed AS (
      UPDATE tasks t SET status = 'running', attempt = t.attempt + 1, job_gen = r.gen, worker_id = ${param(workerId)},
             started_at = now(), heartbeat_at = now(), updated_at = now(),
             recoveries = t.recoveries + (t.status = 'running')::int
        FROM unnest(${ids}::uuid[], ${param(claims.map((r) => r.gen))}::int[]) AS r(id, gen)
       WHERE t.id = ANY(${ids}::uuid[]) AND t.id = r.id
         AND CASE t.status WHEN 'pending' THEN t.attempt = r.gen AND t.deleted_at IS NULL AND (t.not_after IS NULL OR t.not_after > now())
                           WHEN 'running' THEN t.job_gen = r.gen AND t.deleted_at IS NULL
                           ELSE false END
      RETURNING ${CLAIM_COLUMNS}, r.gen)`);
    // A take-over supersedes the lost attempt: into the history with the values it had (the
    // subqueries read the statement's snapshot, before the update). Rare, so scalar lookups.
    parts.push(supersededAttempt(`SELECT c.id, c.attempt - 1, (SELECT o.worker_id FROM tasks o WHERE o.id = c.id),
             (SELECT o.started_at FROM tasks o WHERE o.id = c.id), 'lost', '${STALLED_ERROR}', 'recovery'
        FROM claimed c WHERE c.attempt <> c.gen + 1`, { name: 'taken_over' }));
  }
  if (finishes.length > 0) {
    const col = <K extends keyof FinishRequest>(k: K) => param(finishes.map((r) => r[k]));
    const ids = col('id');
    parts.push(`finished AS (
      UPDATE tasks t SET status = r.status, result = r.result, error = r.error, finished_at = now(), updated_at = now(),
             progress = CASE WHEN r.status = 'success' THEN 100 ELSE coalesce(r.progress, t.progress) END,
             progress_message = coalesce(r.progress_message, t.progress_message), heartbeat_at = NULL
        FROM unnest(${ids}::uuid[], ${col('attempt')}::int[], ${col('status')}::varchar[], ${param(finishes.map((r) => json(r.result)))}::jsonb[],
                    ${col('error')}::text[], ${col('progress')}::smallint[], ${col('progressMessage')}::text[])
             AS r(id, attempt, status, result, error, progress, progress_message)
       WHERE t.id = ANY(${ids}::uuid[]) AND t.id = r.id AND ${isRunningAttempt('r.attempt')}
      RETURNING t.id, t.creator_id, t.status, t.error, t.attempt)`);
  }
  // One result set: claimed rows carry what a run needs, finished rows only what the
  // outcome's event needs (the rest of their columns are NULL).
  const selects = [
    ...(claims.length > 0 ? [`SELECT true AS claim, *, NULL::text AS error FROM claimed`] : []),
    ...(finishes.length > 0 ? [`SELECT false AS claim, ${FINISHED_PADDED} FROM finished`] : []),
  ];
  return { text: `WITH ${parts.join(',\n')}\n${selects.join('\nUNION ALL\n')}`, params };
}

function transitioned(r: Row): Transitioned {
  return { id: r.id as string, creatorId: r.creator_id as string, status: r.status as TaskStatus, error: (r.error as string | null) ?? null };
}
