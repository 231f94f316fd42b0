import { TcpProxy } from '../api/support/tcp-proxy';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, TEST_DATABASE_URL, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Generous: these files start processes while other suites load the machine.
const START_MS = 60_000;
const CHUNK = 256 * 1024;

/**
 * The worker's own writes during a run (artifact chunks, log lines) while its PostgreSQL link
 * is cut (a TCP proxy between the worker and the server; Redis stays up): they go through the
 * same bounded retry as outcomes, and a platform failure is never recorded as the runner's.
 */
describe('platform writes of a run during a PostgreSQL outage', () => {
  let env: TestEnv;
  let platform: Platform;
  let proxy: TcpProxy;
  let scheduler: RunningProcess;
  let worker: RunningProcess;

  /** Cuts the worker's link until its heartbeat of `taskId` is `ms` old, then restores it. */
  const outage = async (taskId: string, ms: number): Promise<void> => {
    await proxy.cut();
    try {
      await waitFor(
        async () => (await platform.db.rows(`SELECT 1 FROM tasks WHERE id = $1 AND heartbeat_at < now() - $2 * interval '1 millisecond'`, [taskId, ms])).length > 0,
        ms + 20_000,
        `the worker to be cut off for ${ms} ms`,
      );
    } finally {
      await proxy.restore();
    }
  };

  const storedChunks = async (taskId: string): Promise<number> => {
    const [row] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM file_chunks c JOIN files f ON f.key = c.file_key WHERE f.task_id = $1`, [taskId]);
    return Number(row.n);
  };

  const artifactBytes = async (taskId: string): Promise<{ seq: number; size: number; fill: number }[]> =>
    (
      await platform.db.rows<{ seq: number; size: number; fill: number }>(
        `SELECT c.seq, length(c.data) AS size, get_byte(c.data, 0) AS fill FROM tasks t JOIN file_chunks c ON c.file_key = t.artifact_file_key
          WHERE t.id = $1 ORDER BY c.seq`,
        [taskId],
      )
    ).map((r) => ({ seq: Number(r.seq), size: Number(r.size), fill: Number(r.fill) }));

  beforeAll(async () => {
    // A lease far longer than the outages: the reaper stays out of these runs. A short retry
    // budget, so an outage can outlast it.
    env = await createTestEnv('platform_writes', { RUN_LEASE_MS: '30000', DB_RETRY_BUDGET_MS: '3000' });
    platform = await startPlatform(env.env);
    const url = new URL(TEST_DATABASE_URL);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.port = String(proxy.port);
    [scheduler, worker] = await Promise.all([startProcess('scheduler', SCHEDULER, env.env, START_MS), startProcess('worker', WORKER, { ...env.env, DATABASE_URL: url.toString() }, START_MS)]);
  });

  afterAll(async () => {
    await Promise.all([scheduler, worker].map((p) => p?.kill()));
    await platform?.close();
    await proxy?.cut();
    await env?.cleanup();
  });

  it('saves a streamed artifact across an outage shorter than the retry budget, chunk by chunk, without a retry', async () => {
    const task = await platform.tasks.createTask({}, 't_artifact_stream', { payload: { chunks: 12, delayMs: 250 }, maxRetries: 0 });
    await waitFor(async () => (await storedChunks(task.id)) >= 3, 20_000, 'three chunks to be stored');
    await outage(task.id, 1_200);
    const done = await platform.finished(task.id, 30_000);
    expect(done).toMatchObject({ status: 'success', attempt: 1, autoRetryCount: 0, recoveries: 0, result: { size: 12 * CHUNK } });
    expect(await artifactBytes(task.id)).toEqual(Array.from({ length: 12 }, (_, i) => ({ seq: i, size: CHUNK, fill: i })));
  });

  it('hands the run back when the outage outlasts the retry budget: the runner is not failed and no retry is counted', async () => {
    const task = await platform.tasks.createTask({}, 't_artifact_stream', { payload: { chunks: 12, delayMs: 250 }, maxRetries: 0 });
    await waitFor(async () => (await storedChunks(task.id)) >= 3, 20_000, 'three chunks to be stored');
    // Past the 3 s budget of the chunk write, within the budget of the hand-back that follows.
    await outage(task.id, 4_500);
    const done = await platform.finished(task.id, 40_000);
    expect(done).toMatchObject({ status: 'success', attempt: 2, autoRetryCount: 0, error: null, result: { size: 12 * CHUNK } });
    expect(done.recoveries).toBeLessThanOrEqual(1);
    expect(await artifactBytes(task.id)).toEqual(Array.from({ length: 12 }, (_, i) => ({ seq: i, size: CHUNK, fill: i })));
    expect(worker.output.some((l) => l.includes('handing the task back without counting a retry'))).toBe(true);
  });

  it('keeps every log line of a run across an outage longer than the retry budget, in order', async () => {
    const task = await platform.tasks.createTask({}, 't_log_slow', { payload: { lines: 150, delayMs: 100 } });
    const stored = async () => (await platform.db.rows<{ message: string }>(`SELECT message FROM task_logs WHERE task_id = $1 ORDER BY id`, [task.id])).map((r) => r.message);
    await waitFor(async () => (await stored()).length >= 10, 20_000, 'ten lines to be stored');
    await outage(task.id, 11_000);
    const done = await platform.finished(task.id, 40_000);
    expect(done).toMatchObject({ status: 'success', attempt: 1 });
    const lines = await waitFor(async () => {
      const all = await stored();
      return new Set(all).size >= 150 ? all : null;
    }, 10_000, 'every line to be stored').catch(() => stored());
    // A batch whose commit was acknowledged by nobody (the link cut mid-reply) may be stored twice; none may be missing or out of order.
    expect([...new Set(lines)]).toEqual(Array.from({ length: 150 }, (_, i) => `line ${i + 1}`));
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(/^task_log_lines_dropped_total 0$/m);
  });
});
