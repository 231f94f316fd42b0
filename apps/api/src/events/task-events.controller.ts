import { Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { CurrentUser, MaybeUser, OptionalAuth, UnauthenticatedError, type AuthUser } from '@taskyard/auth';
import { TaskAccessService } from '../tasks/task-access.service';
import { EventTicketsService, type EventsTicketDto } from './event-tickets.service';
import { TaskStreamService } from './task-stream.service';

export class TaskEventsQueryDto {
  @ApiPropertyOptional({ description: 'single-use ticket from POST /api/tasks/events/ticket (for EventSource)' })
  @IsOptional() @IsString() @MaxLength(128)
  ticket?: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID('all', { message: 'task_id must be a uuid' })
  task_id?: string;

  @ApiPropertyOptional({ description: 'resume after this event id (for clients that cannot send the Last-Event-ID header)' })
  @IsOptional() @IsString() @MaxLength(64)
  last_event_id?: string;
}

@ApiTags('tasks')
@Controller('api/tasks/events')
export class TaskEventsController {
  constructor(
    private readonly tickets: EventTicketsService,
    private readonly stream: TaskStreamService,
    private readonly access: TaskAccessService,
  ) {}

  @Post('ticket')
  @HttpCode(200)
  ticket(@CurrentUser() user: AuthUser): Promise<EventsTicketDto> {
    return this.tickets.issue(user);
  }

  /** `text/event-stream` of `status`, `progress`, `log` and `deleted` events (Bearer header or `ticket`). */
  @OptionalAuth()
  @Get()
  async events(
    @MaybeUser() bearerUser: AuthUser | undefined,
    @Query() q: TaskEventsQueryDto,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let user = bearerUser;
    if (!user && q.ticket) user = await this.tickets.redeem(q.ticket);
    if (!user) throw new UnauthenticatedError('authentication required (Bearer token or events ticket)');
    if (q.task_id) await this.access.view(user, q.task_id);
    this.stream.open(user, q.task_id?.toLowerCase(), reply, (lastEventIdHeader ?? q.last_event_id)?.slice(0, 64));
  }
}
