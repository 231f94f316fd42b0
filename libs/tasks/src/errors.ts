/**
 * Domain errors of the tasks lib. Each has a stable code; the API's exception filter maps
 * codes to HTTP statuses. Services never throw HTTP exceptions.
 */
export abstract class TaskDomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class TaskNotFoundError extends TaskDomainError {
  readonly code = 'TASK_NOT_FOUND';
  constructor(readonly taskId: string) {
    super(`task not found: ${taskId}`);
  }
}

export class InvalidTransitionError extends TaskDomainError {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly taskId: string,
    readonly action: string,
    readonly status: string,
  ) {
    super(`cannot ${action} a task that is ${status}`);
  }
}

export class InvalidTaskOptionsError extends TaskDomainError {
  readonly code = 'INVALID_TASK_OPTIONS';
}

export class TaskTypeAlreadyRegisteredError extends TaskDomainError {
  readonly code = 'TASK_TYPE_DUPLICATE';
  constructor(readonly type: string) {
    super(`task type already registered: ${type}`);
  }
}

export class TaskTypeNotRegisteredError extends TaskDomainError {
  readonly code = 'TASK_TYPE_NOT_REGISTERED';
  constructor(readonly type: string) {
    super(`task type not registered: ${type}`);
  }
}

/** A dependency (PostgreSQL, Redis) is unavailable; the API answers 503. */
export class DependencyUnavailableError extends TaskDomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';
  constructor(
    readonly dependency: 'postgres' | 'redis',
    cause?: unknown,
  ) {
    super(`${dependency} is unavailable${cause instanceof Error ? `: ${cause.message}` : ''}`);
  }
}

/**
 * Thrown by a runner to fail the task without automatic retries (bad input, a permanent
 * condition). Any other error is retried while `auto_retry_count < max_retries`.
 */
export class UnrecoverableTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableTaskError';
  }
}

/** Thrown by a runner (or by `ctx.throwIfCancelled()`) once its signal fired. */
export class TaskCancelledError extends Error {
  constructor(message = 'task cancelled') {
    super(message);
    this.name = 'TaskCancelledError';
  }
}

/** The abort reason of a run that passed its type's `timeoutMs`; its message is the recorded error. */
export class TaskTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`task timed out after ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
  }
}
