import { Injectable } from '@nestjs/common';
import { Permission, type BulkResultDto, type TaskAttemptDto, type TaskDto, toLogLine, type TaskLogLineDto } from '@taskyard/contracts';
import { ForbiddenError, hasPermission, UsersService, type AuthUser } from '@taskyard/auth';
import { ScheduleService, TaskAttemptsService, TaskLogReader, TaskNotFoundError, TaskQueryService, TaskService, toTaskDto, type TaskListQuery, type TaskRecord } from '@taskyard/tasks';
import { mapError } from '../http/error-mapping';

export type TaskAction = 'cancel' | 'retry' | 'delete';

const ACTION_PERMISSION: Record<TaskAction, Permission> = {
  cancel: Permission.TaskCancel,
  retry: Permission.TaskRetry,
  delete: Permission.TaskDelete,
};

/** Whether a user may see a task: the global permission, or being its creator. */
export function canViewTask(user: AuthUser, creatorId: string, permission: Permission = Permission.TaskView): boolean {
  return creatorId === user.id || hasPermission(user, permission);
}

/**
 * Object-level authorization of task routes. A task the caller may not see is "not found"
 * (never 403, so ids leak nothing); a visible task whose action is not allowed is forbidden.
 */
@Injectable()
export class TaskAccessService {
  constructor(
    private readonly tasks: TaskService,
    private readonly query: TaskQueryService,
    private readonly logReader: TaskLogReader,
    private readonly schedules: ScheduleService,
    private readonly attemptHistory: TaskAttemptsService,
    private readonly users: UsersService,
  ) {}

  async view(user: AuthUser, id: string): Promise<TaskRecord> {
    const task = await this.tasks.getTask(id);
    if (task.deletedAt || !canViewTask(user, task.creatorId)) throw new TaskNotFoundError(id);
    return task;
  }

  async list(user: AuthUser, q: Omit<TaskListQuery, 'onlyCreatorId'>): Promise<{ items: TaskDto[]; total: number }> {
    const page = await this.query.list({ ...q, onlyCreatorId: hasPermission(user, Permission.TaskList) ? undefined : user.id });
    return { items: await this.toDtos(page.items), total: page.total };
  }

  /** API objects of tasks, each with its creator's username (`creator_name`). */
  async toDtos(tasks: TaskRecord[]): Promise<TaskDto[]> {
    const names = await this.users.usernames(tasks.map((t) => t.creatorId));
    return tasks.map((t) => {
      const dto = toTaskDto(t);
      // Absent, not null, for `system` or a removed user: EZ-Console's clients type it string.
      const name = names.get(t.creatorId);
      if (name !== undefined) dto.creator_name = name;
      return dto;
    });
  }

  async toDto(task: TaskRecord): Promise<TaskDto> {
    const [dto] = await this.toDtos([task]);
    return dto;
  }

  /** Tasks a schedule created, with the list's visibility rules; 404 for an unknown schedule. */
  async scheduleHistory(user: AuthUser, scheduleId: string, q: Omit<TaskListQuery, 'onlyCreatorId' | 'cronScheduleId'>): Promise<{ items: TaskDto[]; total: number }> {
    await this.schedules.get(scheduleId);
    return this.list(user, { ...q, cronScheduleId: scheduleId });
  }

  async userTasks(user: AuthUser): Promise<TaskDto[]> {
    return this.toDtos(await this.query.recentUserTasks(user.id));
  }

  async logs(user: AuthUser, id: string, after: string | undefined, limit: number): Promise<TaskLogLineDto[]> {
    await this.view(user, id);
    return (await this.logReader.read(id, { after, limit })).map(toLogLine);
  }

  /** Every attempt of a visible task, oldest first. */
  async attempts(user: AuthUser, id: string): Promise<TaskAttemptDto[]> {
    await this.view(user, id);
    return this.attemptHistory.list(id);
  }

  async act(user: AuthUser, id: string, action: TaskAction): Promise<TaskRecord> {
    const task = await this.view(user, id);
    const permission = ACTION_PERMISSION[action];
    if (task.creatorId !== user.id && !hasPermission(user, permission)) throw new ForbiddenError(`missing permission: ${permission}`);
    switch (action) {
      case 'cancel':
        return this.tasks.cancelTask(id);
      case 'retry':
        return this.tasks.retryTask(id);
      case 'delete':
        return this.tasks.deleteTask(id);
    }
  }

  /** The same rules per id; each id gets its own outcome (an invisible one `E4040`). */
  async bulk(user: AuthUser, ids: string[], action: TaskAction): Promise<BulkResultDto[]> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const results: BulkResultDto[] = [];
    const concurrency = 8;
    for (let i = 0; i < unique.length; i += concurrency) {
      const slice = unique.slice(i, i + concurrency);
      results.push(
        ...(await Promise.all(
          slice.map(async (id): Promise<BulkResultDto> => {
            try {
              await this.act(user, id, action);
              return { id, ok: true };
            } catch (err) {
              const mapped = mapError(err);
              if (mapped.status >= 500) throw err;
              return { id, ok: false, code: mapped.code, err: mapped.message };
            }
          }),
        )),
      );
    }
    return results;
  }
}
