import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';
import { EVERY_TEN_SECONDS } from '../support/test-task-types';

const WORKER = 'test/support/test-worker.main.ts';
const SCHEDULER = 'test/support/test-scheduler.main.ts';
// Generous: these files start processes while other suites load the machine.
const START_MS = 60_000;

/**
 * Redis loses its data across a cron fire while the leader cannot act (frozen): when it comes
 * back it re-creates the job scheduler after the fire time, so BullMQ fires from the next one
 * on. The missed fire is still inside its `not_after` window and must get its one task.
 */
describe('cron: a fire missed across a Redis data loss is caught up once', () => {
  let env: TestEnv;
  let platform: Platform;
  let worker: RunningProcess;
  let scheduler: RunningProcess;

  const fires = () =>
    platform.db.rows<{ fire_key: string; status: string }>(`SELECT fire_key, status FROM tasks WHERE cron_schedule_id = $1 ORDER BY fire_key`, [EVERY_TEN_SECONDS]);

  beforeAll(async () => {
    env = await createTestEnv('cron_catch_up');
    platform = await startPlatform(env.env);
    [worker, scheduler] = await Promise.all([startProcess('worker', WORKER, env.env, START_MS), startProcess('scheduler', SCHEDULER, env.env, START_MS)]);
  });

  afterAll(async () => {
    if (scheduler?.child.pid) process.kill(scheduler.child.pid, 'SIGCONT');
    await platform?.schedules.toggle(EVERY_TEN_SECONDS, false).catch(() => undefined);
    await Promise.all([worker, scheduler].map((p) => p?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  it('creates exactly one task for the missed fire, and fires resume', async () => {
    await platform.schedules.toggle(EVERY_TEN_SECONDS, true);
    const [first] = await waitFor(async () => {
      const rows = await fires();
      return rows.length > 0 ? rows : null;
    }, 25_000, 'a first fire');
    const firstFire = new Date(first.fire_key.split('@')[1]);
    const missed = new Date(firstFire.getTime() + 10_000);
    // Freeze the scheduler (leader and fire consumer) and wipe this prefix's Redis data: the
    // job scheduler, its next fire job and the leader key are gone, as after a Redis restart.
    process.kill(scheduler.child.pid!, 'SIGSTOP');
    try {
      let cursor = '0';
      do {
        const [next, keys] = await platform.redis.scan(cursor, 'MATCH', `${env.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await platform.redis.del(...keys);
      } while (cursor !== '0');
      await waitFor(() => Date.now() > missed.getTime() + 1_000, 15_000, 'the fire time to pass');
    } finally {
      process.kill(scheduler.child.pid!, 'SIGCONT');
    }
    const key = `${EVERY_TEN_SECONDS}@${missed.toISOString()}`;
    await waitFor(async () => (await fires()).some((f) => f.fire_key === key && f.status === 'success'), 8_000, `a task for the missed fire ${key}`);
    const next = `${EVERY_TEN_SECONDS}@${new Date(missed.getTime() + 10_000).toISOString()}`;
    await waitFor(async () => (await fires()).some((f) => f.fire_key === next), 20_000, 'the next fire');
    const keys = (await fires()).map((f) => f.fire_key);
    expect(keys.filter((k) => k === key)).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
