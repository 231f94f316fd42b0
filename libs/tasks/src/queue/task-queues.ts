import { Queue, type JobsOptions } from 'bullmq';
import { TASK_JOB_NAME, taskJobId, type TaskJobData } from '@taskyard/contracts';
import type { TaskRecord } from '../state/task-record';
import { Batcher } from '../util/batcher';
import type { RedisClient, RedisConnections } from './redis-connections';

/**
 * Task priority (higher = more urgent, 0 = normal) to BullMQ priority (1 = most urgent,
 * 0 = none). Priority 0 stays on BullMQ's fast non-prioritised path.
 */
export function bullPriority(priority: number): number | undefined {
  if (priority <= 0) return undefined;
  return Math.max(1, 1_000_001 - Math.min(priority, 1_000_000));
}

/** A pending task's job: `live` (waiting, delayed or active), `missing`, or `ended` without the row moving on. */
export type JobCheck = 'live' | 'missing' | 'ended';

export interface EnqueueRequest {
  task: Pick<TaskRecord, 'id' | 'type' | 'queue' | 'attempt' | 'priority' | 'notBefore'>;
}

/**
 * The BullMQ queues tasks travel on. A job only points at a task row (id + attempt), with a
 * deterministic id, so enqueueing the same pending task twice is harmless.
 */
export class TaskQueues {
  private readonly queues = new Map<string, Queue<TaskJobData>>();
  private readonly connection: RedisClient;
  private readonly batcher = new Batcher<EnqueueRequest, void>((items) => this.addNow(items), { maxSize: 500, maxWaitMs: 0 });

  constructor(private readonly redis: RedisConnections) {
    this.connection = redis.create('queue');
  }

  get(name: string): Queue<TaskJobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<TaskJobData>(name, { connection: this.connection, prefix: this.redis.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Enqueues one task (coalesced with concurrent calls into one pipeline per queue). */
  enqueue(task: EnqueueRequest['task']): Promise<void> {
    return this.batcher.add({ task });
  }

  async enqueueMany(tasks: EnqueueRequest['task'][]): Promise<void> {
    await this.addNow(tasks.map((task) => ({ task })));
  }

  /** Removes a waiting or delayed job (a cancelled pending task); a running one stays. */
  async remove(queue: string, taskId: string, attempt: number): Promise<void> {
    await this.get(queue).remove(taskJobId(taskId, attempt)).catch(() => 0);
  }

  /**
   * Which of these pending tasks have no job that will run them: the job is missing (flushed,
   * never added) or it ended (failed or completed in BullMQ, e.g. a claim that could not reach
   * PostgreSQL, or a worker of another database) while the row still waits at that attempt.
   * One pipelined round trip per call.
   */
  async unrunnable(tasks: Pick<TaskRecord, 'id' | 'queue' | 'attempt'>[]): Promise<JobCheck[]> {
    if (tasks.length === 0) return [];
    const pipeline = this.connection.pipeline();
    for (const t of tasks) pipeline.hmget(this.redis.key(t.queue, taskJobId(t.id, t.attempt)), 'timestamp', 'finishedOn');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, fields]) => {
      if (err) throw err;
      const [timestamp, finishedOn] = fields as (string | null)[];
      return timestamp === null ? 'missing' : finishedOn !== null ? 'ended' : 'live';
    });
  }

  /**
   * Re-adds tasks whose job ended without the row moving on: the ended job is removed first,
   * since an add under an existing id is a no-op.
   */
  async readd(tasks: EnqueueRequest['task'][]): Promise<void> {
    await Promise.all(tasks.map((t) => this.get(t.queue).remove(taskJobId(t.id, t.attempt))));
    await this.enqueueMany(tasks);
  }

  private async addNow(items: EnqueueRequest[]): Promise<void[]> {
    const byQueue = new Map<string, EnqueueRequest[]>();
    for (const item of items) byQueue.set(item.task.queue, [...(byQueue.get(item.task.queue) ?? []), item]);
    const now = Date.now();
    await Promise.all(
      [...byQueue].map(([name, group]) =>
        this.get(name).addBulk(
          group.map(({ task }) => ({
            name: TASK_JOB_NAME,
            data: { t: task.id, a: task.attempt, y: task.type },
            opts: jobOptions(task, now),
          })),
        ),
      ),
    );
    return items.map(() => undefined);
  }

  async close(): Promise<void> {
    await this.batcher.drain().catch(() => undefined);
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}

function jobOptions(task: EnqueueRequest['task'], now: number): JobsOptions {
  const delay = task.notBefore ? Math.max(0, task.notBefore.getTime() - now) : 0;
  return {
    jobId: taskJobId(task.id, task.attempt),
    delay: delay > 0 ? delay : undefined,
    priority: bullPriority(task.priority),
    attempts: 1,
    removeOnComplete: true,
    removeOnFail: { count: 1_000 },
  };
}
