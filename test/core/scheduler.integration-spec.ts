import { setTimeout as sleep } from 'node:timers/promises';
import { ScheduleDisabledError, TaskSettingKeys } from '@taskyard/tasks';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';
import { EVERY_SECOND } from '../support/test-task-types';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';

async function isLeader(p: RunningProcess): Promise<boolean> {
  const text = await fetch(`http://127.0.0.1:${p.port}/metrics`).then((r) => r.text());
  return /^taskyard_scheduler_leader 1$/m.test(text);
}

describe('scheduler: cron fires, leader election, toggles, clean-up jobs, live concurrency', () => {
  let env: TestEnv;
  let platform: Platform;
  let worker: RunningProcess;
  let schedulers: RunningProcess[] = [];

  const fired = () =>
    platform.db.rows<{ fire: Date; n: string }>(
      `SELECT not_before + interval '1 second' AS fire, count(*) AS n FROM tasks WHERE cron_schedule_id = $1 AND fire_key IS NOT NULL GROUP BY 1 ORDER BY 1`,
      [EVERY_SECOND],
    );

  beforeAll(async () => {
    env = await createTestEnv('scheduler');
    platform = await startPlatform(env.env);
    [worker, ...schedulers] = await Promise.all([
      startProcess('worker', WORKER, env.env),
      startProcess('scheduler-a', SCHEDULER, env.env),
      startProcess('scheduler-b', SCHEDULER, env.env),
    ]);
  });

  afterAll(async () => {
    await Promise.all([worker, ...schedulers].map((p) => p?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  it('lists code-defined schedules with their state, built-in clean-up jobs included', async () => {
    const list = await platform.schedules.list();
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining(['task-log-cleanup', 'task-retention-cleanup', EVERY_SECOND]));
    const disabled = list.find((s) => s.id === EVERY_SECOND);
    expect(disabled).toMatchObject({ enabled: false, task_type: 't_echo' });
    expect(disabled).not.toHaveProperty('next_run');
    expect(disabled).not.toHaveProperty('last_run');
  });

  it('elects exactly one leader among two replicas', async () => {
    await waitFor(async () => (await Promise.all(schedulers.map(isLeader))).filter(Boolean).length === 1, 10_000, 'one leader');
  });

  it('two replicas create exactly one task per fire, and a killed leader hands over without doubling a fire', async () => {
    await platform.schedules.toggle(EVERY_SECOND, true);
    await waitFor(async () => (await fired()).length >= 4, 15_000, 'first fires');
    const leaderIndex = (await Promise.all(schedulers.map(isLeader))).indexOf(true);
    const [leader] = schedulers.splice(leaderIndex, 1);
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    await waitFor(() => isLeader(schedulers[0]), 15_000, 'the other replica to lead');
    const handover = Date.now() - killedAt;
    const before = (await fired()).length;
    await waitFor(async () => (await fired()).length >= before + 4, 15_000, 'fires after the handover');
    const rows = await fired();
    expect(rows.every((r) => r.n === '1')).toBe(true); // no fire produced two tasks
    expect(handover).toBeLessThan(10_000);
    // Replace the killed replica so the next tests still run two.
    schedulers.push(await startProcess('scheduler-c', SCHEDULER, env.env));
    const done = await waitFor(async () => {
      const t = await platform.db.rows(`SELECT status, result FROM tasks WHERE cron_schedule_id = $1 AND status = 'success' LIMIT 1`, [EVERY_SECOND]);
      return t[0];
    }, 15_000, 'a fired task to run');
    expect(done.result).toMatchObject({ echoed: expect.any(String) });
  });

  it('toggling off stops new fires on every replica; trigger then fails, and works when enabled', async () => {
    await platform.schedules.toggle(EVERY_SECOND, false);
    await sleep(1_500); // let an in-flight fire land
    const count = async () => Number((await platform.db.rows(`SELECT count(*) AS n FROM tasks WHERE cron_schedule_id = $1`, [EVERY_SECOND]))[0].n);
    const stoppedAt = await count();
    await sleep(3_000);
    expect(await count()).toBe(stoppedAt);
    await expect(platform.schedules.trigger(EVERY_SECOND, {})).rejects.toBeInstanceOf(ScheduleDisabledError);

    await platform.schedules.toggle(EVERY_SECOND, true);
    const manual = await platform.schedules.trigger(EVERY_SECOND, {});
    await platform.schedules.toggle(EVERY_SECOND, false);
    expect(manual).toMatchObject({ cronScheduleId: EVERY_SECOND, category: 'system', creatorId: 'system' });
    const listed = (await platform.schedules.list()).find((s) => s.id === EVERY_SECOND)!;
    expect(listed.last_run).toEqual(expect.any(String));
  });

  it('clean-up jobs delete only what is older than their setting', async () => {
    await platform.settings.update({ [TaskSettingKeys.LogRetentionDays]: 7, [TaskSettingKeys.RetentionDays]: 30 }, platform.redis);
    const old = await platform.tasks.createTask({}, 't_echo');
    const recent = await platform.tasks.createTask({}, 't_echo');
    await waitFor(async () => (await platform.get(recent.id)).status === 'success' && (await platform.get(old.id)).status === 'success', 15_000, 'tasks to run');
    await platform.db.rows(`UPDATE tasks SET finished_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    await platform.db.rows(
      `INSERT INTO task_logs (task_id, level, message, created_at) VALUES ($1, 'info', 'ancient', now() - interval '8 days'), ($1, 'info', 'fresh', now() - interval '6 days')`,
      [recent.id],
    );
    const logRun = await platform.schedules.trigger('task-log-cleanup', {});
    const retentionRun = await platform.schedules.trigger('task-retention-cleanup', {});
    await waitFor(async () => (await platform.get(logRun.id)).status === 'success' && (await platform.get(retentionRun.id)).status === 'success', 20_000, 'clean-up runs');
    const logs = await platform.db.rows(`SELECT message FROM task_logs WHERE task_id = $1 ORDER BY id`, [recent.id]);
    expect(logs.map((l) => l.message)).toEqual(['fresh']);
    expect(await platform.db.rows(`SELECT id FROM tasks WHERE id = $1`, [old.id])).toEqual([]);
    expect(await platform.db.rows(`SELECT id FROM tasks WHERE id = $1`, [recent.id])).toHaveLength(1);
  });

  it('changing task_max_concurrent on a live worker caps its running tasks', async () => {
    await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: 2 }, platform.redis);
    const created = await platform.tasks.createTasks({}, Array.from({ length: 6 }, () => ({ type: 't_sleep', payload: { ms: 1_200, steps: 4 } })));
    let peak = 0;
    const ids = created.map((t) => t.id);
    await waitFor(async () => {
      const rows = await platform.db.rows<{ status: string }>(`SELECT status FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
      peak = Math.max(peak, rows.filter((r) => r.status === 'running').length);
      return rows.every((r) => r.status === 'success');
    }, 30_000, 'the batch to finish');
    expect(peak).toBe(2);
    await platform.settings.update({ [TaskSettingKeys.MaxConcurrent]: 10 }, platform.redis);
  });
});
