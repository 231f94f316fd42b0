import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_QUEUE, type FleetDto, type FleetTaskTypeDto, type QueueDto, type RateLimitDto, type TaskTypeControlDto } from '@taskyard/contracts';
import { Fleet, REDIS_COMMANDS, TASK_REGISTRY, TaskControlsService, TaskQueues, type ControlScope, type RateLimit, type RedisClient, type TaskRegistry } from '@taskyard/tasks';

const toDto = (limit: RateLimit | null | undefined): RateLimitDto | null => (limit ? { max: limit.max, interval_ms: limit.intervalMs } : null);

/**
 * Queues, task types and the fleet for operators. Types are gathered from this process's
 * registry, from what live workers report, and from stored controls (a type may be paused
 * before any worker hosting it is deployed).
 */
@Injectable()
export class OperationsService {
  constructor(
    private readonly controls: TaskControlsService,
    private readonly queues: TaskQueues,
    private readonly fleet: Fleet,
    @Inject(TASK_REGISTRY) private readonly registry: TaskRegistry,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
  ) {}

  async listQueues(): Promise<QueueDto[]> {
    const types = new Map<string, FleetTaskTypeDto>();
    for (const member of await this.fleet.members()) for (const t of member.types ?? []) types.set(t.type, t);
    for (const t of this.registry.all()) {
      types.set(t.type, { type: t.type, queue: t.queue, concurrency: t.concurrency ?? null, timeout_ms: t.timeoutMs ?? null, rate_limit: toDto(t.rateLimit) });
    }
    const controls = this.controls.list();
    for (const c of controls) {
      if (c.scope === 'type' && !types.has(c.name)) {
        types.set(c.name, { type: c.name, queue: this.registry.queueOf(c.name), concurrency: null, timeout_ms: null, rate_limit: null });
      }
    }
    const names = new Set([DEFAULT_QUEUE, ...[...types.values()].map((t) => t.queue), ...controls.filter((c) => c.scope === 'queue').map((c) => c.name)]);
    return Promise.all(
      [...names].sort().map(async (name): Promise<QueueDto> => {
        const counts = await this.queues.get(name).getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        const control = this.controls.get('queue', name);
        return {
          name,
          paused: control?.paused ?? false,
          paused_at: control?.pausedAt?.toISOString() ?? null,
          jobs: { waiting: counts.waiting ?? 0, delayed: counts.delayed ?? 0, active: counts.active ?? 0, prioritized: counts.prioritized ?? 0 },
          types: [...types.values()]
            .filter((t) => t.queue === name)
            .sort((a, b) => a.type.localeCompare(b.type))
            .map((t) => this.typeDto(t)),
        };
      }),
    );
  }

  async setPaused(scope: ControlScope, name: string, paused: boolean, by: string): Promise<QueueDto[]> {
    await this.controls.setPaused(scope, name, paused, by, this.redis);
    return this.listQueues();
  }

  async setRateLimit(type: string, limit: RateLimitDto | null, by: string): Promise<QueueDto[]> {
    await this.controls.setRateLimit(type, limit && { max: limit.max, intervalMs: limit.interval_ms }, by, this.redis);
    return this.listQueues();
  }

  async fleetView(): Promise<FleetDto> {
    const members = await this.fleet.members();
    return { workers: members.filter((m) => m.kind === 'worker'), schedulers: members.filter((m) => m.kind === 'scheduler'), lease_ms: this.fleet.leaseMs };
  }

  private typeDto(t: FleetTaskTypeDto): TaskTypeControlDto {
    const control = this.controls.get('type', t.type);
    const override = toDto(control?.rateLimit);
    return {
      type: t.type,
      queue: t.queue,
      paused: control?.paused ?? false,
      rate_limit: override ?? t.rate_limit,
      rate_limit_default: t.rate_limit,
      rate_limit_override: override,
      concurrency: t.concurrency,
      timeout_ms: t.timeout_ms,
    };
  }
}
