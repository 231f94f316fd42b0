import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { SCHEDULES_QUEUE } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import { LeaderElection } from '../cluster/leader-election';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import { RecoveryModule } from '../recovery/recovery.module';
import type { TaskRegistry } from '../registry/task-registry';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, TASK_REGISTRY } from '../tokens';
import { ScheduleService } from './schedule.service';
import { ScheduledJobRegistry } from './scheduled-job.registry';

interface FireJobData {
  s: string;
}

const RESYNC_MS = 30_000;

/**
 * Cron in the scheduler app. The leader keeps one BullMQ job scheduler per enabled
 * definition (upsert is idempotent; disabled ones are removed); every replica consumes the
 * fire jobs and creates the task, whose unique fire key makes each fire exactly one task even
 * when two replicas or a redelivery handle it.
 */
@Module({ imports: [RecoveryModule] })
export class SchedulingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('scheduling');
  private queue!: Queue<FireJobData>;
  private worker!: Worker<FireJobData>;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly election: LeaderElection,
    private readonly schedules: ScheduleService,
    private readonly definitions: ScheduledJobRegistry,
    @Inject(TASK_REGISTRY) private readonly tasks: TaskRegistry,
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.definitions.assertRunnable(this.tasks);
    this.queue = new Queue<FireJobData>(SCHEDULES_QUEUE, { connection: this.redis, prefix: this.connections.prefix });
    this.queue.on('error', () => undefined);
    this.worker = new Worker<FireJobData>(SCHEDULES_QUEUE, (job) => this.onFire(job), {
      connection: this.connections.create('worker'),
      prefix: this.connections.prefix,
      concurrency: 4,
    });
    this.worker.on('error', (err) => this.logger.warn('fire consumer error', { error: err.message }));
    const subscriber = this.connections.create('subscriber');
    subscriber.on('message', (channel: string) => {
      if (channel === this.schedules.changesChannel) this.sync();
    });
    await subscriber.subscribe(this.schedules.changesChannel);
    this.election.onChange((leading) => leading && this.sync());
    if (this.election.isLeader) this.sync();
    this.timer = setInterval(() => this.sync(), RESYNC_MS);
  }

  private async onFire(job: Job<FireJobData>): Promise<void> {
    // Job-scheduler jobs carry their fire time as prevMillis (and in their id, `repeat:<id>:<ms>`).
    const fireTime = new Date(job.opts.prevMillis ?? Number(job.id?.split(':').pop()));
    const task = await this.schedules.fire(job.data.s, fireTime);
    if (task) this.logger.info('schedule fired', { schedule: job.data.s, fire_time: fireTime.toISOString(), task_id: task.id });
  }

  /** Leader only: make Redis's job schedulers match the definitions and their enabled state. */
  private sync(): void {
    this.syncing = this.syncing.then(async () => {
      if (!this.election.isLeader) return;
      try {
        const states = await this.schedules.states();
        const known = new Set<string>();
        for (const def of this.definitions.all()) {
          known.add(def.id);
          const enabled = states.get(def.id)?.enabled ?? def.enabledByDefault ?? true;
          if (enabled) {
            await this.queue.upsertJobScheduler(def.id, { pattern: def.spec, tz: def.timezone ?? 'UTC' }, { name: 'fire', data: { s: def.id }, opts: { removeOnComplete: true, removeOnFail: 100 } });
            const missed = await this.schedules.catchUp(def.id, states.get(def.id));
            if (missed) this.logger.info('missed fire caught up', { schedule: def.id, fire_time: missed.fireTime.toISOString(), task_id: missed.task.id });
          } else {
            await this.queue.removeJobScheduler(def.id);
          }
        }
        for (const scheduler of await this.queue.getJobSchedulers()) {
          if (scheduler.key && !known.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
        }
      } catch (err) {
        this.logger.warn('schedule sync failed; will retry', { error: (err as Error).message });
      }
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await this.worker?.close();
    await this.queue?.close();
  }
}
