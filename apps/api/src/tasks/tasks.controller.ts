import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { ActionMessage, BulkResultDto, TaskAttemptDto, TaskDto, TaskLogLineDto } from '@taskyard/contracts';
import { CurrentUser, Paged, type AuthUser } from '@taskyard/auth';
import { ApiData, ApiList, MESSAGE_SCHEMA, TASK_LOG_SCHEMA, TASK_SCHEMA, withMessage } from '../http/openapi';
import { UuidParam } from '../http/validation';
import { TaskAccessService } from './task-access.service';
import { BulkIdsDto, ListTasksQueryDto, TaskLogsQueryDto } from './tasks.dto';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('api')
export class TasksController {
  constructor(private readonly access: TaskAccessService) {}

  @Get('tasks')
  @ApiList(TASK_SCHEMA)
  async list(@CurrentUser() user: AuthUser, @Query() q: ListTasksQueryDto): Promise<Paged<TaskDto>> {
    const { items, total } = await this.access.list(user, {
      page: q.current,
      pageSize: q.page_size,
      search: q.search,
      status: q.status,
      type: q.type,
      category: q.category,
      creatorId: q.creator_id,
      createdFrom: q.created_from ? new Date(q.created_from) : undefined,
      createdTo: q.created_to ? new Date(q.created_to) : undefined,
      sort: q.sort,
    });
    return new Paged(items, total, q.current, q.page_size);
  }

  @Get('user-tasks')
  @ApiData({ type: 'array', items: TASK_SCHEMA })
  userTasks(@CurrentUser() user: AuthUser): Promise<TaskDto[]> {
    return this.access.userTasks(user);
  }

  @Get('tasks/:id')
  @ApiData(TASK_SCHEMA)
  async get(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<TaskDto> {
    return this.access.toDto(await this.access.view(user, id));
  }

  @Get('tasks/:id/logs')
  @ApiData({ type: 'array', items: TASK_LOG_SCHEMA })
  logs(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string, @Query() q: TaskLogsQueryDto): Promise<TaskLogLineDto[]> {
    return this.access.logs(user, id, q.after, q.limit);
  }

  /** Every attempt (start, end, worker, outcome, error, what followed), oldest first; 404 when not visible. */
  @Get('tasks/:id/attempts')
  attempts(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<TaskAttemptDto[]> {
    return this.access.attempts(user, id);
  }

  @Post('tasks/:id/cancel')
  @ApiData(withMessage(TASK_SCHEMA), 'the task and a message')
  @HttpCode(200)
  async cancel(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<TaskDto & ActionMessage> {
    const task = await this.access.toDto(await this.access.act(user, id, 'cancel'));
    return { ...task, message: task.status === 'cancelled' ? 'task cancelled' : 'cancellation requested' };
  }

  @Post('tasks/:id/retry')
  @ApiData(withMessage(TASK_SCHEMA), 'the task and a message')
  @HttpCode(200)
  async retry(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<TaskDto & ActionMessage> {
    return { ...(await this.access.toDto(await this.access.act(user, id, 'retry'))), message: 'task queued for retry' };
  }

  @Delete('tasks/:id')
  @ApiData(MESSAGE_SCHEMA)
  async remove(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<ActionMessage> {
    await this.access.act(user, id, 'delete');
    return { message: 'task deleted' };
  }

  @Post('tasks/bulk/cancel')
  @HttpCode(200)
  bulkCancel(@CurrentUser() user: AuthUser, @Body() body: BulkIdsDto): Promise<BulkResultDto[]> {
    return this.access.bulk(user, body.ids, 'cancel');
  }

  @Post('tasks/bulk/retry')
  @HttpCode(200)
  bulkRetry(@CurrentUser() user: AuthUser, @Body() body: BulkIdsDto): Promise<BulkResultDto[]> {
    return this.access.bulk(user, body.ids, 'retry');
  }

  @Post('tasks/bulk/delete')
  @HttpCode(200)
  bulkDelete(@CurrentUser() user: AuthUser, @Body() body: BulkIdsDto): Promise<BulkResultDto[]> {
    return this.access.bulk(user, body.ids, 'delete');
  }
}
