/*
 * Names that are persisted in Redis or scraped by Prometheus. They are contracts between
 * processes of different versions and with dashboards: renaming one needs a migration plan
 * (drain the old queue, keep both channels for a release, update dashboards and alerts).
 */

/** BullMQ queue every task type runs on unless its registration names another. */
export const DEFAULT_QUEUE = 'taskyard-default';

/** BullMQ queue of cron fires (job schedulers); consumed by the scheduler app. */
export const SCHEDULES_QUEUE = 'taskyard-schedules';

/** BullMQ job name of a task run; the job data is a {@link TaskJobData}. */
export const TASK_JOB_NAME = 'task';

/** Redis pub/sub channels (prefixed with the deployment's key prefix at runtime). */
export const Channels = {
  /** A cancellation request for a running task, fanned out to every worker. */
  Cancel: 'cancel',
  /** Batched task change events (status, progress, logs) consumed by the API's SSE stream. */
  TaskEvents: 'task-events',
  /** A task setting changed; workers re-read settings (e.g. concurrency). */
  SettingsChanged: 'settings-changed',
  /** A schedule was toggled; scheduler replicas re-sync their job schedulers. */
  SchedulesChanged: 'schedules-changed',
  /** A queue or task type was paused, resumed or got a new rate limit; every process re-reads. */
  ControlsChanged: 'controls-changed',
} as const;
export type Channel = (typeof Channels)[keyof typeof Channels];

/** Metric names of spec §8, exported by the process where the event happens. */
export const MetricNames = {
  TaskCreated: 'task_created_total',
  TaskStarted: 'task_started_total',
  TaskCompleted: 'task_completed_total',
  TaskQueueOverflow: 'task_queue_overflow_total',
  TaskQueueLength: 'task_queue_length',
  TaskRunning: 'task_running_gauge',
  TaskRunDuration: 'task_run_duration_seconds',
  TaskWaitDuration: 'task_wait_duration_seconds',
  TaskQueueOldestAge: 'task_queue_oldest_age_seconds',
  TaskRecovered: 'task_recovered_total',
  /** Jobs a worker took but claimed nothing for (`reason`: moved_on, not_found). */
  TaskJobDropped: 'task_job_dropped_total',
  /** Task log lines a worker could not store and could not keep for later (backlog full). */
  TaskLogLinesDropped: 'task_log_lines_dropped_total',
  SchedulerLeader: 'taskyard_scheduler_leader',
  TaskPaused: 'task_paused',
  TaskRateLimited: 'task_rate_limited_total',
  TaskTimedOut: 'task_timed_out_total',
} as const;

/** Data carried by a BullMQ job. The task row in PostgreSQL is the truth; this only points at it. */
export interface TaskJobData {
  /** Task id (uuid). */
  t: string;
  /** The task's attempt counter when the job was enqueued: the claim compares it. */
  a: number;
  /** Task type, so a worker can apply per-type concurrency before claiming. */
  y: string;
}

/**
 * Deterministic BullMQ job id for a task at a given attempt counter. Re-enqueueing the same
 * pending task yields the same id, so a repeat add is a no-op while the job exists.
 * BullMQ forbids `:` and all-digit ids; uuids with a suffix satisfy both.
 */
export function taskJobId(taskId: string, attempt: number): string {
  return `${taskId}_${attempt}`;
}
