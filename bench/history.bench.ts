// Cost as history grows: the Taskyard throughput run (bench/throughput.bench.ts, same N and
// concurrency) with 0, 1,000,000 and 5,000,000 finished tasks already in the table (seeded in
// SQL as the list benchmark does); and the retention clean-up deleting a day's worth of
// finished tasks while the pipeline runs, against the pipeline's rate without it.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform, type Platform } from '../test/support/platform';
import { startProcess } from '../test/support/processes';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { seedTasks } from './support/seed-tasks';
import { CONCURRENCY, IN_FLIGHT, N, UNFINISHED_PROBE, perTask, taskyard } from './throughput.bench';

/** Finished tasks in the table for each run, ascending (each run seeds the difference). */
const SIZES = (process.env.BENCH_HISTORY_SIZES ?? '0,1000000,5000000').split(',').map(Number).sort((a, b) => a - b);
/** Finished tasks the clean-up deletes: one day's worth, all past `task_retention_days`. */
const RETENTION_ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 1_000_000);
/** Length of the pipeline run without the clean-up after the same ramp (its rate is the reference). */
const RETENTION_BASELINE_S = Number(process.env.BENCH_RETENTION_BASELINE_S ?? 20);
/** Tasks created before the clean-up starts, so it starts on a pipeline at full speed. */
const RAMP_TASKS = 2_000;
/** The pipeline is fed for at most this long waiting for the clean-up to end. */
const RETENTION_MAX_S = Number(process.env.BENCH_RETENTION_MAX_S ?? 900);
/** Seeded rows are created by this (non-existent) user. */
const SEED_CREATOR = 'bench-history';

async function connect(url: string, schema: string): Promise<Client> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  await pg.query(`SET search_path TO "${schema}", public`);
  return pg;
}

export async function runHistory(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('history');
  const pg = await connect(bench.env.DATABASE_URL, bench.schema);
  try {
    const runs: { rows: number; seed_seconds: number; per_s: number; cpu_us_per_task: ReturnType<typeof perTask> }[] = [];
    let seeded = 0;
    for (const rows of SIZES) {
      let seconds = 0;
      if (rows > seeded) {
        // History: finished rows, the newest an hour old, 2 s apart (5M rows span ~116 days).
        seconds = (await seedTasks(pg, rows - seeded, SEED_CREATOR, { finishedOnly: true, newest: `now() - interval '1 hour'` })).seconds;
        seeded = rows;
      }
      const run = await taskyard(bench.env);
      runs.push({ rows, seed_seconds: seconds, per_s: Math.round(run.perSecond), cpu_us_per_task: perTask(run.cpu) });
      console.log(`${rows} rows seeded: ${Math.round(run.perSecond)} per s`);
    }
    const empty = runs[0]?.per_s ?? NaN;
    console.log(
      table(runs.map((r) => ({
        'finished tasks in table': r.rows,
        'seed s': r.seed_seconds,
        'per second': r.per_s,
        'vs first': (r.per_s / empty).toFixed(3),
        'CPU us/task: postgres': r.cpu_us_per_task.postgres,
        redis: r.cpu_us_per_task.redis,
        worker: r.cpu_us_per_task.worker,
        creator: r.cpu_us_per_task.creator,
        total: r.cpu_us_per_task.total,
      }))),
    );
    const result = { n: N, concurrency: CONCURRENCY, sizes: SIZES, runs };
    console.log(`results: ${writeResult('history', result)}`);
    return result;
  } finally {
    await pg.end().catch(() => undefined);
    await bench.cleanup();
  }
}

interface Window {
  tasks: number;
  seconds: number;
  per_s: number;
}

/** bench_noop tasks that finished within [from, to] (database clock), as a rate. */
async function finishedBetween(pg: Client, from: Date, to: Date): Promise<Window> {
  const { rows } = await pg.query<{ n: string }>(
    `SELECT count(*) AS n FROM tasks WHERE type = 'bench_noop' AND status = 'success' AND finished_at BETWEEN $1 AND $2`,
    [from, to],
  );
  const seconds = (to.getTime() - from.getTime()) / 1000;
  return { tasks: Number(rows[0].n), seconds: Math.round(seconds * 10) / 10, per_s: Math.round(Number(rows[0].n) / seconds) };
}

/**
 * One pipeline run: bench_noop tasks created IN_FLIGHT at a time until `stop(seconds fed)` says
 * so, run by a bench worker process; `during(created)` is called after each create. Returns once
 * every task finished.
 */
async function pipeline(env: Record<string, string>, stop: (seconds: number) => boolean, during: (created: number, platform: Platform) => void): Promise<void> {
  const platform = await startPlatform(env);
  await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: CONCURRENCY }, platform.redis);
  const worker = await startProcess('taskyard-worker', 'bench/support/bench-worker.main.ts', env);
  try {
    let created = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (!stop((performance.now() - started) / 1000)) {
        await platform.tasks.createTask({}, 'bench_noop', {});
        during(++created, platform);
      }
    }));
    while ((await platform.db.rows(UNFINISHED_PROBE)).length > 0) await sleep(20);
  } finally {
    await worker.kill();
    await platform.close();
  }
}

export async function runRetention(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('retention');
  const pg = await connect(bench.env.DATABASE_URL, bench.schema);
  try {
    // A day's worth of finished tasks, all a week past the default retention (90 days).
    const seed = await seedTasks(pg, RETENTION_ROWS, SEED_CREATOR, { finishedOnly: true, newest: `now() - interval '97 days'`, spacingSeconds: 86_400 / RETENTION_ROWS });
    const expired = async () => Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE finished_at < now() - interval '90 days'`)).rows[0].n);

    // Without the clean-up: the same ramp, then RETENTION_BASELINE_S more of feeding; the rate
    // over that window (from the RAMP_TASKS-th create to the last), as warm as the run with it.
    let rampedAt: Date | undefined;
    let stoppedAt: Date | undefined;
    let fed = 0;
    let rampedSeconds = Infinity;
    await pipeline(bench.env, (seconds) => {
      fed = seconds;
      if (seconds - rampedSeconds <= RETENTION_BASELINE_S) return false;
      stoppedAt ??= new Date();
      return true;
    }, (created) => {
      if (created !== RAMP_TASKS) return;
      rampedAt = new Date();
      rampedSeconds = fed;
    });
    if (!rampedAt || !stoppedAt) throw new Error('the run without the clean-up did not ramp up');
    const without = await finishedBetween(pg, rampedAt, stoppedAt);

    // With it: the clean-up task starts once RAMP_TASKS were created and the pipeline is fed
    // until the clean-up finished; rate over the clean-up's own run.
    let cleanupId: string | undefined;
    let cleanupDone = false;
    const poll = setInterval(() => {
      if (!cleanupId) return;
      void pg.query<{ status: string }>(`SELECT status FROM tasks WHERE id = $1`, [cleanupId]).then(({ rows }) => {
        if (['success', 'failed', 'cancelled'].includes(rows[0]?.status ?? '')) cleanupDone = true;
      });
    }, 200);
    try {
      await pipeline(bench.env, (seconds) => cleanupDone || seconds > RETENTION_MAX_S, (created, platform) => {
        if (created === RAMP_TASKS) void platform.tasks.createTask({}, 'task_retention_cleanup', {}).then((t) => (cleanupId = t.id));
      });
    } finally {
      clearInterval(poll);
    }
    if (!cleanupDone || !cleanupId) throw new Error(`the retention clean-up did not finish within ${RETENTION_MAX_S} s`);
    const cleanup = (await pg.query<{ status: string; started_at: Date; finished_at: Date; result: { deleted?: number } | null }>(
      `SELECT status, started_at, finished_at, result FROM tasks WHERE id = $1`, [cleanupId],
    )).rows[0];
    if (cleanup.status !== 'success') throw new Error(`the retention clean-up ended ${cleanup.status}`);
    const during = await finishedBetween(pg, cleanup.started_at, cleanup.finished_at);
    const left = await expired();
    const deleted = cleanup.result?.deleted ?? 0;
    const cleanupSeconds = (cleanup.finished_at.getTime() - cleanup.started_at.getTime()) / 1000;
    const ratio = Number((during.per_s / without.per_s).toFixed(3));
    console.log(
      table([
        { pipeline: `without the clean-up (${RETENTION_BASELINE_S} s after the ramp)`, tasks: without.tasks, 's': without.seconds, 'per second': without.per_s, 'vs without': '1.000' },
        { pipeline: `while the clean-up deletes ${deleted} tasks`, tasks: during.tasks, 's': during.seconds, 'per second': during.per_s, 'vs without': ratio.toFixed(3) },
      ]),
    );
    console.log(`clean-up: ${deleted} tasks in ${cleanupSeconds.toFixed(1)} s (${Math.round(deleted / cleanupSeconds)} per s), ${left} expired rows left; pipeline rate during it ${ratio} of without (target >= 0.8)`);
    if (left !== 0 || deleted !== RETENTION_ROWS) throw new Error(`the clean-up deleted ${deleted} of ${RETENTION_ROWS}, ${left} left`);
    const result = { rows: RETENTION_ROWS, seed_seconds: seed.seconds, concurrency: CONCURRENCY, without, during, ratio, cleanup: { deleted, seconds: Math.round(cleanupSeconds * 10) / 10, per_s: Math.round(deleted / cleanupSeconds) } };
    console.log(`results: ${writeResult('retention', result)}`);
    return result;
  } finally {
    await pg.end().catch(() => undefined);
    await bench.cleanup();
  }
}
