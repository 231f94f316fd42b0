import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { runContextApp } from '@taskyard/tasks';
import { WorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig(WorkerConfig, process.env);
  await runContextApp({ name: 'worker', module: WorkerModule.forRoot(config), config, port: config.WORKER_METRICS_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
