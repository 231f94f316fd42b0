import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { TASK_CATEGORIES, TASK_STATUSES, type TaskCategory, type TaskStatus } from '@taskyard/contracts';
import { PageQueryDto } from '@taskyard/auth';
import { TASK_SORT_FIELDS, type TaskSort } from '@taskyard/tasks';

const SORTS: TaskSort[] = TASK_SORT_FIELDS.flatMap((f) => [f, `-${f}` as const]);

export class ListTasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'task id, type, or text inside the payload' }) @IsOptional() @IsString() @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128)
  type?: string;

  @ApiPropertyOptional({ enum: TASK_CATEGORIES }) @IsOptional() @IsIn(TASK_CATEGORIES)
  category?: TaskCategory;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64)
  creator_id?: string;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true })
  created_from?: string;

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true })
  created_to?: string;

  @ApiPropertyOptional({ enum: SORTS, default: '-created_at' }) @IsOptional() @IsIn(SORTS)
  sort?: TaskSort;
}

/** History of a schedule: the list filters that make sense there. */
export class ScheduleHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES }) @IsOptional() @IsIn(TASK_STATUSES)
  status?: TaskStatus;
}

export class TaskLogsQueryDto {
  @ApiPropertyOptional({ description: 'only lines after this log id' }) @IsOptional() @IsString() @Matches(/^\d{1,20}(-\d{1,20})?$/, { message: 'after must be a log id' })
  after?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit = 500;
}

export class BulkIdsDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 100 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @IsUUID('all', { each: true, message: 'ids must be uuids' })
  ids!: string[];
}
