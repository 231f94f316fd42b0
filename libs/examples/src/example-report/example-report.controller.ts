import { Body, Controller, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { TaskDto } from '@taskyard/contracts';
import { ReqCtx, type RequestCtx } from '@taskyard/auth';
import { TaskService, toTaskDto } from '@taskyard/tasks';
import { EXAMPLE_REPORT_TYPE, type ExampleReportPayload } from './example-report.types';

export class ExampleReportRequestDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10_000, default: 10 }) @IsOptional() @IsInt() @Min(1) @Max(10_000)
  steps = 10;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 60_000, default: 500 }) @IsOptional() @IsInt() @Min(0) @Max(60_000)
  step_ms = 500;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10_000 }) @IsOptional() @IsInt() @Min(1) @Max(10_000)
  fail_at_step?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, description: 'fail only the first N attempts (default: every attempt)' })
  @IsOptional() @IsInt() @Min(0) @Max(100)
  fail_attempts?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10, default: 0 }) @IsOptional() @IsInt() @Min(0) @Max(10)
  max_retries?: number;
}

@ApiTags('examples')
@ApiBearerAuth()
@Controller('api/examples/reports')
export class ExampleReportController {
  constructor(private readonly tasks: TaskService) {}

  /** Any authenticated user may start a report; it is their own task. */
  @Post()
  async start(@ReqCtx() ctx: RequestCtx, @Body() body: ExampleReportRequestDto): Promise<TaskDto> {
    const payload: ExampleReportPayload = { steps: body.steps, step_ms: body.step_ms, fail_at_step: body.fail_at_step ?? null, fail_attempts: body.fail_attempts ?? null };
    return toTaskDto(await this.tasks.createTask(ctx, EXAMPLE_REPORT_TYPE, { payload, maxRetries: body.max_retries }));
  }
}
