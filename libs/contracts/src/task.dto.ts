import type { TaskCategory, TaskLogLevel, TaskStatus } from './task-status';

/** JSON value stored as payload or result. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A task as the REST API returns it (snake_case, spec §3). */
export interface TaskDto {
  id: string;
  type: string;
  status: TaskStatus;
  progress: number;
  progress_message: string | null;
  result: JsonValue | null;
  error: string | null;
  creator_id: string;
  /** Username of the creator (absent where the API does not resolve it, null for `system` or a removed user). */
  creator_name?: string | null;
  category: TaskCategory;
  cron_schedule_id: string | null;
  artifact_file_key: string | null;
  artifact_file_name: string | null;
  retry_count: number;
  auto_retry_count: number;
  max_retries: number;
  priority: number;
  payload: JsonValue | null;
  not_before: string | null;
  not_after: string | null;
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface TaskLogDto {
  id: string;
  task_id: string;
  level: TaskLogLevel;
  message: string;
  created_at: string;
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

/** Events on `GET /api/tasks/events` (SSE `event:` names). */
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
  next_run: string | null;
  last_run: string | null;
}

export type SettingValueType = 'int' | 'bool' | 'string';

export interface TaskSettingFieldDto {
  key: string;
  value_type: SettingValueType;
  default_value: number | boolean | string;
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
