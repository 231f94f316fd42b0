// A real scheduler process (the production bootstrap) that knows the integration tests' task types.
import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { defaultScheduledJobRegistry, defaultTaskRegistry, runContextApp } from '@taskyard/tasks';
import { SchedulerConfig } from '../../apps/scheduler/src/scheduler.config';
import { SchedulerModule } from '../../apps/scheduler/src/scheduler.module';
import { registerTestSchedules, registerTestTaskTypes } from './test-task-types';

registerTestTaskTypes(defaultTaskRegistry);
registerTestSchedules(defaultScheduledJobRegistry);
const config = loadConfig(SchedulerConfig, { ...process.env, SCHEDULER_METRICS_PORT: process.env.SCHEDULER_METRICS_PORT ?? '0' });
void runContextApp({ name: 'scheduler', module: SchedulerModule.forRoot(config), config, port: config.SCHEDULER_METRICS_PORT });
