import { MetricNames } from '@taskyard/contracts';
import { TASK_METRICS } from '@taskyard/tasks';
import type { TaskMetrics } from '@taskyard/observability';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';

/** Parses Prometheus text into samples: name, labels, value. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1], labels, value: Number(m[3]) };
    });
}

describe('observability and shutdown with real processes', () => {
  let env: TestEnv;
  let platform: Platform;
  let worker: RunningProcess;
  let scheduler: RunningProcess;

  beforeAll(async () => {
    env = await createTestEnv('observability');
    platform = await startPlatform(env.env);
    [worker, scheduler] = await Promise.all([startProcess('worker', WORKER, env.env), startProcess('scheduler', SCHEDULER, env.env)]);
  });

  afterAll(async () => {
    await Promise.all([worker?.kill(), scheduler?.kill()]);
    await platform?.close();
    await env?.cleanup();
  });

  it('exports every metric of spec §8 with its labels and plausible values where the event happens', async () => {
    const ok = await platform.tasks.createTask({ user: { id: 'metrics-user' } }, 't_echo');
    const bad = await platform.tasks.createTask({}, 't_unrecoverable');
    await waitFor(async () => ['success', 'failed'].includes((await platform.get(ok.id)).status) && (await platform.get(bad.id)).status === 'failed', 15_000, 'tasks to finish');

    // Creating process (the api in production).
    const created = samples(await platform.app.get<TaskMetrics>(TASK_METRICS).registry.metrics());
    expect(created).toContainEqual({ name: MetricNames.TaskCreated, labels: { category: 'user', type: 't_echo' }, value: 1 });

    const w = samples(await fetch(`http://127.0.0.1:${worker.port}/metrics`).then((r) => r.text()));
    expect(w).toContainEqual({ name: MetricNames.TaskStarted, labels: { category: 'user', type: 't_echo' }, value: 1 });
    expect(w).toContainEqual({ name: MetricNames.TaskCompleted, labels: { category: 'user', type: 't_echo', status: 'success' }, value: 1 });
    expect(w).toContainEqual({ name: MetricNames.TaskCompleted, labels: { category: 'system', type: 't_unrecoverable', status: 'failed' }, value: 1 });
    expect(w).toContainEqual({ name: MetricNames.TaskRunning, labels: { type: 't_echo' }, value: 0 });
    expect(w.find((s) => s.name === `${MetricNames.TaskRunDuration}_count` && s.labels.type === 't_echo')?.value).toBe(1);
    const wait = w.find((s) => s.name === `${MetricNames.TaskWaitDuration}_sum` && s.labels.type === 't_echo')!;
    expect(wait.value).toBeGreaterThanOrEqual(0);
    expect(wait.value).toBeLessThan(10);
    expect(w.some((s) => s.name === 'process_resident_memory_bytes' && s.value > 0)).toBe(true);

    const s = await waitFor(async () => {
      const parsed = samples(await fetch(`http://127.0.0.1:${scheduler.port}/metrics`).then((r) => r.text()));
      return parsed.some((x) => x.name === MetricNames.TaskQueueLength) ? parsed : null;
    }, 15_000, 'queue gauges');
    expect(s).toContainEqual({ name: MetricNames.SchedulerLeader, labels: {}, value: 1 });
    expect(s).toContainEqual(expect.objectContaining({ name: MetricNames.TaskQueueLength, labels: { queue: 'taskyard-default' } }));
    expect(s).toContainEqual(expect.objectContaining({ name: MetricNames.TaskQueueOldestAge, labels: { queue: 'taskyard-default' } }));

    for (const p of [worker, scheduler]) {
      expect((await fetch(`http://127.0.0.1:${p.port}/health/live`)).status).toBe(200);
      expect(await fetch(`http://127.0.0.1:${p.port}/health/ready`).then((r) => r.json())).toEqual({ status: 'ok', checks: { postgres: true, redis: true }, missing: [] });
    }
  });

  it('counts recoveries where they happen', async () => {
    const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 20_000, steps: 200 } });
    await waitFor(async () => (await platform.get(task.id)).status === 'running', 10_000, 'the run');
    await worker.kill('SIGKILL');
    worker = await startProcess('worker-2', WORKER, env.env);
    await waitFor(async () => (await platform.get(task.id)).recoveries === 1, 20_000, 'the recovery');
    // Whichever path got there first counts it: the scheduler's reaper (stale heartbeat) or the
    // new worker taking over the job BullMQ redelivered as stalled. Once, not twice.
    const recovered = async (port: number, reason: string) =>
      samples(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())).find((x) => x.name === MetricNames.TaskRecovered && x.labels.reason === reason)?.value ?? 0;
    expect((await recovered(scheduler.port, 'reaper')) + (await recovered(worker.port, 'stalled'))).toBe(1);
    await platform.tasks.cancelTask(task.id);
  });

  it('drains on SIGTERM: the running task finishes and the process exits 0', async () => {
    const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 1_500, steps: 15 } });
    await waitFor(async () => (await platform.get(task.id)).status === 'running', 10_000, 'the run');
    const exit = await worker.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await platform.get(task.id)).toMatchObject({ status: 'success', attempt: 1 });
    worker = await startProcess('worker-3', WORKER, env.env);
  });
});
