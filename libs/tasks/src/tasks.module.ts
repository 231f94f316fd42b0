import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { PgFileStore } from '@taskyard/files';
import { TaskMetrics } from '@taskyard/observability';
import { checkSearchPath, createDataSource } from '@taskyard/persistence';
import { Fleet } from './cluster/fleet';
import { TaskControlsService } from './controls/task-controls.service';
import { CancelBus } from './events/cancel-bus';
import { TaskEventPublisher } from './events/task-event-bus';
import { defaultLogStoreRegistry, LogStoreRegistry, LogStoreSet, TaskLogReader } from './logs/log-store';
import { RedisConnections, type RedisClient } from './queue/redis-connections';
import { TaskQueues } from './queue/task-queues';
import { defaultTaskRegistry, TaskRegistry } from './registry/task-registry';
import { TaskRunnerExplorer } from './registry/task-runner.explorer';
import { defaultTaskSettingsRegistry, TaskSettingKeys, TaskSettingsRegistry, TaskSettingsService } from './settings/task-settings';
import { Db } from './state/db';
import { TaskStateMachine } from './state/task-state-machine';
import { TaskService } from './task.service';
import { LogCleanupRunner, RetentionCleanupRunner } from './maintenance/maintenance.runners';
import { ScheduleService } from './scheduling/schedule.service';
import { defaultScheduledJobRegistry, ScheduledJobRegistry } from './scheduling/scheduled-job.registry';
import type { TasksConfig } from './tasks.config';
import { withDbRetry } from './util/db-retry';
import { CURRENT_LOG_STORE, REDIS_COMMANDS, REDIS_CONNECTIONS, TASKS_CONFIG, TASK_METRICS, TASK_REGISTRY, type CurrentLogStore } from './tokens';


export interface TasksModuleOptions {
  config: TasksConfig;
  /** `api` connections fail fast while Redis is down (requests get 503 instead of hanging). */
  role: 'api' | 'worker' | 'scheduler';
  registry?: TaskRegistry;
  settingsRegistry?: TaskSettingsRegistry;
  logStores?: LogStoreRegistry;
  scheduledJobs?: ScheduledJobRegistry;
  metrics?: TaskMetrics;
}

/**
 * The task platform as Nest providers: data source, Redis connections, state machine, queues,
 * events, settings, log stores, files and the module-author `TaskService`. Global, so
 * feature modules inject `TaskService` wherever they start tasks.
 */
@Global()
@Module({})
export class TasksModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    private readonly dataSource: DataSource,
    private readonly queues: TaskQueues,
    private readonly events: TaskEventPublisher,
    private readonly settings: TaskSettingsService,
    private readonly controls: TaskControlsService,
  ) {}

  static forRoot(options: TasksModuleOptions): DynamicModule {
    const { config } = options;
    const providers: Provider[] = [
      { provide: TASKS_CONFIG, useValue: config },
      { provide: TASK_REGISTRY, useValue: options.registry ?? defaultTaskRegistry },
      { provide: TaskSettingsRegistry, useValue: options.settingsRegistry ?? defaultTaskSettingsRegistry },
      { provide: LogStoreRegistry, useValue: options.logStores ?? defaultLogStoreRegistry },
      { provide: ScheduledJobRegistry, useValue: options.scheduledJobs ?? defaultScheduledJobRegistry },
      { provide: TASK_METRICS, useValue: options.metrics ?? new TaskMetrics() },
      {
        provide: DataSource,
        useFactory: async () => {
          const ds = createDataSource({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, poolSize: config.DATABASE_POOL_SIZE, applicationName: `taskyard-${options.role}` });
          await ds.initialize();
          await checkSearchPath(ds, config.DATABASE_SCHEMA);
          return ds;
        },
      },
      { provide: Db, useFactory: (ds: DataSource) => new Db(ds), inject: [DataSource] },
      { provide: REDIS_CONNECTIONS, useFactory: () => new RedisConnections(config.redis, config.redisPrefix, options.role === 'api') },
      { provide: REDIS_COMMANDS, useFactory: (c: RedisConnections) => c.create('commands'), inject: [REDIS_CONNECTIONS] },
      { provide: TaskStateMachine, useFactory: (db: Db) => new TaskStateMachine(db), inject: [Db] },
      { provide: TaskQueues, useFactory: (c: RedisConnections) => new TaskQueues(c), inject: [REDIS_CONNECTIONS] },
      { provide: TaskEventPublisher, useFactory: (r: RedisClient, c: RedisConnections) => new TaskEventPublisher(r, c), inject: [REDIS_COMMANDS, REDIS_CONNECTIONS] },
      { provide: CancelBus, useFactory: (c: RedisConnections) => new CancelBus(c), inject: [REDIS_CONNECTIONS] },
      { provide: PgFileStore, useFactory: (db: Db) => new PgFileStore(db.pool, (write) => withDbRetry(write, config.DB_RETRY_BUDGET_MS)), inject: [Db] },
      {
        provide: TaskSettingsService,
        useFactory: async (db: Db, registry: TaskSettingsRegistry, c: RedisConnections, stores: LogStoreRegistry) => {
          const settings = new TaskSettingsService(db, registry, c, (key, value) =>
            key === TaskSettingKeys.LogStorageBackend && !stores.has(String(value)) ? `unknown log storage backend: ${String(value)}` : null,
          );
          await settings.watch(c.create('subscriber'));
          return settings;
        },
        inject: [Db, TaskSettingsRegistry, REDIS_CONNECTIONS, LogStoreRegistry],
      },
      {
        provide: TaskControlsService,
        useFactory: async (db: Db, c: RedisConnections, metrics: TaskMetrics) => {
          const controls = new TaskControlsService(db, c, metrics);
          await controls.watch(c.create('subscriber'));
          return controls;
        },
        inject: [Db, REDIS_CONNECTIONS, TASK_METRICS],
      },
      {
        provide: Fleet,
        useFactory: (redis: RedisClient, c: RedisConnections) => new Fleet(redis, c, config.RUN_LEASE_MS, config.HEARTBEAT_INTERVAL_MS),
        inject: [REDIS_COMMANDS, REDIS_CONNECTIONS],
      },
      {
        provide: LogStoreSet,
        useFactory: (db: Db, redis: RedisClient, c: RedisConnections, stores: LogStoreRegistry, settings: TaskSettingsService) =>
          new LogStoreSet(stores, { db, redis, connections: c, retentionDays: () => settings.getInt(TaskSettingKeys.LogRetentionDays) }),
        inject: [Db, REDIS_COMMANDS, REDIS_CONNECTIONS, LogStoreRegistry, TaskSettingsService],
      },
      {
        provide: CURRENT_LOG_STORE,
        useFactory: (set: LogStoreSet, settings: TaskSettingsService): CurrentLogStore => () => set.get(settings.getString(TaskSettingKeys.LogStorageBackend)),
        inject: [LogStoreSet, TaskSettingsService],
      },
      { provide: TaskLogReader, useFactory: (set: LogStoreSet) => new TaskLogReader(() => set.all()), inject: [LogStoreSet] },
      {
        provide: TaskService,
        useFactory: (states: TaskStateMachine, queues: TaskQueues, registry: TaskRegistry, events: TaskEventPublisher, cancel: CancelBus, redis: RedisClient, metrics: TaskMetrics, ds: DataSource) =>
          new TaskService(config, states, queues, registry, events, cancel, redis, metrics, ds),
        inject: [TaskStateMachine, TaskQueues, TASK_REGISTRY, TaskEventPublisher, CancelBus, REDIS_COMMANDS, TASK_METRICS, DataSource],
      },
      {
        provide: ScheduleService,
        useFactory: (db: Db, registry: ScheduledJobRegistry, tasks: TaskService, redis: RedisClient, c: RedisConnections) => new ScheduleService(db, registry, tasks, redis, c),
        inject: [Db, ScheduledJobRegistry, TaskService, REDIS_COMMANDS, REDIS_CONNECTIONS],
      },
      TaskRunnerExplorer,
      LogCleanupRunner,
      RetentionCleanupRunner,
    ];
    return {
      module: TasksModule,
      imports: [DiscoveryModule],
      providers,
      exports: providers.filter((p): p is Exclude<Provider, Type> => typeof p !== 'function').map((p) => p.provide).concat([TaskRunnerExplorer, LogCleanupRunner, RetentionCleanupRunner]),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.settings.stop();
    this.controls.stop();
    await this.events.flush();
    await this.queues.close();
    await this.connections.closeAll();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
