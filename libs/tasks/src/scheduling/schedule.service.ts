import { Channels, TaskCategory, type JsonValue, type ScheduleDto } from '@taskyard/contracts';
import { TaskDomainError } from '../errors';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { Db } from '../state/db';
import type { TaskRecord } from '../state/task-record';
import type { TaskContext, TaskService } from '../task.service';
import { nextFire, previousFire, type ScheduledJobDefinition, type ScheduledJobRegistry } from './scheduled-job.registry';

export class ScheduleNotFoundError extends TaskDomainError {
  readonly code = 'SCHEDULE_NOT_FOUND';
  constructor(readonly scheduleId: string) {
    super(`schedule not found: ${scheduleId}`);
  }
}

export class ScheduleDisabledError extends TaskDomainError {
  readonly code = 'SCHEDULE_DISABLED';
  constructor(readonly scheduleId: string) {
    super(`schedule is disabled: ${scheduleId}`);
  }
}

interface ScheduleState {
  enabled: boolean;
  lastRun: Date | null;
  /** Last toggle or fire. */
  updatedAt: Date;
}

/**
 * Schedules as users see them: code definitions joined with their persisted state (enabled,
 * last run). Toggling persists and tells every scheduler replica; firing creates a task that
 * a unique fire key makes exactly-once per fire time.
 */
export class ScheduleService {
  private readonly channel: string;

  constructor(
    private readonly db: Db,
    private readonly registry: ScheduledJobRegistry,
    private readonly tasks: TaskService,
    private readonly redis: RedisClient,
    connections: RedisConnections,
  ) {
    this.channel = connections.channel(Channels.SchedulesChanged);
  }

  get changesChannel(): string {
    return this.channel;
  }

  async states(): Promise<Map<string, ScheduleState>> {
    const rows = await this.db.rows<{ id: string; enabled: boolean; last_run: Date | null; updated_at: Date }>(`SELECT id, enabled, last_run, updated_at FROM scheduled_jobs`);
    return new Map(rows.map((r) => [r.id, { enabled: r.enabled, lastRun: r.last_run, updatedAt: r.updated_at }]));
  }

  async list(): Promise<ScheduleDto[]> {
    const states = await this.states();
    return this.registry.all().map((def) => this.toDto(def, states.get(def.id)));
  }

  async get(id: string): Promise<ScheduleDto> {
    const def = this.definition(id);
    return this.toDto(def, (await this.states()).get(id));
  }

  async isEnabled(id: string): Promise<boolean> {
    const def = this.definition(id);
    const [row] = await this.db.rows<{ enabled: boolean }>(`SELECT enabled FROM scheduled_jobs WHERE id = $1`, [id]);
    return row?.enabled ?? def.enabledByDefault ?? true;
  }

  async toggle(id: string, enabled: boolean): Promise<ScheduleDto> {
    this.definition(id);
    await this.db.rows(
      `INSERT INTO scheduled_jobs (id, enabled, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, updated_at = now()`,
      [id, enabled],
    );
    await this.redis.publish(this.channel, id).catch(() => 0);
    return this.get(id);
  }

  /** Creates one task now ("trigger now"); an error when the schedule is disabled. */
  async trigger(id: string, ctx: TaskContext): Promise<TaskRecord> {
    const def = this.definition(id);
    if (!(await this.isEnabled(id))) throw new ScheduleDisabledError(id);
    return this.createFireTask(def, new Date(), true, ctx);
  }

  /** Creates the task of one cron fire; the fire key de-duplicates replicas and redeliveries. */
  async fire(id: string, fireTime: Date): Promise<TaskRecord | null> {
    const def = this.registry.get(id);
    if (!def || !(await this.isEnabled(id))) return null;
    return this.createFireTask(def, fireTime, false, {});
  }

  /**
   * Creates the task of a fire that the job scheduler missed: Redis lost its job scheduler (a
   * restart, a flush) and the leader re-created it after the fire time, so BullMQ only fires
   * from the next one on. The latest fire time at or before `now` is still inside its
   * `not_after` window (which ends at the next fire); it is created when the schedule was
   * enabled at that time and nothing has been recorded since (no fire, no toggle: the row's
   * `updated_at` is older). The fire key makes this at most once per fire, whoever else fires it.
   */
  async catchUp(id: string, state: ScheduleState | undefined, now = new Date()): Promise<{ task: TaskRecord; fireTime: Date } | null> {
    const def = this.registry.get(id);
    if (!def || !state?.enabled) return null;
    const fireTime = previousFire(def, now);
    if (state.updatedAt.getTime() > fireTime.getTime()) return null;
    return { task: await this.createFireTask(def, fireTime, false, {}), fireTime };
  }

  private async createFireTask(def: ScheduledJobDefinition, fireTime: Date, manual: boolean, ctx: TaskContext): Promise<TaskRecord> {
    const payload: JsonValue | undefined = def.payloadBuilder ? await def.payloadBuilder({ scheduleId: def.id, fireTime, manual }) : undefined;
    const next = nextFire(def, new Date(Math.max(fireTime.getTime(), Date.now())));
    const task = await this.tasks.createTask({ traceId: ctx.traceId }, def.taskType, {
      payload,
      category: TaskCategory.System,
      cronScheduleId: def.id,
      maxRetries: def.maxRetries,
      notBefore: manual ? undefined : new Date(fireTime.getTime() - 1_000),
      notAfter: def.disableNotAfter ? undefined : next,
      fireKey: manual ? undefined : `${def.id}@${fireTime.toISOString()}`,
    });
    await this.db.rows(
      `INSERT INTO scheduled_jobs (id, enabled, last_run, next_run, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET last_run = GREATEST(scheduled_jobs.last_run, excluded.last_run), next_run = excluded.next_run, updated_at = now()`,
      [def.id, def.enabledByDefault ?? true, fireTime, next],
    );
    return task;
  }

  private definition(id: string): ScheduledJobDefinition {
    const def = this.registry.get(id);
    if (!def) throw new ScheduleNotFoundError(id);
    return def;
  }

  private toDto(def: ScheduledJobDefinition, state: ScheduleState | undefined): ScheduleDto {
    const enabled = state?.enabled ?? def.enabledByDefault ?? true;
    const dto: ScheduleDto = { id: def.id, name: def.name, spec: def.spec, description: def.description ?? '', task_type: def.taskType, enabled };
    if (enabled) dto.next_run = nextFire(def, new Date()).toISOString();
    if (state?.lastRun) dto.last_run = state.lastRun.toISOString();
    return dto;
  }
}
