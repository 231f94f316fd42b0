// A production worker process hosting the benchmark task types.
import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { defaultTaskRegistry, runContextApp } from '@taskyard/tasks';
import { WorkerConfig } from '../../apps/worker/src/worker.config';
import { WorkerModule } from '../../apps/worker/src/worker.module';

defaultTaskRegistry.registerFuncTaskType('bench_noop', async () => null);
defaultTaskRegistry.registerFuncTaskType('bench_mark', async (ctx) => {
  // Start-latency probe: the runner reports when it started.
  process.stdout.write(`${JSON.stringify({ bench: 'started', id: ctx.task.id, at: Date.now() })}\n`);
  return null;
});
const config = loadConfig(WorkerConfig, { ...process.env, WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT ?? '0' });
void runContextApp({ name: 'worker', module: WorkerModule.forRoot(config), config, port: config.WORKER_METRICS_PORT });
