import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PgFileStore } from '@taskyard/files';
import type { TaskMetrics } from '@taskyard/observability';
import { Fleet } from '../cluster/fleet';
import { RateLimiter } from '../controls/rate-limiter';
import { TaskControlsService } from '../controls/task-controls.service';
import { CancelBus } from '../events/cancel-bus';
import { TaskEventPublisher } from '../events/task-event-bus';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import { TaskQueues } from '../queue/task-queues';
import type { TaskRegistry } from '../registry/task-registry';
import { TaskSettingsService } from '../settings/task-settings';
import { TaskStateMachine } from '../state/task-state-machine';
import type { TasksConfig } from '../tasks.config';
import { CURRENT_LOG_STORE, REDIS_COMMANDS, REDIS_CONNECTIONS, TASKS_CONFIG, TASK_METRICS, TASK_REGISTRY, type CurrentLogStore } from '../tokens';
import { TaskLogSink } from './task-log-sink';
import { TaskWorker } from './task-worker';

/** Log lines a worker keeps in memory while the log store is out of reach. */
const LOG_BACKLOG_LINES = 20_000;

/** Runs the worker inside a Nest application context: starts on bootstrap, drains on shutdown. */
@Module({
  providers: [
    {
      provide: TaskLogSink,
      useFactory: (config: TasksConfig, store: CurrentLogStore, events: TaskEventPublisher, metrics: TaskMetrics) =>
        new TaskLogSink(store, events, config.TASK_LOG_MAX_LINES, config.TASK_LOG_MAX_LINE_LENGTH, {
          budgetMs: config.DB_RETRY_BUDGET_MS,
          maxBacklog: LOG_BACKLOG_LINES,
          onDropped: (count) => metrics.logLinesDropped.inc(count),
        }),
      inject: [TASKS_CONFIG, CURRENT_LOG_STORE, TaskEventPublisher, TASK_METRICS],
    },
    {
      provide: TaskWorker,
      useFactory: (
        config: TasksConfig,
        registry: TaskRegistry,
        states: TaskStateMachine,
        queues: TaskQueues,
        connections: RedisConnections,
        redis: RedisClient,
        metrics: TaskMetrics,
        events: TaskEventPublisher,
        cancelBus: CancelBus,
        settings: TaskSettingsService,
        logs: TaskLogSink,
        files: PgFileStore,
        controls: TaskControlsService,
      ) => new TaskWorker({ config, registry, states, queues, connections, redis, metrics, events, cancelBus, settings, logs, files, controls, limiter: new RateLimiter(redis, connections) }),
      inject: [
        TASKS_CONFIG, TASK_REGISTRY, TaskStateMachine, TaskQueues, REDIS_CONNECTIONS, REDIS_COMMANDS, TASK_METRICS, TaskEventPublisher, CancelBus,
        TaskSettingsService, TaskLogSink, PgFileStore, TaskControlsService,
      ],
    },
  ],
  exports: [TaskWorker],
})
export class TaskWorkerModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly worker: TaskWorker,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    private readonly fleet: Fleet,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.worker.start(this.config.WORKER_QUEUES);
    await this.fleet.join(() => this.worker.describe());
  }

  async beforeApplicationShutdown(): Promise<void> {
    // In the fleet until drained: its runs are still its own while it finishes them.
    await this.worker.stop();
    await this.fleet.leave();
  }
}
