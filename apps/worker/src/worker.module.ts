import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { ExamplesRunnersModule, registerExampleSchedules } from '@taskyard/examples';
import { TaskWorkerModule, TasksModule } from '@taskyard/tasks';
import type { WorkerConfig } from './worker.config';

/** The worker process: the task platform plus the modules whose runners it hosts. */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, runnerModules: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    if (config.EXAMPLES_ENABLED) registerExampleSchedules();
    return {
      module: WorkerModule,
      imports: [
        TasksModule.forRoot({ config, role: 'worker' }),
        ...(config.EXAMPLES_ENABLED ? [ExamplesRunnersModule] : []),
        ...runnerModules,
        TaskWorkerModule,
      ],
    };
  }
}
