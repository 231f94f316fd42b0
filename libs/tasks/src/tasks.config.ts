import { CommonConfig, ToInt, ToList } from '@taskyard/config';
import { IsArray, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** Timing and limits of the task pipeline, shared by every process. */
export class TasksConfig extends CommonConfig {
  /** BullMQ job lock; a worker that cannot renew it for this long loses the job. */
  @ToInt() @IsInt() @Min(1_000)
  LOCK_DURATION_MS = 15_000;

  /** How often BullMQ looks for stalled jobs (lost locks) and redelivers them. */
  @ToInt() @IsInt() @Min(100)
  STALLED_INTERVAL_MS = 10_000;

  /** Workers refresh `heartbeat_at` of their running tasks, and poll cancel flags, this often. */
  @ToInt() @IsInt() @Min(100)
  HEARTBEAT_INTERVAL_MS = 2_000;

  /** A running task whose heartbeat is older than this is recovered by the reaper. */
  @ToInt() @IsInt() @Min(500)
  RUN_LEASE_MS = 15_000;

  /** Reconciler/reaper period on the scheduler leader. */
  @ToInt() @IsInt() @Min(100)
  RECONCILE_INTERVAL_MS = 5_000;

  /** A pending task untouched this long is checked for a missing job and re-enqueued. */
  @ToInt() @IsInt() @Min(0)
  RECONCILE_PENDING_AFTER_MS = 5_000;

  /**
   * How long a worker keeps retrying its own writes (claims, outcomes, artifacts, log lines)
   * while PostgreSQL is unreachable before giving up on that write.
   */
  @ToInt() @IsInt() @Min(0)
  DB_RETRY_BUDGET_MS = 60_000;

  /** A task whose worker was lost this many times is failed as a poison task. */
  @ToInt() @IsInt() @Min(1)
  MAX_RECOVERIES = 3;

  /** A cancelled runner that has not stopped after this long is recorded cancelled anyway. */
  @ToInt() @IsInt() @Min(0)
  CANCEL_GRACE_MS = 10_000;

  /** Base of the exponential backoff between automatic retries. */
  @ToInt() @IsInt() @Min(0)
  RETRY_BACKOFF_MS = 1_000;

  @ToInt() @IsInt() @Min(0)
  RETRY_BACKOFF_MAX_MS = 300_000;

  /** Progress is written to PostgreSQL at most this often per task (the final value always). */
  @ToInt() @IsInt() @Min(0)
  PROGRESS_PERSIST_MS = 1_000;

  /** Progress events are published at most this often per task. */
  @ToInt() @IsInt() @Min(0)
  PROGRESS_PUBLISH_MS = 100;

  /** Stored log lines per task; later lines are dropped after one truncation marker. */
  @ToInt() @IsInt() @Min(10) @Max(1_000_000)
  TASK_LOG_MAX_LINES = 10_000;

  /** Longest stored log line (characters). */
  @ToInt() @IsInt() @Min(80)
  TASK_LOG_MAX_LINE_LENGTH = 8_192;

  /** Worker drain deadline on SIGTERM; tasks still running then are handed back to the queue. */
  @ToInt() @IsInt() @Min(0)
  SHUTDOWN_TIMEOUT_MS = 30_000;

  /** Largest accepted task payload (bytes of JSON). */
  @ToInt() @IsInt() @Min(128)
  MAX_PAYLOAD_BYTES = 256 * 1024;

  /** Queues this worker consumes; default: every queue with a registered task type. */
  @IsOptional() @ToList() @IsArray() @IsString({ each: true })
  WORKER_QUEUES?: string[];
}
