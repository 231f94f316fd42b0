import { Module, type DynamicModule } from '@nestjs/common';
import { SchedulingModule, TasksModule } from '@taskyard/tasks';
import type { SchedulerConfig } from './scheduler.config';

/** The scheduler process: leader-elected reconciler, reaper and queue gauges. */
@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [TasksModule.forRoot({ config, role: 'scheduler' }), SchedulingModule],
    };
  }
}
