/** Task lifecycle statuses. Persisted and part of the REST contract: never rename. */
export const TaskStatus = {
  Pending: 'pending',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const TASK_STATUSES: readonly TaskStatus[] = Object.values(TaskStatus);
export const TERMINAL_STATUSES: readonly TaskStatus[] = [TaskStatus.Success, TaskStatus.Failed, TaskStatus.Cancelled];

export function isTerminalStatus(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Who a task was started for. `user` tasks show in the header dropdown. */
export const TaskCategory = {
  User: 'user',
  System: 'system',
} as const;
export type TaskCategory = (typeof TaskCategory)[keyof typeof TaskCategory];
export const TASK_CATEGORIES: readonly TaskCategory[] = Object.values(TaskCategory);

/** Creator id recorded for tasks started without an authenticated user. */
export const SYSTEM_CREATOR = 'system';

export const TaskLogLevel = {
  Debug: 'debug',
  Info: 'info',
  Warn: 'warn',
  Error: 'error',
} as const;
export type TaskLogLevel = (typeof TaskLogLevel)[keyof typeof TaskLogLevel];
