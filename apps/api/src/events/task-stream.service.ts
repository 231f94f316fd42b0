import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toLogLine, type TaskEvent } from '@taskyard/contracts';
import { UsersService, type AuthSession, type AuthUser } from '@taskyard/auth';
import { Logger } from '@taskyard/observability';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, TaskEventSubscriber, type RedisClient, type RedisConnections } from '@taskyard/tasks';
import type { ApiConfig } from '../api.config';
import { ApiHttpError } from '../http/api-http.error';
import { SECURITY_HEADERS } from '../http/http-hardening';
import { canViewTask } from '../tasks/task-access.service';
import { API_CONFIG } from '../tokens';

interface StreamClient {
  /** Member of the user's stream set in Redis. */
  id: string;
  user: AuthUser;
  /** Epoch ms at which the credential that opened the stream expires. */
  expiresAt: number;
  task: StreamTask | undefined;
  reply: FastifyReply;
}

/** The task a stream is filtered on (its creator decides who may keep watching it). */
export interface StreamTask {
  id: string;
  creatorId: string;
}

// Takes a slot in the user's set of open streams (members scored by lease expiry, on Redis'
// clock so every replica agrees): expired members are dropped first, then the stream is
// refused when the user already holds `max` live ones. Returns 1 when taken, else 0.
const ACQUIRE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

// Extends the leases of this process's live streams of one user.
const RENEW = `
local t = redis.call('TIME')
local expiry = t[1] * 1000 + math.floor(t[2] / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

/** Events kept for `Last-Event-ID` resumption. */
const REPLAY_EVENTS = 2_000;

/** Drop a client whose socket buffers more than this (it stopped reading). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Server-Sent Events fan-out: one Redis subscription per API process, events filtered per
 * client by visibility (global `task:view` or own task) and optional task id.
 *
 * Access is not frozen when a stream opens: every `SSE_ACCESS_RECHECK_MS` the users of open
 * streams are re-read in one query; a stream whose user was disabled or deleted, or whose token
 * expired, ends with a `revoked` event; one whose user lost a role sees only what the user may
 * see now (and ends if it watches a task the user may no longer view). A user holds at most
 * `SSE_MAX_STREAMS_PER_USER` streams across every replica (a set in Redis whose members are
 * leases renewed by the process that holds them, so a crashed replica's streams expire).
 */
@Injectable()
export class TaskStreamService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('task-stream');
  private readonly clients = new Set<StreamClient>();
  private seq = 0;
  private streamSeq = 0;
  /** Event ids are `<epoch>-<seq>`: an id from another process or an older start cannot be replayed. */
  private readonly epoch = randomBytes(4).toString('hex');
  private readonly recent: { seq: number; event: TaskEvent }[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private rechecking = false;
  private readonly leaseMs: number;

  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly users: UsersService,
  ) {
    this.leaseMs = Math.max(30_000, 3 * config.SSE_ACCESS_RECHECK_MS);
  }

  async onModuleInit(): Promise<void> {
    const subscriber = new TaskEventSubscriber(this.connections.create('subscriber'), this.connections);
    subscriber.on((event) => this.dispatch(event));
    await subscriber.start();
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), this.config.SSE_HEARTBEAT_MS);
    this.heartbeat.unref();
    this.recheck = setInterval(() => void this.recheckAccess(), this.config.SSE_ACCESS_RECHECK_MS);
    this.recheck.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.recheck) clearInterval(this.recheck);
    for (const client of [...this.clients]) this.end(client);
  }

  /**
   * Takes over the response and keeps it open until the client leaves, its access ends or the
   * API stops; 429 `E4291` when the user already has the most streams allowed. With
   * `lastEventId` (the `Last-Event-ID` header or `last_event_id` query) the events this process
   * published since are replayed first; when they cannot be (another replica, a restart, too
   * old), a `resync` event tells the client to re-read the state over REST.
   */
  async open(session: AuthSession, task: StreamTask | undefined, reply: FastifyReply, lastEventId?: string): Promise<void> {
    const client: StreamClient = { id: `${this.epoch}:${++this.streamSeq}`, user: session.user, expiresAt: session.expiresAt, task, reply };
    const max = this.config.SSE_MAX_STREAMS_PER_USER;
    const taken = await this.redis.eval(ACQUIRE, 1, this.slotsKey(client.user.id), max, this.leaseMs, client.id);
    if (Number(taken) !== 1) {
      throw new ApiHttpError(429, 'E4291', `too many open event streams: at most ${max} per user (close another tab or window)`);
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // The socket is dedicated to the stream: when it ends (client gone, shutdown) it closes,
      // so a keep-alive socket cannot hold the server open.
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n: connected\n\n');
    if (lastEventId) this.replay(client, lastEventId);
    this.clients.add(client);
    // A failed write or a vanished client ends the response for good, so the socket never
    // counts as an in-flight request that holds the server open at shutdown.
    const remove = () => this.drop(client);
    raw.on('close', remove);
    raw.on('error', remove);
  }

  private slotsKey(userId: string): string {
    return this.connections.key('sse-streams', userId);
  }

  /** Forgets a client and frees its slot; false when it was already gone. */
  private release(client: StreamClient): boolean {
    if (!this.clients.delete(client)) return false;
    this.redis.zrem(this.slotsKey(client.user.id), client.id).catch(() => undefined);
    return true;
  }

  /** Drops a client whose socket failed or went away. */
  private drop(client: StreamClient): void {
    if (this.release(client)) client.reply.raw.destroy();
  }

  /** Ends a stream on purpose; with a reason, the client is told why (`revoked` event) first. */
  private end(client: StreamClient, reason?: string): void {
    if (!this.release(client)) return;
    const raw = client.reply.raw;
    if (reason) raw.write(`event: revoked\ndata: ${JSON.stringify({ reason })}\n\n`);
    raw.end(() => raw.destroy());
  }

  /** Re-reads the users of open streams and applies what changed (see the class comment). */
  async recheckAccess(): Promise<void> {
    if (this.rechecking || this.clients.size === 0) return;
    this.rechecking = true;
    try {
      const now = Date.now();
      for (const client of [...this.clients]) if (client.expiresAt <= now) this.end(client, 'token expired');
      let current: Map<string, AuthUser>;
      try {
        current = await this.users.findActiveMany([...this.clients].map((c) => c.user.id));
      } catch (err) {
        // Keep the streams through a database outage; the next round applies any change.
        this.logger.warn('could not re-check the access of event streams', { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      for (const client of [...this.clients]) {
        const user = current.get(client.user.id);
        if (!user) this.end(client, 'user disabled or deleted');
        else if (client.task && !canViewTask(user, client.task.creatorId)) this.end(client, 'task no longer visible');
        else client.user = user;
      }
      await this.renewSlots();
    } finally {
      this.rechecking = false;
    }
  }

  private async renewSlots(): Promise<void> {
    const byUser = new Map<string, string[]>();
    for (const client of this.clients) byUser.set(client.user.id, [...(byUser.get(client.user.id) ?? []), client.id]);
    const pipeline = this.redis.pipeline();
    for (const [userId, ids] of byUser) pipeline.eval(RENEW, 1, this.slotsKey(userId), this.leaseMs, ...ids);
    await pipeline.exec().catch(() => undefined);
  }

  private replay(client: StreamClient, lastEventId: string): void {
    const [epoch, n] = lastEventId.split('-');
    const after = Number(n);
    const oldest = this.recent[0]?.seq ?? this.seq + 1;
    if (epoch !== this.epoch || !Number.isInteger(after) || after > this.seq || after < oldest - 1) {
      this.write(client, `event: resync\ndata: {}\n\n`);
      return;
    }
    for (const { seq, event } of this.recent) if (seq > after && this.visible(client, event)) this.write(client, this.frame(seq, event));
  }

  private dispatch(event: TaskEvent): void {
    const seq = ++this.seq;
    this.recent.push({ seq, event });
    if (this.recent.length > REPLAY_EVENTS) this.recent.shift();
    if (this.clients.size === 0) return;
    const frame = this.frame(seq, event);
    for (const client of this.clients) if (this.visible(client, event)) this.write(client, frame);
  }

  private visible(client: StreamClient, event: TaskEvent): boolean {
    return (!client.task || client.task.id === event.task_id) && canViewTask(client.user, event.creator_id);
  }

  private frame(seq: number, event: TaskEvent): string {
    const sent = event.type === 'log' ? { ...event, log: toLogLine(event.log) } : event;
    return `id: ${this.epoch}-${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(sent)}\n\n`;
  }

  private broadcast(frame: string): void {
    for (const client of this.clients) this.write(client, frame);
  }

  private write(client: StreamClient, frame: string): void {
    const raw = client.reply.raw;
    if (raw.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn('dropping a slow SSE client', { user_id: client.user.id });
      this.drop(client);
      return;
    }
    raw.write(frame);
  }
}
