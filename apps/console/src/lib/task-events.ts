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
        progress_message: event.message ?? undefined,
        status: task.status === TaskStatus.Pending ? TaskStatus.Running : task.status,
      };
    case 'status': {
      const next: TaskDto = { ...task, status: event.status, updated_at: event.at };
      if (event.error !== undefined) next.error = event.error ?? undefined;
      if (event.status === TaskStatus.Success) next.progress = 100;
      if (event.status === TaskStatus.Pending && isTerminalStatus(task.status)) {
        // Manual retry resets the run (spec §3).
        next.progress = 0;
        next.cancel_requested = false;
        const { progress_message: _message, error: _error, result: _result, ...rest } = next;
        return rest;
      }
      return next;
    }
    case 'log':
    case 'deleted':
      return task;
  }
}

/**
 * Merges a task re-read from the REST API over the one shown. The API persists progress at most
 * every PROGRESS_PERSIST_MS, so during a run the stored value can lag behind what the live
 * events already showed: within the same active run the bar must not go backwards.
 */
export function mergeFetchedTask(shown: TaskDto | null | undefined, fetched: TaskDto): TaskDto {
  if (
    !shown ||
    shown.id !== fetched.id ||
    !isActive(shown) ||
    !isActive(fetched) ||
    shown.retry_count !== fetched.retry_count ||
    shown.auto_retry_count !== fetched.auto_retry_count ||
    fetched.progress >= shown.progress
  ) {
    return fetched;
  }
  return { ...fetched, progress: shown.progress, progress_message: shown.progress_message };
}

/** `mergeFetchedTask` for a freshly fetched list. */
export function mergeFetchedTasks(shown: readonly TaskDto[], fetched: readonly TaskDto[]): TaskDto[] {
  const byId = new Map(shown.map((t) => [t.id, t]));
  return fetched.map((t) => mergeFetchedTask(byId.get(t.id), t));
}

export function clampProgress(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, Math.round(value)));
}

export function isActive(task: Pick<TaskDto, 'status'>): boolean {
  return task.status === TaskStatus.Pending || task.status === TaskStatus.Running;
}
