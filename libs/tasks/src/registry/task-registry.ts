import { DEFAULT_QUEUE, type JsonValue } from '@taskyard/contracts';
import { InvalidTaskOptionsError, TaskTypeAlreadyRegisteredError } from '../errors';
import { checkRateLimit, type RateLimit } from '../controls/task-controls.service';
import type { TaskFunc, TaskRunner, TaskTypeOptions } from '../runner/runner.types';

export interface RegisteredTaskType {
  type: string;
  runner: TaskRunner<never, unknown>;
  queue: string;
  concurrency: number | undefined;
  maxRetries: number | undefined;
  timeoutMs: number | undefined;
  rateLimit: RateLimit | undefined;
}

const TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
const QUEUE_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
/** Node's timers overflow (and fire at once) past 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Task types known to this process: which runner runs a type, on which queue. */
export class TaskRegistry {
  private readonly types = new Map<string, RegisteredTaskType>();

  /** Registers a runner object for a task type. A duplicate type is an error. */
  registerTaskType<P = JsonValue, R = unknown>(type: string, runner: TaskRunner<P, R>, options: TaskTypeOptions = {}): void {
    if (!TYPE_PATTERN.test(type)) throw new InvalidTaskOptionsError(`invalid task type name: ${JSON.stringify(type)}`);
    if (this.types.has(type)) throw new TaskTypeAlreadyRegisteredError(type);
    const queue = options.queue ?? DEFAULT_QUEUE;
    if (!QUEUE_PATTERN.test(queue)) throw new InvalidTaskOptionsError(`invalid queue name: ${JSON.stringify(queue)}`);
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency > 0)) {
      throw new InvalidTaskOptionsError(`concurrency of ${type} must be a positive integer`);
    }
    if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMER_MS)) {
      throw new InvalidTaskOptionsError(`timeoutMs of ${type} must be a positive integer of at most ${MAX_TIMER_MS}`);
    }
    if (options.rateLimit !== undefined) checkRateLimit(options.rateLimit, type);
    this.types.set(type, {
      type,
      runner,
      queue,
      concurrency: options.concurrency,
      maxRetries: options.maxRetries,
      timeoutMs: options.timeoutMs,
      rateLimit: options.rateLimit && { ...options.rateLimit },
    });
  }

  /** Registers a function as the runner of a task type. */
  registerFuncTaskType<P = JsonValue, R = unknown>(type: string, fn: TaskFunc<P, R>, options?: TaskTypeOptions): void {
    this.registerTaskType<P, R>(type, { run: fn }, options);
  }

  get(type: string): RegisteredTaskType | undefined {
    return this.types.get(type);
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** Queue a type runs on; unknown types go to the default queue, where they fail loudly. */
  queueOf(type: string): string {
    return this.types.get(type)?.queue ?? DEFAULT_QUEUE;
  }

  queues(): string[] {
    return [...new Set([...this.types.values()].map((t) => t.queue))].sort();
  }

  all(): RegisteredTaskType[] {
    return [...this.types.values()];
  }
}

/**
 * The process-wide registry that `registerTaskType` and friends write to, like the seed's
 * package-level registration. TasksModule uses it unless given another.
 */
export const defaultTaskRegistry = new TaskRegistry();

/** Registers a runner object for a task type in the process-wide registry. */
export function registerTaskType<P = JsonValue, R = unknown>(type: string, runner: TaskRunner<P, R>, options?: TaskTypeOptions): void {
  defaultTaskRegistry.registerTaskType(type, runner, options);
}

/** Registers a function runner for a task type in the process-wide registry. */
export function registerFuncTaskType<P = JsonValue, R = unknown>(type: string, fn: TaskFunc<P, R>, options?: TaskTypeOptions): void {
  defaultTaskRegistry.registerFuncTaskType(type, fn, options);
}
