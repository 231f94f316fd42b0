/** Nest injection tokens of the tasks lib. */
export const TASK_REGISTRY = Symbol('TASK_REGISTRY');
export const TASKS_CONFIG = Symbol('TASKS_CONFIG');
export const TASK_METRICS = Symbol('TASK_METRICS');
export const REDIS_CONNECTIONS = Symbol('REDIS_CONNECTIONS');
