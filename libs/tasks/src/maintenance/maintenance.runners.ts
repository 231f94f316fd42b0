import { Injectable } from '@nestjs/common';
import { PgFileStore } from '@taskyard/files';
import { LogStoreSet } from '../logs/log-store';
import { TaskRunnerFor } from '../registry/task-runner.decorator';
import type { TaskRunContext, TaskRunner } from '../runner/runner.types';
import { defaultScheduledJobRegistry } from '../scheduling/scheduled-job.registry';
import { TaskSettingKeys, TaskSettingsService } from '../settings/task-settings';
import { Db } from '../state/db';

export const LOG_CLEANUP_TYPE = 'task_log_cleanup';
export const RETENTION_CLEANUP_TYPE = 'task_retention_cleanup';

const DAY_MS = 86_400_000;
const BATCH = 1_000;

/** Deletes stored task logs older than `task_log_retention_days`. */
@Injectable()
@TaskRunnerFor(LOG_CLEANUP_TYPE)
export class LogCleanupRunner implements TaskRunner<null, { deleted: number; before: string }> {
  constructor(
    private readonly settings: TaskSettingsService,
    private readonly logStores: LogStoreSet,
  ) {}

  async run(ctx: TaskRunContext<null>): Promise<{ deleted: number; before: string }> {
    // A daily job reads the setting fresh rather than trusting this process's cached copy.
    await this.settings.load();
    const before = new Date(Date.now() - this.settings.getInt(TaskSettingKeys.LogRetentionDays) * DAY_MS);
    // Lines written while another backend was selected are cleaned up too.
    let deleted = 0;
    for (const store of this.logStores.all()) deleted += await store.deleteOlderThan(before);
    ctx.logger.info(`deleted ${deleted} log lines older than ${before.toISOString()}`);
    return { deleted, before: before.toISOString() };
  }
}

/** Removes finished (and soft-deleted) tasks older than `task_retention_days`, with logs and artifacts. */
@Injectable()
@TaskRunnerFor(RETENTION_CLEANUP_TYPE)
export class RetentionCleanupRunner implements TaskRunner<null, { deleted: number; before: string }> {
  constructor(
    private readonly db: Db,
    private readonly settings: TaskSettingsService,
    private readonly files: PgFileStore,
    private readonly logStores: LogStoreSet,
  ) {}

  async run(ctx: TaskRunContext<null>): Promise<{ deleted: number; before: string }> {
    await this.settings.load();
    const before = new Date(Date.now() - this.settings.getInt(TaskSettingKeys.RetentionDays) * DAY_MS);
    let deleted = 0;
    for (;;) {
      ctx.throwIfCancelled();
      const rows = await this.db.rows<{ id: string; artifact_file_key: string | null }>(
        `DELETE FROM tasks WHERE id IN (
           SELECT id FROM tasks
            WHERE (deleted_at IS NULL AND status IN ('success', 'failed', 'cancelled') AND finished_at < $1)
               OR (deleted_at IS NOT NULL AND (deleted_at < $1 OR (status IN ('success', 'failed', 'cancelled') AND finished_at < $1)))
            LIMIT $2)
         RETURNING id, artifact_file_key`,
        [before, BATCH],
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.id);
      await this.db.rows(`DELETE FROM files WHERE task_id = ANY($1::uuid[])`, [ids]);
      await this.files.delete(rows.map((r) => r.artifact_file_key).filter((k): k is string => k !== null));
      for (const store of this.logStores.all()) await store.deleteForTasks(ids);
      deleted += rows.length;
      if (rows.length < BATCH) break;
    }
    ctx.logger.info(`removed ${deleted} tasks finished before ${before.toISOString()}`);
    return { deleted, before: before.toISOString() };
  }
}

defaultScheduledJobRegistry.register({
  id: 'task-log-cleanup',
  name: 'Task log clean-up',
  spec: '17 3 * * *',
  description: 'Deletes stored task logs older than task_log_retention_days',
  taskType: LOG_CLEANUP_TYPE,
  maxRetries: 2,
});

defaultScheduledJobRegistry.register({
  id: 'task-retention-cleanup',
  name: 'Task retention clean-up',
  spec: '37 3 * * *',
  description: 'Removes finished tasks, their logs and artifacts older than task_retention_days',
  taskType: RETENTION_CLEANUP_TYPE,
  maxRetries: 2,
});
