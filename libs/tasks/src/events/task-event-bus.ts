import { Channels, type TaskEvent } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';

/**
 * Publishes task change events (status, progress, log lines) to Redis pub/sub in batches:
 * one message carries every event of a short window, so a worker finishing thousands of
 * tasks a second publishes tens of messages, not thousands. Events are best effort; the
 * database stays the truth and clients fall back to polling.
 */
export class TaskEventPublisher {
  private readonly logger = new Logger('task-events');
  private buffer: TaskEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    connections: RedisConnections,
    private readonly windowMs = 20,
  ) {
    this.channel = connections.channel(Channels.TaskEvents);
  }

  publish(event: TaskEvent): void {
    this.buffer.push(event);
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const events = this.buffer;
    this.buffer = [];
    try {
      await this.redis.publish(this.channel, JSON.stringify(events));
    } catch (err) {
      this.logger.warn('task events not published', { error: (err as Error).message, count: events.length });
    }
  }
}

/** Subscribes to the batched task events (the API's SSE fan-out). */
export class TaskEventSubscriber {
  private readonly listeners = new Set<(event: TaskEvent) => void>();
  private readonly channel: string;

  constructor(
    private readonly subscriber: RedisClient,
    connections: RedisConnections,
  ) {
    this.channel = connections.channel(Channels.TaskEvents);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      let events: TaskEvent[];
      try {
        events = JSON.parse(message) as TaskEvent[];
      } catch {
        return;
      }
      for (const event of events) for (const listener of this.listeners) listener(event);
    });
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  on(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
