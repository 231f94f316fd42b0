import { ToInt } from '@taskyard/config';
import { TasksConfig } from '@taskyard/tasks';
import { IsInt, Max, Min } from 'class-validator';

export class WorkerConfig extends TasksConfig {
  /** Port of `/metrics` and `/health/*` (0 picks a free port). */
  @ToInt() @IsInt() @Min(0) @Max(65535)
  WORKER_METRICS_PORT = 9101;
}
