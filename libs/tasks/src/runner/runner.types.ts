import type { Readable } from 'node:stream';
import type { JsonValue, TaskCategory } from '@taskyard/contracts';

/** What a runner knows about the task it runs. */
export interface RunningTask<P = JsonValue> {
  id: string;
  type: string;
  payload: P;
  /** Fencing token of this run; increments on every start (retries, recoveries). */
  attempt: number;
  autoRetryCount: number;
  maxRetries: number;
  creatorId: string;
  category: TaskCategory;
  cronScheduleId: string | null;
  createdAt: Date;
}

/** Logger handed to runners: lines are stored as the task's logs (debug lines are not). */
export interface TaskLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ArtifactOptions {
  fileName: string;
  contentType?: string;
}

export interface StoredArtifact {
  fileKey: string;
  fileName: string;
  size: number;
}

/** The one object a runner receives. */
export interface TaskRunContext<P = JsonValue> {
  task: RunningTask<P>;
  /** Fires when the task is cancelled (from any API replica, on whichever worker runs it). */
  signal: AbortSignal;
  /** Reports progress (0-100) with an optional message. Cheap: publish and persistence are throttled. */
  progress(percent: number, message?: string): void;
  logger: TaskLogger;
  /** Stores the task's artifact (replacing an earlier one); it becomes `artifact_file_key/name`. */
  saveArtifact(content: Buffer | string | Readable | AsyncIterable<Buffer>, options: ArtifactOptions): Promise<StoredArtifact>;
  /** Throws the platform's cancelled error if the signal fired. */
  throwIfCancelled(): void;
}

/** A runner: its return value is stored as the task's `result`. */
export interface TaskRunner<P = JsonValue, R = unknown> {
  run(ctx: TaskRunContext<P>): Promise<R>;
}

export type TaskFunc<P = JsonValue, R = unknown> = (ctx: TaskRunContext<P>) => Promise<R>;

export interface TaskTypeOptions {
  /** BullMQ queue the type runs on (default `taskyard-default`). */
  queue?: string;
  /** Most attempts of this type running at once in one worker process. */
  concurrency?: number;
  /** Default `max_retries` for tasks of this type when createTask does not say. */
  maxRetries?: number;
  /**
   * Longest a run of this type may take. Past it the run's signal fires and the attempt is
   * recorded failed with `task timed out after <ms> ms` (retried while retries remain); a
   * runner ignoring the signal is recorded after the cancellation grace period anyway.
   */
  timeoutMs?: number;
  /**
   * At most `max` starts of this type per `intervalMs` across the whole fleet; a job over the
   * limit waits (delayed, holding no worker slot). Operators can override it at run time.
   */
  rateLimit?: { max: number; intervalMs: number };
}
