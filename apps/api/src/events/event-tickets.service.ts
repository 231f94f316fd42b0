import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { UnauthenticatedError, UsersService, type AuthSession, type AuthUser } from '@taskyard/auth';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, type RedisConnections, type RedisClient } from '@taskyard/tasks';

export const TICKET_TTL_SECONDS = 60;

export interface EventsTicketDto {
  ticket: string;
  expires_in: number;
}

/**
 * Single-use tickets for `EventSource` (which cannot send an Authorization header): a random
 * value bound to the user and to the expiry of the token that asked for it, stored hashed in
 * Redis for 60 s, consumed atomically (GETDEL) by the first stream that presents it, so a ticket
 * leaked through a URL log is already spent.
 */
@Injectable()
export class EventTicketsService {
  constructor(
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    private readonly users: UsersService,
  ) {}

  private key(ticket: string): string {
    return this.connections.key('sse-ticket', createHash('sha256').update(ticket).digest('base64url'));
  }

  /** `tokenExpiresAt` (epoch ms): a stream opened with the ticket ends when the token would have. */
  async issue(user: AuthUser, tokenExpiresAt: number): Promise<EventsTicketDto> {
    const ticket = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(ticket), `${user.id} ${tokenExpiresAt}`, 'EX', TICKET_TTL_SECONDS);
    return { ticket, expires_in: TICKET_TTL_SECONDS };
  }

  async redeem(ticket: string): Promise<AuthSession> {
    const stored = /^[A-Za-z0-9_-]{20,100}$/.test(ticket) ? await this.redis.getdel(this.key(ticket)) : null;
    const [userId, expiresAt] = (stored ?? '').split(' ');
    const user = userId && Number(expiresAt) > Date.now() ? await this.users.findActive(userId) : null;
    if (!user) throw new UnauthenticatedError('invalid or expired events ticket');
    return { user, expiresAt: Number(expiresAt) };
  }
}
