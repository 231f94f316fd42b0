import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { runContextApp } from '@taskyard/tasks';
import { SchedulerConfig } from './scheduler.config';
import { SchedulerModule } from './scheduler.module';

async function main(): Promise<void> {
  const config = loadConfig(SchedulerConfig, process.env);
  await runContextApp({ name: 'scheduler', module: SchedulerModule.forRoot(config), config, port: config.SCHEDULER_METRICS_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
