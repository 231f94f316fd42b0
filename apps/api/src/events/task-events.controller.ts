import { Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { CurrentUser, MaybeUser, OptionalAuth, UnauthenticatedError, type AuthRequest, type AuthSession, type AuthUser } from '@taskyard/auth';
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
  ticket(@CurrentUser() user: AuthUser, @Req() req: AuthRequest): Promise<EventsTicketDto> {
    return this.tickets.issue(user, tokenExpiry(req));
  }

  /**
   * `text/event-stream` of `status`, `progress`, `log` and `deleted` events (Bearer header or
   * `ticket`). The stream ends when the credential expires or the user is disabled, and follows
   * changes of the user's roles (see TaskStreamService).
   */
  @OptionalAuth()
  @Get()
  async events(
    @MaybeUser() bearerUser: AuthUser | undefined,
    @Req() req: AuthRequest,
    @Query() q: TaskEventsQueryDto,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let session: AuthSession | undefined = bearerUser ? { user: bearerUser, expiresAt: tokenExpiry(req) } : undefined;
    if (!session && q.ticket) session = await this.tickets.redeem(q.ticket);
    if (!session) throw new UnauthenticatedError('authentication required (Bearer token or events ticket)');
    const task = q.task_id ? await this.access.view(session.user, q.task_id) : undefined;
    await this.stream.open(session, task && { id: task.id, creatorId: task.creatorId }, reply, (lastEventIdHeader ?? q.last_event_id)?.slice(0, 64));
  }
}

function tokenExpiry(req: AuthRequest): number {
  if (req.tokenExpiresAt === undefined) throw new UnauthenticatedError('authentication required');
  return req.tokenExpiresAt;
}
