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

/** At most `max` starts per `interval_ms`, across the whole fleet. */
export interface RateLimitDto {
  max: number;
  interval_ms: number;
}

/** A task type as operators control it (`GET /api/system/queues`). */
export interface TaskTypeControlDto {
  type: string;
  queue: string;
  paused: boolean;
  /** In effect: the override when set, else the type's registration. */
  rate_limit: RateLimitDto | null;
  /** Set in code (`rateLimit` of the registration), when a process that knows the type reports it. */
  rate_limit_default: RateLimitDto | null;
  /** Set by an operator; replaces the default. */
  rate_limit_override: RateLimitDto | null;
  concurrency: number | null;
  timeout_ms: number | null;
}

export interface QueueJobCountsDto {
  waiting: number;
  delayed: number;
  active: number;
  prioritized: number;
}

export interface QueueDto {
  name: string;
  paused: boolean;
  paused_at: string | null;
  jobs: QueueJobCountsDto;
  types: TaskTypeControlDto[];
}

/** A task type as a worker registers it (reported in its fleet entry). */
export interface FleetTaskTypeDto {
  type: string;
  queue: string;
  concurrency: number | null;
  timeout_ms: number | null;
  rate_limit: RateLimitDto | null;
}

export interface FleetRunDto {
  task_id: string;
  type: string;
  attempt: number;
  started_at: string;
}

/** A live process of the fleet (`GET /api/system/fleet`); it drops out when its lease expires. */
export interface FleetMemberDto {
  kind: 'worker' | 'scheduler';
  id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
  /** Workers: queues consumed, slots, runs in progress, types hosted. */
  queues?: string[];
  concurrency?: number;
  running?: FleetRunDto[];
  types?: FleetTaskTypeDto[];
  /** Schedulers: whether it holds leadership. */
  leader?: boolean;
}

export interface FleetDto {
  workers: FleetMemberDto[];
  schedulers: FleetMemberDto[];
  /** Lease after which a silent member drops out. */
  lease_ms: number;
}
