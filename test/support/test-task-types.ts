import { setTimeout as sleep } from 'node:timers/promises';
import { TaskCancelledError, UnrecoverableTaskError, type ScheduledJobRegistry, type TaskRegistry } from '@taskyard/tasks';

/** Sleeps `ms`, waking early (and throwing the cancelled error) when the signal fires. */
async function interruptibleSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throw new TaskCancelledError();
  }
}

interface SleepPayload {
  ms?: number;
  steps?: number;
}

/** Task types the integration tests run on real worker processes. */
export function registerTestTaskTypes(registry: TaskRegistry): void {
  registry.registerFuncTaskType<{ value?: unknown }>('t_echo', async (ctx) => ({ echoed: ctx.task.payload?.value ?? null, attempt: ctx.task.attempt }));

  registry.registerFuncTaskType<SleepPayload>('t_sleep', async (ctx) => {
    const steps = ctx.task.payload?.steps ?? 10;
    const ms = ctx.task.payload?.ms ?? 1_000;
    for (let i = 1; i <= steps; i++) {
      await interruptibleSleep(ms / steps, ctx.signal);
      ctx.progress((i / steps) * 100, `step ${i}/${steps}`);
    }
    return { slept: ms };
  });

  /** Fails its first `failures` attempts, then succeeds. */
  registry.registerFuncTaskType<{ failures: number }>('t_flaky', async (ctx) => {
    if (ctx.task.autoRetryCount < ctx.task.payload.failures) throw new Error(`flaky failure ${ctx.task.autoRetryCount + 1}`);
    return 'recovered';
  });

  registry.registerFuncTaskType('t_unrecoverable', async () => {
    throw new UnrecoverableTaskError('bad input: nothing to retry');
  });

  /** Ignores its signal and returns late: the platform must record `cancelled` and drop this. */
  registry.registerFuncTaskType<{ ms: number }>('t_stubborn', async (ctx) => {
    await sleep(ctx.task.payload.ms);
    return 'late result';
  });

  registry.registerFuncTaskType<{ calls: number }>('t_progress_flood', async (ctx) => {
    for (let i = 0; i < ctx.task.payload.calls; i++) ctx.progress((i / ctx.task.payload.calls) * 100, `call ${i}`);
    await sleep(50);
    return { calls: ctx.task.payload.calls };
  });

  registry.registerFuncTaskType<{ lines: number }>('t_logger', async (ctx) => {
    for (let i = 1; i <= ctx.task.payload.lines; i++) ctx.logger.info(`line ${i}`);
    ctx.logger.debug('debug lines are not stored');
    return null;
  });

  registry.registerFuncTaskType<{ text: string }>('t_artifact', async (ctx) => {
    const file = await ctx.saveArtifact(ctx.task.payload.text, { fileName: 'out.txt', contentType: 'text/plain' });
    return { size: file.size };
  });

  /** Streams `chunks` artifact chunks of 256 KiB (chunk i filled with byte i), `delayMs` apart. */
  registry.registerFuncTaskType<{ chunks: number; delayMs: number }>('t_artifact_stream', async (ctx) => {
    const { chunks, delayMs } = ctx.task.payload;
    async function* content(): AsyncGenerator<Buffer> {
      for (let i = 0; i < chunks; i++) {
        if (i > 0) await sleep(delayMs);
        yield Buffer.alloc(256 * 1024, i);
      }
    }
    const file = await ctx.saveArtifact(content(), { fileName: 'stream.bin' });
    return { size: file.size };
  });

  /** Logs `lines` lines (`line <i>`), `delayMs` apart. */
  registry.registerFuncTaskType<{ lines: number; delayMs: number }>('t_log_slow', async (ctx) => {
    for (let i = 1; i <= ctx.task.payload.lines; i++) {
      ctx.logger.info(`line ${i}`);
      await sleep(ctx.task.payload.delayMs);
    }
    return null;
  });

  /** Kills its own worker process: a poison task. */
  registry.registerFuncTaskType('t_crash', async () => {
    process.kill(process.pid, 'SIGKILL');
    await sleep(10_000);
  });

  registry.registerFuncTaskType<{ ms: number }>('t_limited', async (ctx) => {
    await interruptibleSleep(ctx.task.payload.ms, ctx.signal);
    return null;
  }, { concurrency: 1 });

  /** Sleeps `ms` honouring its signal, past its 500 ms timeout when `ms` is larger. */
  registry.registerFuncTaskType<{ ms: number }>('t_timeout', async (ctx) => {
    await interruptibleSleep(ctx.task.payload.ms, ctx.signal);
    return 'in time';
  }, { timeoutMs: 500 });

  /** Ignores its signal past its 300 ms timeout: recorded failed after the grace period. */
  registry.registerFuncTaskType<{ ms: number }>('t_timeout_stubborn', async (ctx) => {
    await sleep(ctx.task.payload.ms);
    return 'late result';
  }, { timeoutMs: 300 });

  /** At most 3 starts per second across the fleet. */
  registry.registerFuncTaskType('t_rated', async (ctx) => ({ attempt: ctx.task.attempt }), { rateLimit: { max: 3, intervalMs: 1_000 } });

  /** Alone on its queue, so a test can pause the queue without touching other types. */
  registry.registerFuncTaskType('t_own_queue', async () => 'ran', { queue: 'tests-own' });
}

/** A once-a-second schedule, off until a test turns it on. */
export const EVERY_SECOND = 't-every-second';

/** Every ten seconds, off until a test turns it on (a fire window long enough to miss one). */
export const EVERY_TEN_SECONDS = 't-every-ten-seconds';

export function registerTestSchedules(registry: ScheduledJobRegistry): void {
  if (registry.get(EVERY_SECOND)) return;
  registry.register({
    id: EVERY_TEN_SECONDS,
    name: 'Every ten seconds (tests)',
    spec: '*/10 * * * * *',
    taskType: 't_echo',
    payloadBuilder: (fire) => ({ value: fire.fireTime.toISOString() }),
    enabledByDefault: false,
  });
  registry.register({
    id: EVERY_SECOND,
    name: 'Every second (tests)',
    spec: '* * * * * *',
    taskType: 't_echo',
    payloadBuilder: (fire) => ({ value: fire.fireTime.toISOString() }),
    enabledByDefault: false,
  });
}
