import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { Permission, type ActionMessage, type ScheduleDto, type TaskDto } from '@taskyard/contracts';
import { CurrentUser, Paged, ReqCtx, RequirePermissions, type AuthUser, type RequestCtx } from '@taskyard/auth';
import { ScheduleService, toTaskDto } from '@taskyard/tasks';
import { ApiData, ApiList, SCHEDULE_SCHEMA, TASK_SCHEMA, withMessage } from '../http/openapi';
import { TaskAccessService } from '../tasks/task-access.service';
import { ScheduleHistoryQueryDto } from '../tasks/tasks.dto';

export class ToggleScheduleDto {
  @ApiProperty() @IsBoolean()
  enabled!: boolean;
}

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('api/task-schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: ScheduleService,
    private readonly access: TaskAccessService,
  ) {}

  @Get()
  @ApiData({ type: 'array', items: SCHEDULE_SCHEMA })
  @RequirePermissions(Permission.TaskScheduleList)
  list(): Promise<ScheduleDto[]> {
    return this.schedules.list();
  }

  /** Tasks the schedule created, newest first; the same visibility as `GET /api/tasks`. */
  @Get(':id/history')
  @ApiList(TASK_SCHEMA)
  async history(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() q: ScheduleHistoryQueryDto): Promise<Paged<TaskDto>> {
    const { items, total } = await this.access.scheduleHistory(user, id, { page: q.current, pageSize: q.page_size, status: q.status });
    return new Paged(items, total, q.current, q.page_size);
  }

  @Post(':id/toggle')
  @ApiData(withMessage(SCHEDULE_SCHEMA), 'the schedule and a message')
  @HttpCode(200)
  @RequirePermissions(Permission.TaskScheduleUpdate)
  async toggle(@Param('id') id: string, @Body() body: ToggleScheduleDto): Promise<ScheduleDto & ActionMessage> {
    const schedule = await this.schedules.toggle(id, body.enabled);
    return { ...schedule, message: schedule.enabled ? 'schedule enabled' : 'schedule disabled' };
  }

  /** Creates one task now; 409 when the schedule is disabled. */
  @Post(':id/trigger')
  @ApiData(TASK_SCHEMA)
  @HttpCode(200)
  @RequirePermissions(Permission.TaskScheduleUpdate)
  async trigger(@ReqCtx() ctx: RequestCtx, @Param('id') id: string): Promise<TaskDto> {
    return toTaskDto(await this.schedules.trigger(id, ctx));
  }
}
