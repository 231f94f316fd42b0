import { ToInt } from '@taskyard/config';
import { TasksConfig } from '@taskyard/tasks';
import { IsInt, Max, Min } from 'class-validator';

export class SchedulerConfig extends TasksConfig {
  @ToInt() @IsInt() @Min(0) @Max(65535)
  SCHEDULER_METRICS_PORT = 9102;
}
