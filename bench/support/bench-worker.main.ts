// A production worker process hosting the benchmark task types. Probes write one JSON line to
// stdout per event (`{"bench":...}`), which the benchmark parses (see probe-lines.ts).
import 'reflect-metadata';
import { loadConfig } from '@taskyard/config';
import { defaultTaskRegistry, runContextApp } from '@taskyard/tasks';
import { WorkerConfig } from '../../apps/worker/src/worker.config';
import { WorkerModule } from '../../apps/worker/src/worker.module';

const probe = (event: string, id: string): void => {
  process.stdout.write(`${JSON.stringify({ bench: event, id, at: Date.now() })}\n`);
};

defaultTaskRegistry.registerFuncTaskType('bench_noop', async () => null);
// Start-latency probe: the runner reports when it started.
defaultTaskRegistry.registerFuncTaskType('bench_mark', async (ctx) => {
  probe('started', ctx.task.id);
  return null;
});
// Cancel-latency and memory probe: sleeps until its signal fires (reported) or `ms` passed.
defaultTaskRegistry.registerFuncTaskType<{ ms?: number }>('bench_sleep', async (ctx) => {
  probe('started', ctx.task.id);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ctx.task.payload?.ms ?? 60_000);
    ctx.signal.addEventListener('abort', () => {
      probe('aborted', ctx.task.id);
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  ctx.throwIfCancelled();
  return null;
});
// Live-latency probe: `count` progress updates `interval_ms` apart; each message carries the
// send time (`sent:<epoch ms>`), so a subscriber computes runner -> client latency.
defaultTaskRegistry.registerFuncTaskType<{ count?: number; interval_ms?: number }>('bench_progress', async (ctx) => {
  const count = ctx.task.payload?.count ?? 20;
  const interval = ctx.task.payload?.interval_ms ?? 250;
  for (let i = 1; i <= count && !ctx.signal.aborted; i++) {
    await new Promise((r) => setTimeout(r, interval));
    ctx.progress(Math.floor((i * 100) / (count + 1)), `sent:${Date.now()}`);
  }
  return null;
});
const config = loadConfig(WorkerConfig, { ...process.env, WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT ?? '0' });
void runContextApp({ name: 'worker', module: WorkerModule.forRoot(config), config, port: config.WORKER_METRICS_PORT });
