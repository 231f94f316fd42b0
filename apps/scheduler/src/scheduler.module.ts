import { Module, type DynamicModule } from '@nestjs/common';
import { ExamplesRunnersModule, registerExampleSchedules } from '@taskyard/examples';
import { SchedulingModule, TasksModule } from '@taskyard/tasks';
import type { SchedulerConfig } from './scheduler.config';

/** The scheduler process: leader-elected reconciler, reaper and queue gauges. */
@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    // Definitions and runners of every module are known here, so startup can refuse a cron
    // job whose task type has no runner.
    if (config.EXAMPLES_ENABLED) registerExampleSchedules();
    return {
      module: SchedulerModule,
      imports: [TasksModule.forRoot({ config, role: 'scheduler' }), ...(config.EXAMPLES_ENABLED ? [ExamplesRunnersModule] : []), SchedulingModule],
    };
  }
}
