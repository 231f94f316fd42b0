import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Worker, type Job } from 'bullmq';
import { DEFAULT_QUEUE, TaskStatus, type JsonValue, type TaskJobData } from '@taskyard/contracts';
import type { FleetMemberState } from '../cluster/fleet';
import type { FileStore } from '@taskyard/files';
import { Logger, withLogContext, type TaskMetrics } from '@taskyard/observability';
import { TaskCancelledError, TaskTimeoutError, TaskTypeNotRegisteredError, UnrecoverableTaskError } from '../errors';
import type { RateLimiter } from '../controls/rate-limiter';
import type { TaskControlsService } from '../controls/task-controls.service';
import type { CancelBus } from '../events/cancel-bus';
import type { TaskEventPublisher } from '../events/task-event-bus';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import type { TaskQueues } from '../queue/task-queues';
import type { RegisteredTaskType, TaskRegistry } from '../registry/task-registry';
import type { TaskRunContext, TaskRunner } from '../runner/runner.types';
import { TaskSettingKeys, type TaskSettingsService } from '../settings/task-settings';
import type { RunRecord } from '../state/task-record';
import { CANCELLED_ERROR, type Claimed, type TaskStateMachine, type TickItem, type Transitioned } from '../state/task-state-machine';
import type { TasksConfig } from '../tasks.config';
import { Batcher } from '../util/batcher';
import { isTransientDbError, withDbRetry } from '../util/db-retry';
import { ProgressTracker } from './progress-tracker';
import type { TaskLogSink } from './task-log-sink';

type AbortReason = 'cancel' | 'lost' | 'timeout';

/** One attempt running in this process. */
interface ActiveRun {
  task: RunRecord;
  startedAt: Date;
  controller: AbortController;
  abortReason?: AbortReason;
  progress: ProgressTracker;
  /** Resolves when the abort grace period has passed without the runner settling. */
  abandoned: Promise<void>;
  abandon: () => void;
  /** A platform write of this run (its artifact) that failed because PostgreSQL was out of reach. */
  platformFailure?: string;
}

type Outcome =
  | { kind: 'success'; result: JsonValue | null }
  | { kind: 'cancelled'; error: string }
  | { kind: 'failed'; error: string; retry: boolean }
  /** The platform, not the runner, failed (PostgreSQL out of reach): hand the task back, no retry counted. */
  | { kind: 'handback'; error: string }
  | { kind: 'lost' };

export interface TaskWorkerDeps {
  config: TasksConfig;
  registry: TaskRegistry;
  states: TaskStateMachine;
  queues: TaskQueues;
  connections: RedisConnections;
  redis: RedisClient;
  metrics: TaskMetrics;
  events: TaskEventPublisher;
  cancelBus: CancelBus;
  settings: TaskSettingsService;
  logs: TaskLogSink;
  files: FileStore;
  controls: TaskControlsService;
  limiter: RateLimiter;
}

/** A job of a paused queue or type looks again this often (plus jitter): resume latency. */
const PAUSED_RECHECK_MS = 1_000;

/**
 * Runs tasks from BullMQ queues. A job only names a task and an attempt; the worker claims the
 * row (compare-and-set), runs the registered runner with a context (signal, progress, logs,
 * artifacts), and records one outcome with the attempt as fencing token. Claims and outcomes
 * of concurrent runs are written in batches.
 */
export class TaskWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger('task-worker', { worker_id: this.id });
  private readonly workers: Worker<TaskJobData>[] = [];
  /**
   * Runs in this process by attempt (`<task id>:<attempt>`), not by task id: after a take-over
   * on this same worker the old attempt's runner may still be settling, and it must not touch
   * the new attempt's entry (which would stop the new run's heartbeat).
   */
  private readonly active = new Map<string, ActiveRun>();
  private readonly activeByType = new Map<string, number>();
  /** Processings in progress per BullMQ job id (see {@link startProcessing}). */
  private readonly processing = new Map<string, Set<Promise<void>>>();
  private reserved = 0;
  /** Claims and outcomes of concurrent runs, written together in one statement per tick. */
  private readonly transitions: Batcher<TickItem, Claimed | Transitioned | null>;
  private readonly progressWrites: Batcher<{ id: string; attempt: number; progress: number; message: string | null }, undefined>;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly recording = new Set<Promise<void>>();
  private draining = false;
  private concurrency: number;

  constructor(private readonly d: TaskWorkerDeps) {
    this.transitions = new Batcher((items) => withDbRetry(() => d.states.tick(items, this.id), d.config.DB_RETRY_BUDGET_MS), { maxSize: 200, maxWaitMs: 1, maxInFlight: 2 });
    this.progressWrites = new Batcher(
      async (items) => {
        await d.states.saveProgress(items).catch((err: Error) => this.logger.warn('progress not saved', { error: err.message }));
        return items.map(() => undefined);
      },
      { maxSize: 200, maxWaitMs: 5 },
    );
    this.concurrency = d.settings.getInt(TaskSettingKeys.MaxConcurrent);
  }

  /** This worker as the fleet view shows it: queues, slots, runs in progress, types hosted. */
  describe(): FleetMemberState {
    return {
      kind: 'worker',
      id: this.id,
      queues: this.workers.map((w) => w.name),
      concurrency: this.concurrency,
      running: [...this.active.values()].map((r) => ({ task_id: r.task.id, type: r.task.type, attempt: r.task.attempt, started_at: r.startedAt.toISOString() })),
      types: this.d.registry.all().map((t) => ({
        type: t.type,
        queue: t.queue,
        concurrency: t.concurrency ?? null,
        timeout_ms: t.timeoutMs ?? null,
        rate_limit: t.rateLimit ? { max: t.rateLimit.max, interval_ms: t.rateLimit.intervalMs } : null,
      })),
    };
  }

  /** Starts consuming the given queues (default: every queue with a registered type). */
  async start(queueNames?: string[]): Promise<string[]> {
    // The default queue is always consumed: unregistered types land there and must fail loudly.
    const names = queueNames?.length ? queueNames : [...new Set([DEFAULT_QUEUE, ...this.d.registry.queues()])];
    const subscriber = this.d.connections.create('subscriber');
    await this.d.cancelBus.subscribe(subscriber, (taskId) => this.cancel(taskId));
    this.d.settings.onChange(() => this.applyConcurrency());
    this.d.controls.onChange(() => this.applyQueuePauses());
    for (const name of names) {
      const worker = new Worker<TaskJobData>(name, (job, token) => this.process(job, token), {
        connection: this.d.connections.create('worker'),
        prefix: this.d.connections.prefix,
        concurrency: this.concurrency,
        lockDuration: this.d.config.LOCK_DURATION_MS,
        stalledInterval: this.d.config.STALLED_INTERVAL_MS,
        maxStalledCount: 2,
        autorun: true,
      });
      worker.on('error', (err) => this.logger.warn('queue worker error', { queue: name, error: err.message }));
      this.workers.push(worker);
    }
    this.applyQueuePauses();
    // Series exist from the start, so dashboards and alerts see 0 rather than nothing.
    for (const t of this.d.registry.all()) this.d.metrics.running.set({ type: t.type }, 0);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.d.config.HEARTBEAT_INTERVAL_MS);
    this.logger.info('worker started', { queues: names, concurrency: this.concurrency });
    return names;
  }

  private applyConcurrency(): void {
    const next = this.d.settings.getInt(TaskSettingKeys.MaxConcurrent);
    if (next === this.concurrency) return;
    this.concurrency = next;
    for (const w of this.workers) w.concurrency = next;
    this.logger.info('concurrency changed', { concurrency: next });
  }

  /** A paused queue stops fetching on every worker (its running jobs go on); resume restarts it. */
  private applyQueuePauses(): void {
    for (const w of this.workers) {
      const paused = this.d.controls.isQueuePaused(w.name);
      if (paused && !w.isPaused()) void w.pause(true).then(() => this.logger.info('queue paused', { queue: w.name }));
      else if (!paused && w.isPaused() && !this.draining) void w.resume().then(() => this.logger.info('queue resumed', { queue: w.name }));
    }
  }

  private async process(job: Job<TaskJobData>, token?: string): Promise<void> {
    const { t: id, a: gen, y: type } = job.data;
    const registered = this.d.registry.get(type);
    // Paused work, and work over a per-type, process-wide or rate limit, steps aside (delayed)
    // so the slot serves other jobs instead of waiting. The task row stays pending.
    if (this.d.controls.isPaused(job.queueName, type)) return this.stepAside(job, token, PAUSED_RECHECK_MS, PAUSED_RECHECK_MS / 2);
    const typeCount = this.activeByType.get(type) ?? 0;
    if ((registered?.concurrency !== undefined && typeCount >= registered.concurrency) || this.reserved >= this.concurrency) {
      return this.stepAside(job, token, 50, 150);
    }
    this.activeByType.set(type, typeCount + 1);
    this.reserved++;
    const done = this.startProcessing(job.id ?? '');
    try {
      const limit = this.d.controls.rateLimitOf(type, registered?.rateLimit);
      if (limit) {
        const waitMs = await this.d.limiter.take(type, limit).catch((err: Error) => {
          this.logger.warn('rate limit check failed; the job waits', { task_type: type, error: err.message });
          return PAUSED_RECHECK_MS;
        });
        if (waitMs > 0) {
          this.d.metrics.rateLimited.inc({ type });
          return await this.stepAside(job, token, waitMs, Math.min(250, limit.intervalMs / 10));
        }
      }
      await this.claimAndRun(id, gen, registered);
    } finally {
      this.reserved--;
      const n = (this.activeByType.get(type) ?? 1) - 1;
      if (n > 0) this.activeByType.set(type, n);
      else this.activeByType.delete(type);
      await done();
    }
  }

  /**
   * BullMQ renews job locks per job id. When this worker takes over its own stalled job (a
   * freeze past the lock), two processings of one job id overlap here; the first to return
   * would stop the lock renewal of the other, which then stalls and is taken over again. So a
   * processing hands its job id back to BullMQ only once the others of that id have ended.
   */
  private startProcessing(jobId: string): () => Promise<void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    let same = this.processing.get(jobId);
    if (!same) this.processing.set(jobId, (same = new Set()));
    same.add(ended);
    return async () => {
      end();
      same.delete(ended);
      if (same.size === 0) {
        if (this.processing.get(jobId) === same) this.processing.delete(jobId);
        return;
      }
      await Promise.all(same);
    };
  }

  private async stepAside(job: Job<TaskJobData>, token: string | undefined, delayMs: number, jitterMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs + Math.floor(Math.random() * jitterMs), token);
    throw new DelayedError();
  }

  private async claimAndRun(id: string, gen: number, registered: RegisteredTaskType | undefined): Promise<void> {
    const claimed = (await this.transitions.add({ claim: { id, gen } })) as Claimed | null;
    if (!claimed) {
      const { expired, found } = await this.dbRetry(() => this.d.states.unclaimed(id, gen));
      if (expired) this.recorded(expired, undefined);
      else if (found) {
        this.d.metrics.jobDropped.inc({ reason: 'moved_on' });
        this.logger.info('job dropped: its task moved on (cancelled, expired or run meanwhile)', { task_id: id, job_attempt: gen });
      } else {
        // Failed, not completed: the job stays in Redis's failed set, where the reconciler of
        // the database that has this task finds it and re-adds it (a worker pointed at another
        // database on the same Redis must not make that platform's tasks vanish).
        this.d.metrics.jobDropped.inc({ reason: 'not_found' });
        this.logger.warn('job names a task this worker\'s database does not have; failing the job for the reconciler that has it', { task_id: id, job_attempt: gen });
        throw new UnclaimedJobError(id);
      }
      return;
    }
    const { record: task, takeover } = claimed;
    if (takeover) this.d.metrics.recovered.inc({ reason: 'stalled' });
    if (takeover && task.recoveries >= this.d.config.MAX_RECOVERIES) {
      this.d.metrics.recovered.inc({ reason: 'poison' });
      await this.record(task, { kind: 'failed', error: `poison task: its worker was lost ${task.recoveries} times`, retry: false }, null);
      return;
    }
    if (task.cancelRequested) {
      await this.record(task, { kind: 'cancelled', error: CANCELLED_ERROR }, null);
      return;
    }
    if (!registered) {
      await this.record(task, { kind: 'failed', error: new TaskTypeNotRegisteredError(task.type).message, retry: false }, null);
      return;
    }
    await withLogContext({ task_id: task.id, trace_id: task.traceId ?? undefined, task_type: task.type, attempt: task.attempt }, () => this.run(task, registered));
  }

  private async run(task: RunRecord, registered: RegisteredTaskType): Promise<void> {
    const labels = { category: task.category, type: task.type };
    this.d.metrics.started.inc(labels);
    if (task.attempt === 1) this.d.metrics.waitDuration.observe({ type: task.type }, Math.max(0, Date.now() - task.createdAt.getTime()) / 1000);
    this.d.metrics.running.inc({ type: task.type });
    const started = process.hrtime.bigint();
    const run = this.track(task);
    const timeout = registered.timeoutMs === undefined ? undefined : setTimeout(() => this.abort(run, 'timeout'), registered.timeoutMs);
    this.publishStatus(task.id, task.creatorId, TaskStatus.Running, null);
    let outcome: Outcome;
    try {
      if (task.attempt > 1 || task.retryCount > 0) await this.d.logs.resume(task.id);
      else this.d.logs.begin(task.id);
      outcome = await this.execute(run, registered.runner);
    } finally {
      clearTimeout(timeout);
      run.progress.stop();
      this.active.delete(runKey(task));
      this.d.metrics.running.dec({ type: task.type });
      this.d.metrics.runDuration.observe({ type: task.type }, Number(process.hrtime.bigint() - started) / 1e9);
    }
    await this.d.logs.flush();
    this.d.logs.end(task.id);
    if (outcome.kind === 'lost') {
      this.logger.warn('run lost its claim; outcome discarded', { task_id: task.id, attempt: task.attempt });
      return;
    }
    // The outcome is written in the background (batched with other runs) so the queue slot
    // serves the next job meanwhile; a bounded number of writes may be in flight. If this
    // process dies before the write commits, the row is still `running` and the reaper
    // re-runs the task: at-least-once, never lost, never two outcomes for one attempt.
    const recording = this.record(task, outcome, run.progress).catch((err: Error) =>
      this.logger.error('outcome not recorded; the reaper will re-run the task', { task_id: task.id, error: err.message }),
    );
    this.recording.add(recording);
    void recording.finally(() => this.recording.delete(recording));
    while (this.recording.size > this.concurrency * 4) await Promise.race(this.recording);
  }

  private track(task: RunRecord): ActiveRun {
    const controller = new AbortController();
    let abandon!: () => void;
    const abandoned = new Promise<void>((resolve) => (abandon = resolve));
    const progress = new ProgressTracker(
      this.d.config.PROGRESS_PUBLISH_MS,
      this.d.config.PROGRESS_PERSIST_MS,
      (p, message) =>
        this.d.events.publish({ type: 'progress', task_id: task.id, creator_id: task.creatorId, progress: p, message, at: new Date().toISOString() }),
      (p, message) => void this.progressWrites.add({ id: task.id, attempt: task.attempt, progress: p, message }),
    );
    const run: ActiveRun = { task, startedAt: new Date(), controller, progress, abandoned, abandon };
    this.active.set(runKey(task), run);
    return run;
  }

  private context(run: ActiveRun): TaskRunContext<never> {
    const { task, controller } = run;
    const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string) => {
      const text = String(message);
      this.logger.write(level, text, { task_id: task.id, task_type: task.type, source: 'runner' });
      if (level !== 'debug') this.d.logs.write(task.id, task.creatorId, level, text);
    };
    return {
      task: {
        id: task.id,
        type: task.type,
        payload: task.payload as never,
        attempt: task.attempt,
        autoRetryCount: task.autoRetryCount,
        maxRetries: task.maxRetries,
        creatorId: task.creatorId,
        category: task.category,
        cronScheduleId: task.cronScheduleId,
        createdAt: task.createdAt,
      },
      signal: controller.signal,
      progress: (percent, message) => run.progress.update(percent, message),
      logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      saveArtifact: async (content, options) => {
        try {
          // Every statement of the save is retried within the budget (see PgFileStore).
          const file = await this.d.files.save(content, { name: options.fileName, contentType: options.contentType, taskId: task.id, creatorId: task.creatorId });
          const linked = await this.dbRetry(() => this.d.states.setArtifact(task.id, task.attempt, file.key, file.name));
          if (!linked) {
            await this.d.files.delete([file.key]);
            throw new TaskCancelledError('the run no longer owns its task; artifact discarded');
          }
          if (linked.previousKey && linked.previousKey !== file.key) await this.d.files.delete([linked.previousKey]).catch(() => undefined);
          return { fileKey: file.key, fileName: file.name, size: file.size };
        } catch (err) {
          // PostgreSQL out of reach past the retry budget is the platform's failure, not the
          // runner's: whatever the runner makes of this error, the run is handed back.
          if (isTransientDbError(err)) run.platformFailure = (err as Error).message;
          throw err;
        }
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new TaskCancelledError();
      },
    };
  }

  private async execute(run: ActiveRun, runner: TaskRunner<never, unknown>): Promise<Outcome> {
    let runnerSettled = false;
    const settled = (async (): Promise<Outcome> => {
      try {
        const value = await runner.run(this.context(run));
        if (run.controller.signal.aborted) return this.abortedOutcome(run);
        return { kind: 'success', result: toJson(value) };
      } catch (err) {
        if (run.controller.signal.aborted) return this.abortedOutcome(run);
        if (run.platformFailure !== undefined) return { kind: 'handback', error: run.platformFailure };
        if (err instanceof TaskCancelledError) return { kind: 'cancelled', error: err.message || CANCELLED_ERROR };
        const message = err instanceof Error ? err.message || err.name : String(err);
        return { kind: 'failed', error: message, retry: !(err instanceof UnrecoverableTaskError) };
      } finally {
        runnerSettled = true;
      }
    })();
    // The grace timer fires whether or not the runner stopped in time; only a runner still
    // running by then ignored its cancellation (otherwise every prompt cancel logged this).
    const abandoned = run.abandoned.then((): Outcome => {
      // A run that lost its claim is abandoned at once, by design: that is no misbehaviour.
      if (!runnerSettled && run.abortReason !== 'lost') this.logger.warn('runner ignored cancellation past the grace period; recording the outcome without it', { task_id: run.task.id });
      return this.abortedOutcome(run);
    });
    return Promise.race([settled, abandoned]);
  }

  private abortedOutcome(run: ActiveRun): Outcome {
    const reason: unknown = run.controller.signal.reason;
    if (run.abortReason === 'timeout' && reason instanceof TaskTimeoutError) return { kind: 'failed', error: reason.message, retry: true };
    return run.abortReason === 'lost' ? { kind: 'lost' } : { kind: 'cancelled', error: CANCELLED_ERROR };
  }

  /** Records a run's outcome (or schedules its automatic retry). */
  private async record(task: RunRecord, outcome: Exclude<Outcome, { kind: 'lost' }>, progress: ProgressTracker | null): Promise<void> {
    if (outcome.kind === 'handback') {
      this.logger.warn('a platform write of the run failed (database out of reach); handing the task back without counting a retry', { task_id: task.id, error: outcome.error });
      const pending = await this.dbRetry(() => this.d.states.release(task.id, task.attempt));
      if (pending) {
        this.d.metrics.recovered.inc({ reason: 'platform' });
        this.publishStatus(task.id, task.creatorId, TaskStatus.Pending, null);
        await this.d.queues.enqueueMany([pending]).catch((err: Error) => this.logger.warn('hand-back enqueue failed; the reconciler will enqueue it', { task_id: task.id, error: err.message }));
      }
      return;
    }
    if (outcome.kind === 'failed' && outcome.retry && task.autoRetryCount < task.maxRetries) {
      const delay = Math.min(this.d.config.RETRY_BACKOFF_MS * 2 ** task.autoRetryCount, this.d.config.RETRY_BACKOFF_MAX_MS);
      const pending = await this.dbRetry(() => this.d.states.scheduleRetry(task.id, task.attempt, outcome.error, delay));
      if (pending) {
        this.publishStatus(task.id, task.creatorId, TaskStatus.Pending, outcome.error);
        await this.d.queues.enqueueMany([pending]).catch((err: Error) => this.logger.warn('retry enqueue failed; the reconciler will enqueue it', { task_id: task.id, error: err.message }));
        return;
      }
      // Fenced out, or cancellation was requested meanwhile: record the failure as final below.
    }
    const status = outcome.kind === 'success' ? TaskStatus.Success : outcome.kind === 'cancelled' ? TaskStatus.Cancelled : TaskStatus.Failed;
    const done = (await this.transitions.add({
      finish: {
        id: task.id,
        attempt: task.attempt,
        status,
        result: outcome.kind === 'success' ? outcome.result : null,
        error: outcome.kind === 'success' ? null : outcome.error,
        progress: progress?.progress ?? null,
        progressMessage: progress?.message ?? null,
      },
    })) as Transitioned | null;
    if (!done) {
      this.logger.info('outcome discarded: the task moved on (fenced by a newer attempt or a cancellation)', { task_id: task.id, attempt: task.attempt, status });
      return;
    }
    this.recorded(done, task);
  }

  private dbRetry<T>(write: () => Promise<T>): Promise<T> {
    return withDbRetry(write, this.d.config.DB_RETRY_BUDGET_MS);
  }

  private recorded(t: Transitioned, task: RunRecord | undefined): void {
    if (task) this.d.metrics.completed.inc({ category: task.category, type: task.type, status: t.status });
    this.publishStatus(t.id, t.creatorId, t.status, t.error);
  }

  private publishStatus(id: string, creatorId: string, status: TaskStatus, error: string | null): void {
    this.d.events.publish({ type: 'status', task_id: id, creator_id: creatorId, status, error, at: new Date().toISOString() });
  }

  /** Cancels every local run of a task (a cancel message names the task, not an attempt). */
  private cancel(taskId: string): void {
    for (const run of this.active.values()) if (run.task.id === taskId) this.abort(run, 'cancel');
  }

  /** Aborts a local run; after the grace period its outcome is recorded without the runner. */
  private abort(run: ActiveRun, reason: AbortReason): boolean {
    if (run.controller.signal.aborted) return false;
    run.abortReason = reason;
    if (reason === 'timeout') this.d.metrics.timedOut.inc({ type: run.task.type });
    run.controller.abort(abortError(reason, this.d.registry.get(run.task.type)?.timeoutMs ?? 0));
    const timer = setTimeout(run.abandon, reason === 'lost' ? 0 : this.d.config.CANCEL_GRACE_MS);
    timer.unref();
    return true;
  }

  private async heartbeat(): Promise<void> {
    const runs = [...this.active.values()];
    if (runs.length === 0) return;
    let owned: Awaited<ReturnType<TaskStateMachine['heartbeat']>>;
    try {
      owned = await this.d.states.heartbeat(runs.map((r) => ({ id: r.task.id, attempt: r.task.attempt })));
    } catch (err) {
      this.logger.warn('heartbeat failed', { error: (err as Error).message });
      return;
    }
    for (const run of runs) {
      const state = owned.get(run.task.id);
      if (!state || state.attempt !== run.task.attempt) this.abort(run, 'lost');
      else if (state.cancelRequested) this.abort(run, 'cancel');
    }
  }

  /**
   * Graceful drain: stop taking jobs, let running tasks finish until the deadline, then hand
   * the rest back (pending + re-enqueued) so another worker starts them at once.
   */
  async stop(deadlineMs = this.d.config.SHUTDOWN_TIMEOUT_MS): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.logger.info('draining', { running: this.active.size, deadline_ms: deadlineMs });
    const closing = Promise.all(this.workers.map((w) => w.close()));
    const finished = await Promise.race([closing.then(() => true), sleep(deadlineMs).then(() => false)]);
    if (!finished) {
      const left = [...this.active.values()];
      this.logger.warn('drain deadline passed; handing running tasks back', { count: left.length });
      await Promise.all(
        left.map(async (run) => {
          run.abortReason = 'lost';
          const pending = await this.d.states.release(run.task.id, run.task.attempt).catch(() => null);
          if (pending) {
            this.d.metrics.recovered.inc({ reason: 'drain' });
            await this.d.queues.enqueueMany([pending]).catch(() => undefined);
          }
          run.controller.abort(new Error('worker shutting down'));
        }),
      );
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.allSettled([...this.recording]);
    await Promise.allSettled([this.transitions.drain(), this.progressWrites.drain(), this.d.logs.flush()]);
    await this.d.events.flush();
  }
}

function abortError(reason: AbortReason, timeoutMs: number): Error {
  switch (reason) {
    case 'cancel':
      return new TaskCancelledError();
    case 'timeout':
      return new TaskTimeoutError(timeoutMs);
    case 'lost':
      return new Error('run lost its claim');
  }
}

class UnclaimedJobError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} is not in this worker's database`);
  }
}

function runKey(task: Pick<RunRecord, 'id' | 'attempt'>): string {
  return `${task.id}:${task.attempt}`;
}

function toJson(value: unknown): JsonValue | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as JsonValue);
  } catch (err) {
    throw new UnrecoverableTaskError(`result is not JSON-serialisable: ${(err as Error).message}`);
  }
}
