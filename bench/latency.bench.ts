// Latency of the three paths a user feels, each through real processes:
// - start: createTask -> the runner starts on a separate worker process, at fixed offered
//   rates (open loop), against raw BullMQ Queue.add -> processor start at the same rates;
// - cancel: HTTP POST /api/tasks/:id/cancel (admin) -> the runner's AbortSignal fires on the
//   worker process (it prints Date.now() when it does);
// - live: the runner's progress() -> an SSE client of GET /api/tasks/events receives it (the
//   message carries the send time).
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform, type Platform } from '../test/support/platform';
import { startProcess } from '../test/support/processes';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { offerAtRate, ProbeCollector, summarize } from './support/probes';
import { API_ENV, openTimedEvents, startApi, startBenchWorker } from './support/stack';

const RATES = (process.env.BENCH_RATES ?? '200,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = 200;
const CONCURRENCY = 50;
const CANCEL_TASKS = 50;
const LIVE_TASKS = 10;
const LIVE_UPDATES = 20;

type Summary = ReturnType<typeof summarize>;

interface StartSummary extends Summary {
  /** How long the create call itself took (createTask / Queue.add resolved). */
  create_call: Summary;
}

/** Offers `rate` tasks/s for `seconds` and returns create -> start latencies (ms). */
async function measureStarts(rate: number, seconds: number, create: () => Promise<string>, probes: ProbeCollector): Promise<StartSummary> {
  const sentAt = new Map<string, number>();
  const calls: number[] = [];
  await offerAtRate(rate, seconds, async () => {
    const t0 = Date.now();
    const id = await create();
    calls.push(Date.now() - t0);
    sentAt.set(id, t0);
  });
  await probes.waitAll('started', sentAt.keys(), 60_000);
  return { ...summarize([...sentAt].map(([id, t0]) => (probes.at('started', id) ?? NaN) - t0)), create_call: summarize(calls) };
}

/** A warm-up, then start latencies at each of RATES, a second apart. */
async function startsAtEveryRate(create: () => Promise<string>, probes: ProbeCollector): Promise<Record<number, StartSummary>> {
  await measureStarts(WARMUP / 2, 2, create, probes);
  const out: Record<number, StartSummary> = {};
  for (const rate of RATES) {
    out[rate] = await measureStarts(rate, SECONDS, create, probes);
    await sleep(1_000);
  }
  return out;
}

async function taskyardStarts(env: Record<string, string>, platform: Platform): Promise<Record<number, StartSummary>> {
  const worker = await startBenchWorker(env);
  try {
    const probes = new ProbeCollector(worker);
    return await startsAtEveryRate(async () => (await platform.tasks.createTask({}, 'bench_mark')).id, probes);
  } finally {
    await worker.kill();
  }
}

async function bullmqStarts(env: Record<string, string>): Promise<Record<number, StartSummary>> {
  const worker = await startProcess('bullmq-worker', 'bench/support/bullmq-worker.main.ts', { ...env, QUEUE: 'bench-latency', CONCURRENCY: String(CONCURRENCY), MARK: '1' });
  const connection = new IORedis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bench-latency', { connection, prefix: env.REDIS_PREFIX });
  try {
    const probes = new ProbeCollector(worker);
    const create = async () => {
      const job = await queue.add('mark', {}, { removeOnComplete: true });
      if (!job.id) throw new Error('BullMQ returned a job without id');
      return job.id;
    };
    return await startsAtEveryRate(create, probes);
  } finally {
    await queue.close();
    connection.disconnect();
    await worker.kill();
  }
}

/** HTTP cancel of CANCEL_TASKS running tasks, one every 40 ms; cancel -> abort latencies. */
async function cancels(env: Record<string, string>, platform: Platform): Promise<{ abort: Summary; http: Summary }> {
  const [api, worker] = await Promise.all([startApi(env), startBenchWorker(env)]);
  try {
    const probes = new ProbeCollector(worker);
    const ids: string[] = [];
    for (let i = 0; i < CANCEL_TASKS; i++) ids.push((await platform.tasks.createTask({}, 'bench_sleep', { payload: { ms: 120_000 } })).id);
    await probes.waitAll('started', ids, 30_000);
    await sleep(1_000);
    const sentAt = new Map<string, number>();
    const http: number[] = [];
    for (const id of ids) {
      const t0 = Date.now();
      const res = await api.api.post(`/api/tasks/${id}/cancel`, api.adminToken);
      if (res.status !== 200 && res.status !== 201) throw new Error(`cancel answered ${res.status}: ${res.text}`);
      http.push(Date.now() - t0);
      sentAt.set(id, t0);
      await sleep(40);
    }
    await probes.waitAll('aborted', ids, 30_000);
    return { abort: summarize(ids.map((id) => (probes.at('aborted', id) ?? NaN) - (sentAt.get(id) ?? NaN))), http: summarize(http) };
  } finally {
    await Promise.all([api.proc.kill(), worker.kill()]);
  }
}

/** LIVE_TASKS runners sending LIVE_UPDATES progress events 250 ms apart to one SSE client. */
async function live(env: Record<string, string>, platform: Platform): Promise<Summary> {
  const [api, worker] = await Promise.all([startApi(env), startBenchWorker(env)]);
  const samples: number[] = [];
  const close = await openTimedEvents(api.base, api.adminToken, (e) => {
    const message = e.data.message;
    if (e.event === 'progress' && typeof message === 'string' && message.startsWith('sent:')) samples.push(e.receivedAt - Number(message.slice(5)));
  });
  try {
    for (let i = 0; i < LIVE_TASKS; i++) {
      await platform.tasks.createTask({}, 'bench_progress', { payload: { count: LIVE_UPDATES, interval_ms: 250 } });
      await sleep(25);
    }
    const deadline = Date.now() + 30_000;
    while (samples.length < LIVE_TASKS * LIVE_UPDATES && Date.now() < deadline) await sleep(100);
    await sleep(500);
    return summarize(samples);
  } finally {
    close();
    await Promise.all([api.proc.kill(), worker.kill()]);
  }
}

export async function runLatency(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('latency', API_ENV);
  const env = bench.env;
  const platform = await startPlatform(env);
  try {
    await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: CONCURRENCY + 10 }, platform.redis);
    const bullmq = await bullmqStarts(env);
    const taskyard = await taskyardStarts(env, platform);
    const cancel = await cancels(env, platform);
    const liveLatency = await live(env, platform);
    const rows: Record<string, string | number>[] = [];
    for (const rate of RATES) {
      rows.push({ path: `start @ ${rate}/s: raw BullMQ add -> processor`, n: bullmq[rate].n, 'p50 ms': bullmq[rate].p50, 'p95 ms': bullmq[rate].p95, 'p99 ms': bullmq[rate].p99, 'max ms': bullmq[rate].max, 'create call p95 ms': bullmq[rate].create_call.p95 });
      rows.push({ path: `start @ ${rate}/s: Taskyard createTask -> runner`, n: taskyard[rate].n, 'p50 ms': taskyard[rate].p50, 'p95 ms': taskyard[rate].p95, 'p99 ms': taskyard[rate].p99, 'max ms': taskyard[rate].max, 'create call p95 ms': taskyard[rate].create_call.p95 });
    }
    rows.push({ path: 'cancel: POST cancel -> runner signal', n: cancel.abort.n, 'p50 ms': cancel.abort.p50, 'p95 ms': cancel.abort.p95, 'p99 ms': cancel.abort.p99, 'max ms': cancel.abort.max, 'create call p95 ms': '' });
    rows.push({ path: 'cancel: HTTP response time', n: cancel.http.n, 'p50 ms': cancel.http.p50, 'p95 ms': cancel.http.p95, 'p99 ms': cancel.http.p99, 'max ms': cancel.http.max, 'create call p95 ms': '' });
    rows.push({ path: 'live: runner progress -> SSE client', n: liveLatency.n, 'p50 ms': liveLatency.p50, 'p95 ms': liveLatency.p95, 'p99 ms': liveLatency.p99, 'max ms': liveLatency.max, 'create call p95 ms': '' });
    console.log(table(rows));
    const result = {
      rates_per_s: RATES,
      seconds_per_rate: SECONDS,
      worker_concurrency: CONCURRENCY,
      start_ms: { bullmq, taskyard },
      cancel_ms: cancel,
      live_ms: liveLatency,
    };
    console.log(`results: ${writeResult('latency', result)}`);
    return result;
  } finally {
    await platform.close();
    await bench.cleanup();
  }
}
