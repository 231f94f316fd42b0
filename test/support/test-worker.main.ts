// A real worker process (the production bootstrap) hosting the integration tests' task types.
import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { defaultTaskRegistry, runContextApp } from '@taskyard/tasks';
import { WorkerConfig } from '../../apps/worker/src/worker.config';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { registerTestTaskTypes } from './test-task-types';

registerTestTaskTypes(defaultTaskRegistry);
const config = loadConfig(WorkerConfig, { ...process.env, WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT ?? '0' });
void runContextApp({ name: 'worker', module: WorkerModule.forRoot(config), config, port: config.WORKER_METRICS_PORT });
