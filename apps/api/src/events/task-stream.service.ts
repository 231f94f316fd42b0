import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { TaskEvent } from '@taskyard/contracts';
import type { AuthUser } from '@taskyard/auth';
import { Logger } from '@taskyard/observability';
import { REDIS_CONNECTIONS, TaskEventSubscriber, type RedisConnections } from '@taskyard/tasks';
import type { ApiConfig } from '../api.config';
import { SECURITY_HEADERS } from '../http/http-hardening';
import { canViewTask } from '../tasks/task-access.service';
import { API_CONFIG } from '../tokens';

interface StreamClient {
  user: AuthUser;
  taskId: string | undefined;
  reply: FastifyReply;
}

/** Events kept for `Last-Event-ID` resumption. */
const REPLAY_EVENTS = 2_000;

/** Drop a client whose socket buffers more than this (it stopped reading). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Server-Sent Events fan-out: one Redis subscription per API process, events filtered per
 * client by visibility (global `task:view` or own task) and optional task id.
 */
@Injectable()
export class TaskStreamService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('task-stream');
  private readonly clients = new Set<StreamClient>();
  private seq = 0;
  /** Event ids are `<epoch>-<seq>`: an id from another process or an older start cannot be replayed. */
  private readonly epoch = randomBytes(4).toString('hex');
  private readonly recent: { seq: number; event: TaskEvent }[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const subscriber = new TaskEventSubscriber(this.connections.create('subscriber'), this.connections);
    subscriber.on((event) => this.dispatch(event));
    await subscriber.start();
    this.heartbeat = setInterval(() => this.broadcast(': heartbeat\n\n'), this.config.SSE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const client of this.clients) client.reply.raw.end(() => client.reply.raw.destroy());
    this.clients.clear();
  }

  /**
   * Takes over the response and keeps it open until the client leaves or the API stops. With
   * `lastEventId` (the `Last-Event-ID` header or `last_event_id` query) the events this process
   * published since are replayed first; when they cannot be (another replica, a restart, too
   * old), a `resync` event tells the client to re-read the state over REST.
   */
  open(user: AuthUser, taskId: string | undefined, reply: FastifyReply, lastEventId?: string): void {
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
    const client: StreamClient = { user, taskId, reply };
    if (lastEventId) this.replay(client, lastEventId);
    this.clients.add(client);
    // A failed write or a vanished client ends the response for good, so the socket never
    // counts as an in-flight request that holds the server open at shutdown.
    const remove = () => {
      this.clients.delete(client);
      raw.destroy();
    };
    raw.on('close', remove);
    raw.on('error', remove);
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
    return (!client.taskId || client.taskId === event.task_id) && canViewTask(client.user, event.creator_id);
  }

  private frame(seq: number, event: TaskEvent): string {
    return `id: ${this.epoch}-${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  }

  private broadcast(frame: string): void {
    for (const client of this.clients) this.write(client, frame);
  }

  private write(client: StreamClient, frame: string): void {
    const raw = client.reply.raw;
    if (raw.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn('dropping a slow SSE client', { user_id: client.user.id });
      this.clients.delete(client);
      raw.destroy();
      return;
    }
    raw.write(frame);
  }
}
