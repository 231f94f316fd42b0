import { TaskSettingKeys, TRUNCATION_MARKER, DatabaseLogStore, RedisStreamLogStore, RedisConnections } from '@taskyard/tasks';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

const WORKER = 'test/support/test-worker.main.ts';

describe('live control: cross-worker cancellation, throttled progress, capped logs in both backends', () => {
  let env: TestEnv;
  let platform: Platform;
  let workers: RunningProcess[];

  const finished = (id: string, timeoutMs = 20_000) => platform.finished(id, timeoutMs);

  const startRunning = async (ms = 30_000) => {
    const task = await platform.tasks.createTask({}, 't_sleep', { payload: { ms, steps: ms / 100 } });
    await waitFor(async () => (await platform.get(task.id)).status === 'running', 10_000, 'the task to start');
    return task;
  };

  beforeAll(async () => {
    env = await createTestEnv('live', { TASK_LOG_MAX_LINES: '50', HEARTBEAT_INTERVAL_MS: '500' });
    platform = await startPlatform(env.env);
    workers = await Promise.all([startProcess('worker-a', WORKER, env.env), startProcess('worker-b', WORKER, env.env)]);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w?.kill()));
    await platform?.close();
    await env?.cleanup();
  });

  it('cancels a running task on whichever worker runs it within a second (pub/sub)', async () => {
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const task = await startRunning();
      const requested = Date.now();
      await platform.tasks.cancelTask(task.id);
      const done = await finished(task.id);
      expect(done.status).toBe('cancelled');
      durations.push(done.finishedAt!.getTime() - requested);
    }
    const owners = await platform.db.rows<{ worker_id: string }>(`SELECT DISTINCT worker_id FROM tasks WHERE type = 't_sleep'`);
    expect(owners.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...durations)).toBeLessThan(1_000);
  });

  it('still cancels through the durable flag when the cancel message is lost', async () => {
    const task = await startRunning();
    const requested = Date.now();
    // The state machine alone sets cancel_requested: no message is published, as if pub/sub dropped it.
    await platform.states.cancel(task.id);
    const done = await finished(task.id);
    expect(done.status).toBe('cancelled');
    expect(done.finishedAt!.getTime() - requested).toBeLessThan(5_000);
  });

  it('turns 100,000 progress calls into at most a few dozen PostgreSQL writes', async () => {
    await platform.db.rows(`CREATE TABLE progress_writes (task_id uuid, progress smallint, at timestamptz DEFAULT now())`);
    await platform.db.rows(`
      CREATE FUNCTION count_progress_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO progress_writes (task_id, progress) VALUES (NEW.id, NEW.progress); RETURN NEW; END $$`);
    await platform.db.rows(`
      CREATE TRIGGER progress_write AFTER UPDATE OF progress ON tasks FOR EACH ROW
      WHEN (OLD.progress IS DISTINCT FROM NEW.progress OR OLD.progress_message IS DISTINCT FROM NEW.progress_message)
      EXECUTE FUNCTION count_progress_write()`);
    const task = await platform.tasks.createTask({}, 't_progress_flood', { payload: { calls: 100_000 } });
    const done = await finished(task.id);
    expect(done.status).toBe('success');
    const [{ n }] = await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM progress_writes WHERE task_id = $1`, [task.id]);
    expect(Number(n)).toBeGreaterThan(0);
    expect(Number(n)).toBeLessThanOrEqual(30);
  });

  it.each(['database', 'redis'])('stores log lines in order in the %s backend, capped with a truncation marker', async (backend) => {
    await platform.settings.update({ [TaskSettingKeys.LogStorageBackend]: backend }, platform.redis);
    // Each worker reloads settings on the change message; probes show when every worker did.
    const switched = new Set<string>();
    await waitFor(async () => {
      const probe = await platform.tasks.createTask({}, 't_logger', { payload: { lines: 1 } });
      await finished(probe.id);
      const [{ worker_id }] = await platform.db.rows<{ worker_id: string }>(`SELECT worker_id FROM tasks WHERE id = $1`, [probe.id]);
      const inRedis = (await platform.redis.exists(`${env.prefix}:logs:${probe.id}`)) === 1;
      if (inRedis === (backend === 'redis')) switched.add(worker_id);
      return switched.size === workers.length;
    }, 20_000, 'every worker to switch backends');
    const task = await platform.tasks.createTask({}, 't_logger', { payload: { lines: 120 } });
    await finished(task.id);
    const store = backend === 'redis' ? new RedisStreamLogStore(platform.redis, new RedisConnections(env.env.REDIS_URL, env.prefix, false), () => 30) : new DatabaseLogStore(platform.db);
    const lines = await store.read(task.id, { limit: 1_000 });
    expect(lines).toHaveLength(51);
    expect(lines.slice(0, 50).map((l) => l.message)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    expect(lines[50].message).toBe(TRUNCATION_MARKER);
    expect(lines.some((l) => l.message.includes('debug'))).toBe(false);
    // Tailing: only lines after a given id.
    const tail = await store.read(task.id, { after: lines[47].id, limit: 10 });
    expect(tail.map((l) => l.message)).toEqual(['line 49', 'line 50', TRUNCATION_MARKER]);
  });
});
