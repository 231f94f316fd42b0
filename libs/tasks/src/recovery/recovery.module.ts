import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Logger, type TaskMetrics } from '@taskyard/observability';
import { Fleet } from '../cluster/fleet';
import { LeaderElection } from '../cluster/leader-election';
import { TaskEventPublisher } from '../events/task-event-bus';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import { TaskQueues } from '../queue/task-queues';
import type { TaskRegistry } from '../registry/task-registry';
import { TaskStateMachine } from '../state/task-state-machine';
import type { TasksConfig } from '../tasks.config';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, TASKS_CONFIG, TASK_METRICS, TASK_REGISTRY } from '../tokens';
import { Reconciler } from './reconciler';

/**
 * The scheduler's singleton duties behind leader election: the reconciler/reaper loop and the
 * queue gauges (exported by the leader only, so a sum over replicas stays right).
 */
@Module({
  providers: [
    {
      provide: LeaderElection,
      useFactory: (redis: RedisClient, c: RedisConnections, config: TasksConfig) =>
        new LeaderElection(redis, { key: c.key('scheduler', 'leader'), ttlMs: Math.max(1_000, Math.min(10_000, config.RUN_LEASE_MS)) }),
      inject: [REDIS_COMMANDS, REDIS_CONNECTIONS, TASKS_CONFIG],
    },
    {
      provide: Reconciler,
      useFactory: (config: TasksConfig, states: TaskStateMachine, queues: TaskQueues, events: TaskEventPublisher, metrics: TaskMetrics) =>
        new Reconciler(config, states, queues, events, metrics),
      inject: [TASKS_CONFIG, TaskStateMachine, TaskQueues, TaskEventPublisher, TASK_METRICS],
    },
  ],
  exports: [LeaderElection, Reconciler],
})
export class RecoveryModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('recovery');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly election: LeaderElection,
    private readonly reconciler: Reconciler,
    private readonly queues: TaskQueues,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(TASK_METRICS) private readonly metrics: TaskMetrics,
    @Inject(TASK_REGISTRY) private readonly registry: TaskRegistry,
    private readonly fleet: Fleet,
  ) {}

  onApplicationBootstrap(): void {
    this.election.onChange((leading) => {
      this.metrics.leader.set(leading ? 1 : 0);
      // A new term starts blind to heartbeats written meanwhile: wait a lease before reaping.
      this.reconciler.noteFailure();
      if (!leading) {
        this.metrics.queueLength.reset();
        this.metrics.oldestAge.reset();
      }
    });
    this.metrics.leader.set(0);
    this.election.start();
    void this.fleet.join(() => ({ kind: 'scheduler', id: `scheduler-${this.election.candidateId}`, leader: this.election.isLeader }));
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    if (this.running || !this.election.isLeader) return;
    this.running = true;
    try {
      await this.reconciler.runOnce();
      await this.observeQueues();
    } catch (err) {
      this.reconciler.noteFailure();
      this.logger.warn('reconcile round failed; will retry', { error: (err as Error).message });
    } finally {
      this.running = false;
    }
  }

  private async observeQueues(): Promise<void> {
    const names = new Set([...this.registry.queues(), ...(this.config.WORKER_QUEUES ?? [])]);
    const now = Date.now();
    for (const name of names) {
      const queue = this.queues.get(name);
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed');
      this.metrics.queueLength.set({ queue: name }, (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0));
      const [oldestWaiting] = await queue.getJobs(['wait'], -1, -1, false);
      const [oldestPrioritized] = await queue.getJobs(['prioritized'], 0, 0, true);
      const ages = [oldestWaiting, oldestPrioritized].filter(Boolean).map((j) => (now - j.timestamp - (j.delay ?? 0)) / 1000);
      this.metrics.oldestAge.set({ queue: name }, Math.max(0, ...ages));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.fleet.leave();
    await this.election.stop();
  }
}
