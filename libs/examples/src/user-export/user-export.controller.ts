import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Permission, type TaskDto } from '@taskyard/contracts';
import { ReqCtx, RequirePermissions, type RequestCtx } from '@taskyard/auth';
import { TaskService, toTaskDto } from '@taskyard/tasks';
import { USER_EXPORT_TYPE, type UserExportPayload } from './user-export.types';

export class UserExportRequestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200)
  keywords?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}

/** The module pattern: a feature endpoint that starts a task and returns it (no generic task create). */
@ApiTags('examples')
@ApiBearerAuth()
@Controller('api/authorization/users')
export class UserExportController {
  constructor(private readonly tasks: TaskService) {}

  @Post('export')
  @RequirePermissions(Permission.UserExport)
  async export(@ReqCtx() ctx: RequestCtx, @Body() body: UserExportRequestDto): Promise<TaskDto> {
    const payload: UserExportPayload = { keywords: body.keywords?.trim() || null, status: body.status ?? null };
    return toTaskDto(await this.tasks.createTask(ctx, USER_EXPORT_TYPE, { payload }));
  }
}
