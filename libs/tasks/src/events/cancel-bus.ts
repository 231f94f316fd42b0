import { Channels } from '@taskyard/contracts';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';

interface CancelMessage {
  t: string;
}

/**
 * Fans a cancellation out to every worker process through Redis pub/sub; the worker that
 * runs the task aborts its runner. Pub/sub drops messages across disconnects, so workers also
 * poll the durable `cancel_requested` flag with their heartbeat.
 */
export class CancelBus {
  private readonly channel: string;

  constructor(connections: RedisConnections) {
    this.channel = connections.channel(Channels.Cancel);
  }

  async publish(redis: RedisClient, taskId: string): Promise<void> {
    const message: CancelMessage = { t: taskId };
    await redis.publish(this.channel, JSON.stringify(message));
  }

  async subscribe(subscriber: RedisClient, onCancel: (taskId: string) => void): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const { t } = JSON.parse(message) as CancelMessage;
        if (typeof t === 'string') onCancel(t);
      } catch {
        // A malformed message is ignored; the durable flag still cancels.
      }
    });
    await subscriber.subscribe(this.channel);
  }
}
