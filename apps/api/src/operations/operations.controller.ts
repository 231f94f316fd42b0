import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Permission, type FleetDto, type QueueDto } from '@taskyard/contracts';
import { CurrentUser, RequirePermissions, type AuthUser } from '@taskyard/auth';
import { MAX_RATE_INTERVAL_MS } from '@taskyard/tasks';
import { OperationsService } from './operations.service';

export class RateLimitBodyDto {
  @ApiProperty({ minimum: 1, maximum: 1_000_000, description: 'starts allowed per interval, across the fleet' })
  @IsInt() @Min(1) @Max(1_000_000)
  max!: number;

  @ApiProperty({ minimum: 1, maximum: MAX_RATE_INTERVAL_MS })
  @IsInt() @Min(1) @Max(MAX_RATE_INTERVAL_MS)
  interval_ms!: number;
}

/** Queues and task types: pause, resume, rate limits. Every answer is the updated queue list. */
@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/system')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get('queues')
  @RequirePermissions(Permission.TaskQueueView)
  queues(): Promise<QueueDto[]> {
    return this.operations.listQueues();
  }

  /** Workers stop taking the queue's jobs within a second; running ones finish; pending work waits. */
  @Post('queues/:name/pause')
  @HttpCode(200)
  @RequirePermissions(Permission.TaskQueueUpdate)
  pauseQueue(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<QueueDto[]> {
    return this.operations.setPaused('queue', name, true, user.username);
  }

  @Post('queues/:name/resume')
  @HttpCode(200)
  @RequirePermissions(Permission.TaskQueueUpdate)
  resumeQueue(@CurrentUser() user: AuthUser, @Param('name') name: string): Promise<QueueDto[]> {
    return this.operations.setPaused('queue', name, false, user.username);
  }

  /** Jobs of the type wait (holding no worker slot) until it is resumed. */
  @Post('task-types/:type/pause')
  @HttpCode(200)
  @RequirePermissions(Permission.TaskQueueUpdate)
  pauseType(@CurrentUser() user: AuthUser, @Param('type') type: string): Promise<QueueDto[]> {
    return this.operations.setPaused('type', type, true, user.username);
  }

  @Post('task-types/:type/resume')
  @HttpCode(200)
  @RequirePermissions(Permission.TaskQueueUpdate)
  resumeType(@CurrentUser() user: AuthUser, @Param('type') type: string): Promise<QueueDto[]> {
    return this.operations.setPaused('type', type, false, user.username);
  }

  /** Overrides the type's rate limit (fleet-wide starts per interval). */
  @Put('task-types/:type/rate-limit')
  @RequirePermissions(Permission.TaskQueueUpdate)
  setRateLimit(@CurrentUser() user: AuthUser, @Param('type') type: string, @Body() body: RateLimitBodyDto): Promise<QueueDto[]> {
    return this.operations.setRateLimit(type, { max: body.max, interval_ms: body.interval_ms }, user.username);
  }

  /** Back to the rate limit set in code (or none). */
  @Delete('task-types/:type/rate-limit')
  @RequirePermissions(Permission.TaskQueueUpdate)
  clearRateLimit(@CurrentUser() user: AuthUser, @Param('type') type: string): Promise<QueueDto[]> {
    return this.operations.setRateLimit(type, null, user.username);
  }

  /** Live workers and schedulers; a process that stops heartbeating drops out after its lease. */
  @Get('fleet')
  @RequirePermissions(Permission.FleetView)
  fleetView(): Promise<FleetDto> {
    return this.operations.fleetView();
  }
}
