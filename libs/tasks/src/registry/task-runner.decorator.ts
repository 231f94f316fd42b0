import { SetMetadata } from '@nestjs/common';
import type { TaskTypeOptions } from '../runner/runner.types';

export const TASK_RUNNER_METADATA = 'taskyard:task-runner';

export interface TaskRunnerMetadata extends TaskTypeOptions {
  type: string;
}

/**
 * Marks an injectable class implementing `TaskRunner` as the runner of a task type. The
 * tasks module discovers it through Nest's DiscoveryService and registers the instance.
 *
 * @example
 * ＠Injectable() ＠TaskRunnerFor('report', { queue: 'reports', concurrency: 4 })
 * export class ReportRunner implements TaskRunner<ReportPayload> { async run(ctx) { ... } }
 */
export function TaskRunnerFor(type: string, options: TaskTypeOptions = {}): ClassDecorator {
  return SetMetadata<string, TaskRunnerMetadata>(TASK_RUNNER_METADATA, { ...options, type });
}
