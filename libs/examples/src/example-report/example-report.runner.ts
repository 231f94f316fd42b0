import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { TaskCancelledError, TaskRunnerFor, type TaskRunContext, type TaskRunner } from '@taskyard/tasks';
import { csvLine } from '../csv';
import { EXAMPLE_REPORT_TYPE, type ExampleReportPayload, type ExampleReportResult } from './example-report.types';

/**
 * A demo report: one log line and one progress update per step, a CSV artifact at the end,
 * optional simulated failures (to watch automatic retries), and a prompt stop on cancel
 * (the sleep itself is aborted by the signal).
 */
@Injectable()
@TaskRunnerFor(EXAMPLE_REPORT_TYPE)
export class ExampleReportRunner implements TaskRunner<ExampleReportPayload, ExampleReportResult> {
  async run(ctx: TaskRunContext<ExampleReportPayload>): Promise<ExampleReportResult> {
    const { steps, step_ms: stepMs, fail_at_step: failAt, fail_attempts: failAttempts } = ctx.task.payload;
    const lines = [csvLine(['step', 'finished_at'])];
    // Every start counts, automatic and manual retries alike (a manual retry resets
    // auto_retry_count, so that would restart at attempt 1 and never get past fail_attempts).
    const attempt = ctx.task.attempt;
    ctx.logger.info(`report started: ${steps} steps of ${stepMs} ms (attempt ${attempt})`);
    for (let step = 1; step <= steps; step++) {
      try {
        await sleep(stepMs, undefined, { signal: ctx.signal });
      } catch {
        throw new TaskCancelledError(`report cancelled at step ${step}/${steps}`);
      }
      if (step === failAt && (failAttempts === null || attempt <= failAttempts)) {
        ctx.logger.error(`simulated failure at step ${step}`);
        throw new Error(`simulated failure at step ${step} (attempt ${attempt})`);
      }
      lines.push(csvLine([step, new Date().toISOString()]));
      ctx.logger.info(`step ${step}/${steps} done`);
      ctx.progress((step / steps) * 100, `step ${step}/${steps}`);
    }
    ctx.throwIfCancelled();
    await ctx.saveArtifact(lines.join(''), { fileName: `example-report-${ctx.task.id}.csv`, contentType: 'text/csv; charset=utf-8' });
    ctx.logger.info('report finished');
    return { steps };
  }
}
