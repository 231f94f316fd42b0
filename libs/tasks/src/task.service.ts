import { randomUUID } from 'node:crypto';
import type { RedisClient } from './queue/redis-connections';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { SYSTEM_CREATOR, TaskCategory, TaskStatus, TASK_CATEGORIES, type JsonValue } from '@taskyard/contracts';
import { Logger, type TaskMetrics } from '@taskyard/observability';
import { DependencyUnavailableError, InvalidTaskOptionsError, TaskNotFoundError } from './errors';
import type { CancelBus } from './events/cancel-bus';
import type { TaskEventPublisher } from './events/task-event-bus';
import type { TaskQueues } from './queue/task-queues';
import type { TaskRegistry } from './registry/task-registry';
import { Db } from './state/db';
import type { TaskRecord } from './state/task-record';
import type { NewTask, TaskStateMachine } from './state/task-state-machine';
import type { TasksConfig } from './tasks.config';
import { Batcher } from './util/batcher';
import { isTransientDbError } from './util/db-retry';

/** Longest a create waits for Redis before leaving the enqueue to the reconciler. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/** Who is asking: the authenticated user (if any) and the request's trace id. */
export interface TaskContext {
  user?: { id: string } | null;
  traceId?: string;
}

/** Options of {@link TaskService.createTask} (spec §4). */
export interface CreateTaskOptions<P extends JsonValue = JsonValue> {
  payload?: P;
  /** Automatic retries after a runner error (default: the type's, else 0). */
  maxRetries?: number;
  /** Default: `user` when a user creates it, `system` otherwise. */
  category?: TaskCategory;
  cronScheduleId?: string;
  /** Not started before this time. */
  notBefore?: Date;
  /** Cancelled with `task expired` if not started by then. */
  notAfter?: Date;
  /** Higher runs first; 0 (default) is normal. */
  priority?: number;
  /** Same key and same creator returns the existing task instead of creating one. */
  idempotencyKey?: string;
  /**
   * The caller's transaction: the task is inserted inside it and enqueued only after it
   * commits; a rollback leaves no task and no job.
   */
  manager?: EntityManager;
  /** @internal Unique key of a schedule fire (de-duplicates scheduler replicas). */
  fireKey?: string;
}

export interface CreateTaskRequest<P extends JsonValue = JsonValue> extends Omit<CreateTaskOptions<P>, 'manager'> {
  type: string;
}

/** Module-author API: create tasks, and the lifecycle actions the API exposes. */
export class TaskService {
  private readonly logger = new Logger('task-service');
  private readonly inserts: Batcher<NewTask, { record: TaskRecord; created: boolean }>;
  private readonly afterCommit = new WeakMap<QueryRunner, TaskRecord[]>();

  constructor(
    private readonly config: TasksConfig,
    private readonly states: TaskStateMachine,
    private readonly queues: TaskQueues,
    private readonly registry: TaskRegistry,
    private readonly events: TaskEventPublisher,
    private readonly cancelBus: CancelBus,
    private readonly redis: RedisClient,
    private readonly metrics: TaskMetrics,
    dataSource: DataSource,
  ) {
    this.inserts = new Batcher((items) => this.states.insert(items), { maxSize: 500, maxWaitMs: 0 });
    dataSource.subscribers.push({
      afterTransactionCommit: (event) => this.flushAfterCommit(event.queryRunner),
      afterTransactionRollback: (event) => {
        this.afterCommit.delete(event.queryRunner);
      },
    });
  }

  /** Creates one task and enqueues it (after the caller's transaction commits, if given one). */
  async createTask<P extends JsonValue = JsonValue>(ctx: TaskContext, type: string, options: CreateTaskOptions<P> = {}): Promise<TaskRecord> {
    const row = this.build(ctx, type, options);
    const { manager } = options;
    const queryRunner = manager?.queryRunner;
    if (manager && queryRunner?.isTransactionActive) {
      const [result] = await this.states.insert([row], Db.inTransaction(manager));
      if (result.created) this.afterCommit.set(queryRunner, [...(this.afterCommit.get(queryRunner) ?? []), result.record]);
      return result.record;
    }
    const result = await this.guardDb(() => this.inserts.add(row));
    if (result.created) await this.published([result.record]);
    return result.record;
  }

  /** Creates many tasks in one round trip (and one enqueue pipeline). */
  async createTasks(ctx: TaskContext, requests: CreateTaskRequest[]): Promise<TaskRecord[]> {
    const rows = requests.map((r) => this.build(ctx, r.type, r));
    const results = await this.guardDb(() => this.states.insert(rows));
    await this.published(results.filter((r) => r.created).map((r) => r.record));
    return results.map((r) => r.record);
  }

  async getTask(id: string): Promise<TaskRecord> {
    const task = await this.guardDb(() => this.states.find(id));
    if (!task) throw new TaskNotFoundError(id);
    return task;
  }

  /** Pending: cancelled at once (job removed). Running: flagged, and every worker is told. */
  async cancelTask(id: string): Promise<TaskRecord> {
    const task = await this.guardDb(() => this.states.cancel(id));
    await this.afterCancel(task);
    return task;
  }

  /** Manual retry of a failed or cancelled task. */
  async retryTask(id: string): Promise<TaskRecord> {
    const task = await this.guardDb(() => this.states.retry(id));
    this.publishStatus(task);
    await this.enqueueSafely([task]);
    return task;
  }

  /** Soft delete; cancels first when pending or running. */
  async deleteTask(id: string): Promise<TaskRecord> {
    const task = await this.guardDb(() => this.states.softDelete(id));
    this.events.publish({ type: 'deleted', task_id: task.id, creator_id: task.creatorId, at: new Date().toISOString() });
    await this.afterCancel(task);
    return task;
  }

  private async afterCancel(task: TaskRecord): Promise<void> {
    if (task.status === TaskStatus.Cancelled) {
      this.publishStatus(task);
      await this.queues.remove(task.queue, task.id, task.attempt).catch(() => undefined);
    } else if (task.status === TaskStatus.Running) {
      // The durable flag is already set; the message only makes it fast.
      await this.cancelBus.publish(this.redis, task.id).catch((err: Error) => this.logger.warn('cancel message not published', { task_id: task.id, error: err.message }));
    }
  }

  private build(ctx: TaskContext, type: string, r: Omit<CreateTaskOptions, 'manager'>): NewTask {
    if (typeof type !== 'string' || type.length === 0 || type.length > 128) throw new InvalidTaskOptionsError('type must be a non-empty string');
    const payload = r.payload ?? null;
    const size = payload === null ? 0 : Buffer.byteLength(JSON.stringify(payload));
    if (size > this.config.MAX_PAYLOAD_BYTES) throw new InvalidTaskOptionsError(`payload is ${size} bytes; the limit is ${this.config.MAX_PAYLOAD_BYTES}`);
    const maxRetries = r.maxRetries ?? this.registry.get(type)?.maxRetries ?? 0;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 100) throw new InvalidTaskOptionsError('maxRetries must be an integer between 0 and 100');
    const priority = r.priority ?? 0;
    if (!Number.isInteger(priority) || priority < 0 || priority > 1_000_000) throw new InvalidTaskOptionsError('priority must be an integer between 0 and 1000000');
    const creatorId = ctx.user?.id ?? SYSTEM_CREATOR;
    const category = r.category ?? (ctx.user ? TaskCategory.User : TaskCategory.System);
    if (!TASK_CATEGORIES.includes(category)) throw new InvalidTaskOptionsError(`category must be one of ${TASK_CATEGORIES.join(', ')}`);
    for (const [name, d] of [['notBefore', r.notBefore], ['notAfter', r.notAfter]] as const) {
      if (d !== undefined && !(d instanceof Date && !Number.isNaN(d.getTime()))) throw new InvalidTaskOptionsError(`${name} must be a valid Date`);
    }
    if (r.notBefore && r.notAfter && r.notAfter <= r.notBefore) throw new InvalidTaskOptionsError('notAfter must be later than notBefore');
    if (r.idempotencyKey !== undefined && (r.idempotencyKey.length === 0 || r.idempotencyKey.length > 256)) {
      throw new InvalidTaskOptionsError('idempotencyKey must be 1 to 256 characters');
    }
    return {
      id: randomUUID(),
      type,
      queue: this.registry.queueOf(type),
      creatorId,
      category,
      cronScheduleId: r.cronScheduleId ?? null,
      maxRetries,
      priority,
      payload,
      notBefore: r.notBefore ?? null,
      notAfter: r.notAfter ?? null,
      idempotencyKey: r.idempotencyKey ?? null,
      fireKey: r.fireKey ?? null,
      traceId: ctx.traceId ?? null,
    };
  }

  private async flushAfterCommit(queryRunner: QueryRunner): Promise<void> {
    const records = this.afterCommit.get(queryRunner);
    this.afterCommit.delete(queryRunner);
    if (records?.length) await this.published(records);
  }

  private async published(records: TaskRecord[]): Promise<void> {
    for (const r of records) {
      this.metrics.created.inc({ category: r.category, type: r.type });
      this.publishStatus(r);
    }
    await this.enqueueSafely(records);
  }

  /**
   * The row is committed, so the task is accepted even if Redis refuses the job: the failure
   * is counted and the reconciler enqueues it from PostgreSQL later.
   */
  private async enqueueSafely(records: TaskRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const enqueue = records.length === 1 ? this.queues.enqueue(records[0]) : this.queues.enqueueMany(records);
      // BullMQ waits for Redis to come back rather than failing; a request must not hang on
      // that, so after a bound the enqueue is left to the reconciler.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        enqueue.finally(() => clearTimeout(timer)),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('Redis did not accept the job in time')), ENQUEUE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      for (const r of records) this.metrics.overflow.inc({ category: r.category });
      this.logger.warn('enqueue failed; the reconciler will enqueue from PostgreSQL', { count: records.length, error: (err as Error).message });
    }
  }

  private publishStatus(t: TaskRecord): void {
    this.events.publish({ type: 'status', task_id: t.id, creator_id: t.creatorId, status: t.status, error: t.error, at: new Date().toISOString() });
  }

  private async guardDb<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isTransientDbError(err)) throw new DependencyUnavailableError('postgres', err);
      throw err;
    }
  }
}
