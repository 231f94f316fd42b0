import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '@taskyard/config';
import { configureLogging } from '@taskyard/observability';
import {
  Db,
  defaultScheduledJobRegistry,
  REDIS_COMMANDS,
  ScheduleService,
  TaskQueues,
  TaskRegistry,
  TaskService,
  TaskSettingsService,
  TasksConfig,
  TaskStateMachine,
  TasksModule,
  type TaskRecord,
  type RedisClient,
} from '@taskyard/tasks';
import { waitFor } from './test-env';
import { registerTestSchedules, registerTestTaskTypes } from './test-task-types';

/** The task platform in the test process, as a module author's API process would have it. */
export const PARKED_TYPE = 't_parked';

export interface Platform {
  app: INestApplicationContext;
  tasks: TaskService;
  states: TaskStateMachine;
  queues: TaskQueues;
  schedules: ScheduleService;
  settings: TaskSettingsService;
  dataSource: DataSource;
  db: Db;
  redis: RedisClient;
  config: TasksConfig;
  get(id: string): Promise<TaskRecord>;
  /** Waits until the task is success, failed or cancelled. */
  finished(id: string, timeoutMs?: number): Promise<TaskRecord>;
  close(): Promise<void>;
}

export async function startPlatform(env: Record<string, string>): Promise<Platform> {
  configureLogging('error');
  const config = loadConfig(TasksConfig, env);
  const registry = new TaskRegistry();
  registerTestTaskTypes(registry);
  // Known only to the test process: its jobs go to a queue no worker consumes, so a test can
  // hold a task pending (or drive its state machine by hand) without racing a worker.
  registry.registerFuncTaskType(PARKED_TYPE, async () => null, { queue: 'tests-parked' });
  registerTestSchedules(defaultScheduledJobRegistry);
  const app = await NestFactory.createApplicationContext(TasksModule.forRoot({ config, role: 'api', registry }), { logger: false });
  const states = app.get(TaskStateMachine);
  return {
    app,
    tasks: app.get(TaskService),
    states,
    queues: app.get(TaskQueues),
    schedules: app.get(ScheduleService),
    settings: app.get(TaskSettingsService),
    dataSource: app.get(DataSource),
    db: app.get(Db),
    redis: app.get<RedisClient>(REDIS_COMMANDS),
    config,
    async get(id: string) {
      const row = await states.find(id);
      if (!row) throw new Error(`task ${id} not found`);
      return row;
    },
    finished(id: string, timeoutMs = 20_000) {
      return waitFor(async () => {
        const t = await states.find(id);
        return t && ['success', 'failed', 'cancelled'].includes(t.status) ? t : null;
      }, timeoutMs, `task ${id} to finish`);
    },
    close: () => app.close(),
  };
}
