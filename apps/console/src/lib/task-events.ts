import { isTerminalStatus, TaskStatus, type TaskDto, type TaskEvent } from '@taskyard/contracts';

/**
 * Applies a live event to a task row. Fields an event does not carry (result, artifact,
 * timestamps) are refreshed by the caller from the REST API after a status change.
 */
export function applyTaskEvent(task: TaskDto, event: TaskEvent): TaskDto {
  if (event.task_id !== task.id) return task;
  switch (event.type) {
    case 'progress':
      // A late progress line must not drag a finished task's bar backwards.
      if (isTerminalStatus(task.status)) return task;
      return {
        ...task,
        progress: clampProgress(event.progress),
        progress_message: event.message,
        status: task.status === TaskStatus.Pending ? TaskStatus.Running : task.status,
      };
    case 'status': {
      const next: TaskDto = { ...task, status: event.status, updated_at: event.at };
      if (event.error !== undefined) next.error = event.error;
      if (event.status === TaskStatus.Success) next.progress = 100;
      if (event.status === TaskStatus.Pending && isTerminalStatus(task.status)) {
        // Manual retry resets the run (spec §3).
        next.progress = 0;
        next.progress_message = null;
        next.error = null;
        next.result = null;
        next.cancel_requested = false;
      }
      return next;
    }
    case 'log':
    case 'deleted':
      return task;
  }
}

export function clampProgress(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, Math.round(value)));
}

export function isActive(task: Pick<TaskDto, 'status'>): boolean {
  return task.status === TaskStatus.Pending || task.status === TaskStatus.Running;
}
