import type { TaskCategory, TaskLogLevel, TaskStatus } from './task-status';

/** JSON value stored as payload or result. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A task as the REST API returns it (snake_case, spec §3), in EZ-Console's representation:
 * `payload` and `result` are JSON text (`JSON.parse` gives the value the runner saw or
 * returned), and an optional field that is empty is absent, never `null` (EZ-Console's
 * server omits them, its client types them `string`).
 */
export interface TaskDto {
  id: string;
  type: string;
  status: TaskStatus;
  progress: number;
  progress_message?: string;
  /** JSON text of the runner's return value. */
  result?: string;
  error?: string;
  creator_id: string;
  /** Username of the creator (absent where the API does not resolve it, null for `system` or a removed user). */
  creator_name?: string;
  category: TaskCategory;
  cron_schedule_id?: string;
  artifact_file_key?: string;
  artifact_file_name?: string;
  retry_count: number;
  auto_retry_count: number;
  max_retries: number;
  priority: number;
  /** JSON text of the task's input. */
  payload?: string;
  not_before?: string;
  not_after?: string;
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
  started_at?: string;
  finished_at?: string;
}

/** A stored log line, as log store backends return it. */
export interface TaskLogDto {
  id: string;
  task_id: string;
  level: TaskLogLevel;
  message: string;
  created_at: string;
}

/** A log line on `GET /api/tasks/:id/logs`: lines never change, so `updated_at` is `created_at`. */
export interface TaskLogLineDto extends TaskLogDto {
  updated_at: string;
}

/** A stored line as the API sends it, on `GET /api/tasks/:id/logs` and in `log` events (EZ-Console's log object has `updated_at`). */
export function toLogLine(log: TaskLogDto): TaskLogLineDto {
  return { ...log, updated_at: log.created_at };
}

/** `data` of an action route (cancel, retry, delete, toggle, settings update), as EZ-Console's `{message}`. */
export interface ActionMessage {
  message: string;
}

/** Success envelope. */
export interface ApiOk<T> {
  code: '0';
  data: T;
  trace_id?: string;
}

/** List envelope. */
export interface ApiList<T> {
  code: '0';
  data: T[];
  total: number;
  current: number;
  page_size: number;
  trace_id?: string;
}

/** Error envelope: `code` is `E` + digits that start with the HTTP status. */
export interface ApiError {
  code: string;
  err: string;
  trace_id?: string;
}

/**
 * Events on `GET /api/tasks/events` (SSE `event:` names). On the Redis channel a `log` event
 * carries the stored line; the API sends it as a `TaskLogLineDto` (`toLogLine`).
 */
export type TaskEvent =
  | { type: 'status'; task_id: string; creator_id: string; status: TaskStatus; error?: string | null; at: string }
  | { type: 'progress'; task_id: string; creator_id: string; progress: number; message: string | null; at: string }
  | { type: 'log'; task_id: string; creator_id: string; log: TaskLogDto }
  | { type: 'deleted'; task_id: string; creator_id: string; at: string };

export interface ScheduleDto {
  id: string;
  name: string;
  spec: string;
  description: string;
  task_type: string;
  enabled: boolean;
  /** Absent while the schedule is disabled. */
  next_run?: string;
  /** Absent until the schedule first ran. */
  last_run?: string;
}

export type SettingValueType = 'int' | 'bool' | 'string';

/** A registered setting on `GET /api/system/task-settings/fields`; the default as text, as EZ-Console sends it. */
export interface TaskSettingFieldDto {
  key: string;
  value_type: SettingValueType;
  default_value: string;
}

export interface LogStorageBackendDto {
  id: string;
  name: string;
}

export interface BulkResultDto {
  id: string;
  ok: boolean;
  code?: string;
  err?: string;
}
