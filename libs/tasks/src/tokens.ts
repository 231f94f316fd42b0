import type { TaskLogStore } from './logs/log-store';

/** Nest injection tokens of the tasks lib. */
export const TASK_REGISTRY = Symbol('TASK_REGISTRY');
export const TASKS_CONFIG = Symbol('TASKS_CONFIG');
export const TASK_METRICS = Symbol('TASK_METRICS');
export const REDIS_CONNECTIONS = Symbol('REDIS_CONNECTIONS');
/** The Redis connection for plain commands (publish, pipelines) of this process. */
export const REDIS_COMMANDS = Symbol('REDIS_COMMANDS');
/** Resolves the log store selected by `task_log_storage_backend`, at call time. */
export const CURRENT_LOG_STORE = Symbol('CURRENT_LOG_STORE');
export type CurrentLogStore = () => TaskLogStore;
