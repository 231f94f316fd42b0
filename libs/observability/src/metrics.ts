import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MetricNames } from '@taskyard/contracts';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/**
 * The metrics of spec §8 on one registry per process. Each process records the events that
 * happen in it (the api creates, the worker starts and completes, the scheduler watches queues).
 */
export class TaskMetrics {
  readonly registry = new Registry();

  readonly created = new Counter({
    name: MetricNames.TaskCreated,
    help: 'Tasks created',
    labelNames: ['category', 'type'] as const,
    registers: [this.registry],
  });
  readonly started = new Counter({
    name: MetricNames.TaskStarted,
    help: 'Task attempts started on a worker',
    labelNames: ['category', 'type'] as const,
    registers: [this.registry],
  });
  readonly completed = new Counter({
    name: MetricNames.TaskCompleted,
    help: 'Task attempts that reached a terminal status',
    labelNames: ['category', 'type', 'status'] as const,
    registers: [this.registry],
  });
  readonly overflow = new Counter({
    name: MetricNames.TaskQueueOverflow,
    help: 'Enqueue failures (Redis unavailable or rejecting); the reconciler enqueues these tasks later',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly queueLength = new Gauge({
    name: MetricNames.TaskQueueLength,
    help: 'Jobs waiting, delayed or prioritized per queue',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly running = new Gauge({
    name: MetricNames.TaskRunning,
    help: 'Tasks running in this process',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: MetricNames.TaskRunDuration,
    help: 'Runner duration per attempt',
    labelNames: ['type'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly waitDuration = new Histogram({
    name: MetricNames.TaskWaitDuration,
    help: 'Time from task creation to the start of its first attempt',
    labelNames: ['type'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly oldestAge = new Gauge({
    name: MetricNames.TaskQueueOldestAge,
    help: 'Age of the oldest job ready to run per queue (autoscaling signal)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: MetricNames.TaskRecovered,
    help: 'Tasks recovered after a lost worker or job (stalled, reaper, reenqueued, poison, drain, platform)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly jobDropped = new Counter({
    name: MetricNames.TaskJobDropped,
    help: 'Jobs whose claim found nothing to run: moved_on (the task was cancelled, expired or run meanwhile), not_found (no such task in this worker\'s database; the job is failed, not completed, so the reconciler of the database that has the task re-adds it)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly logLinesDropped = new Counter({
    name: MetricNames.TaskLogLinesDropped,
    help: 'Task log lines dropped for good: the log store stayed out of reach and the worker\'s backlog of unsaved lines was full',
    registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: MetricNames.TaskPaused,
    help: '1 while a queue or task type is paused (every process reports what it applies)',
    labelNames: ['scope', 'name'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: MetricNames.TaskRateLimited,
    help: 'Jobs deferred because their task type was at its rate limit',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly timedOut = new Counter({
    name: MetricNames.TaskTimedOut,
    help: 'Runs aborted because they passed their task type timeout',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: MetricNames.SchedulerLeader,
    help: '1 on the scheduler replica that holds leadership',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
