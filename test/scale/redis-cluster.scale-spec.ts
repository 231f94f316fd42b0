import { Channels, type TaskEvent } from '@taskyard/contracts';
import { RedisConnections, type RedisClient } from '@taskyard/tasks';
import { Api, openEvents } from '../api/support/api-harness';
import { Fleet, leaderGauge } from '../faults/support/fleet';
import { cancelLong, createLoad, rows, settle, TERMINAL } from '../faults/support/load';
import { PrivateRedisCluster } from '../faults/support/servers';
import { startPlatform, type Platform } from '../support/platform';
import type { RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';
import { EVERY_SECOND } from '../support/test-task-types';

const JWT_SECRET = 'scale-jwt-secret-0123456789abcdef';
const ADMIN_PASSWORD = 'scale-admin-pass-5678';
/** The prefix a cluster gets when REDIS_PREFIX is unset. */
const PREFIX = '{taskyard}';

/**
 * The api, 2 workers and 2 schedulers on a private 3-master Redis Cluster (no replicas), with
 * REDIS_PREFIX unset so the cluster default is what runs: create, progress over SSE, cancel
 * across workers, retries, schedules and leader election, the reconciler after the cluster lost
 * its data, and the master holding the queues killed mid-run and brought back.
 */
describe('Redis Cluster: the whole topology on a 3-master cluster', () => {
  const cluster = new PrivateRedisCluster(3, 0);
  let testEnv: TestEnv;
  let env: Record<string, string>;
  let platform: Platform;
  let fleet: Fleet;
  let api: Api;
  let token: string;
  let subscriber: RedisClient;
  let connections: RedisConnections;
  const terminalEvents = new Map<string, number>();

  beforeAll(async () => {
    await cluster.start();
    testEnv = await createTestEnv('rcluster', { REDIS_URL: cluster.url });
    env = Object.fromEntries(Object.entries({ ...testEnv.env, JWT_SECRET, MAX_RECOVERIES: '20' }).filter(([k]) => k !== 'REDIS_PREFIX'));
    connections = new RedisConnections(cluster.url, PREFIX, false);
    subscriber = connections.create('subscriber');
    subscriber.on('message', (_channel: string, message: string) => {
      for (const e of JSON.parse(message) as TaskEvent[]) {
        if (e.type === 'status' && TERMINAL.includes(e.status)) terminalEvents.set(e.task_id, (terminalEvents.get(e.task_id) ?? 0) + 1);
      }
    });
    await subscriber.subscribe(connections.channel(Channels.TaskEvents));
    platform = await startPlatform(env);
    fleet = new Fleet(env);
    await fleet.start({ ADMIN_PASSWORD }, 2);
    api = new Api(`http://127.0.0.1:${fleet.api.port}`);
    token = await api.login('admin', ADMIN_PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await cluster.restore().catch(() => undefined);
    await fleet?.stop().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    await connections?.closeAll();
    await testEnv?.cleanup().catch(() => undefined);
    await cluster.stop();
  });

  const leaders = async (): Promise<RunningProcess[]> => {
    const gauges = await Promise.all(fleet.schedulers.map(async (s) => ({ s, g: await leaderGauge(s) })));
    return gauges.filter(({ g }) => g === 1).map(({ s }) => s);
  };

  it('keeps every key of the platform under the hash-tagged prefix, in one slot', async () => {
    const t = await platform.tasks.createTask({}, 't_echo', { payload: { value: 'slot' } });
    await platform.finished(t.id);
    const owner = await cluster.masterOf(PREFIX);
    const keysByNode = await Promise.all(
      cluster.nodes.map(async (n) => ({ port: n.port, keys: (await n.command((r) => r.keys('*'))).filter((k) => !k.startsWith('tytest-')) })),
    );
    const elsewhere = keysByNode.filter((n) => n.port !== owner.port).flatMap((n) => n.keys);
    expect(elsewhere).toEqual([]);
    const here = keysByNode.find((n) => n.port === owner.port)!.keys;
    expect(here.length).toBeGreaterThan(0);
    expect(here.filter((k) => !k.startsWith(`${PREFIX}:`))).toEqual([]);
  });

  it('creates a task and streams its progress over SSE through cluster pub/sub', async () => {
    const sse = await openEvents(api.base, { token });
    try {
      const t = await platform.tasks.createTask({}, 't_sleep', { payload: { ms: 1_500, steps: 5 } });
      await waitFor(() => sse.events.some((e) => e.data.type === 'status' && e.data.task_id === t.id && e.data.status === 'success'), 20_000, 'success event over SSE');
      const progress = sse.events.filter((e) => e.data.type === 'progress' && e.data.task_id === t.id).map((e) => e.data.progress as number);
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...progress)).toBe(100);
    } finally {
      sse.close();
    }
  });

  it('cancels runs on whichever worker holds them, over the api and the service', async () => {
    // t_limited runs at most once per worker (concurrency 1), so its two runs sit on both.
    const long = await platform.tasks.createTasks({}, [
      ...Array.from({ length: 2 }, () => ({ type: 't_limited', payload: { ms: 30_000 } })),
      ...Array.from({ length: 2 }, () => ({ type: 't_sleep', payload: { ms: 30_000, steps: 60 } })),
    ]);
    await waitFor(async () => (await rows(platform, long.map((t) => t.id))).every((r) => r.status === 'running'), 30_000, 'runs to start');
    const owners = await platform.db.rows<{ worker_id: string }>(`SELECT DISTINCT worker_id FROM tasks WHERE id = ANY($1::uuid[])`, [long.map((t) => t.id)]);
    expect(owners.length).toBe(2);
    const started = Date.now();
    for (const [i, t] of long.entries()) {
      if (i % 2 === 0) await platform.tasks.cancelTask(t.id);
      else expect((await api.post(`/api/tasks/${t.id}/cancel`, token)).status).toBe(200);
    }
    const done = await Promise.all(long.map((t) => platform.finished(t.id, 10_000)));
    expect(done.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    // Well before the grace period a runner ignoring its signal gets: the message reached it.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries a failing task until it succeeds, and fails one out of retries', async () => {
    const [ok, out] = await platform.tasks.createTasks({}, [
      { type: 't_flaky', payload: { failures: 2 }, maxRetries: 3 },
      { type: 't_flaky', payload: { failures: 5 }, maxRetries: 1 },
    ]);
    const [a, b] = await Promise.all([platform.finished(ok.id), platform.finished(out.id)]);
    expect([a.status, a.autoRetryCount]).toEqual(['success', 2]);
    expect([b.status, b.autoRetryCount]).toEqual(['failed', 1]);
  });

  it('elects one scheduler leader, fires the schedule once per second, and fails over to the other', async () => {
    await waitFor(async () => (await leaders()).length === 1, 20_000, 'one leader');
    await platform.schedules.toggle(EVERY_SECOND, true);
    const firesSince = async (since: Date) =>
      Number((await platform.db.rows<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE cron_schedule_id = $1 AND created_at > $2`, [EVERY_SECOND, since]))[0].n);
    const on = new Date();
    await waitFor(async () => (await firesSince(on)) >= 2, 20_000, 'schedule fires');
    const [leader] = await leaders();
    await fleet.sigkill(leader);
    const killedAt = new Date();
    await waitFor(async () => (await leaders()).length === 1, 30_000, 'the other scheduler to lead');
    await waitFor(async () => (await firesSince(killedAt)) >= 2, 30_000, 'fires after the failover');
    await platform.schedules.toggle(EVERY_SECOND, false);
    fleet.schedulers.push(await fleet.spawnScheduler());
    const dup = await platform.db.rows<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT not_before FROM tasks WHERE cron_schedule_id = $1 GROUP BY not_before HAVING count(*) > 1) d`,
      [EVERY_SECOND],
    );
    expect(Number(dup[0].n)).toBe(0);
    const fires = await platform.db.rows<{ id: string }>(`SELECT id FROM tasks WHERE cron_schedule_id = $1`, [EVERY_SECOND]);
    const ended = await Promise.all(fires.map((f) => platform.finished(f.id, 30_000)));
    expect(ended.filter((t) => t.status === 'failed')).toEqual([]);
  });

  it('re-enqueues every task after the cluster lost all its data (reconciler)', async () => {
    const load = await createLoad(platform, 'flush');
    await cancelLong(platform, api, token, load);
    await cluster.flushAll();
    const extra = await platform.tasks.createTasks({}, Array.from({ length: 5 }, (_, i) => ({ type: 't_echo', payload: { value: `after-flush-${i}` } })));
    expect(await settle(platform, [...load, ...extra.map((t) => ({ id: t.id, type: t.type, expected: 'success' as const, phase: 'flush' }))])).toEqual([]);
  });

  it('loses no task when the master holding the queues is killed mid-run and comes back empty', async () => {
    const load = await createLoad(platform, 'master-kill');
    await cancelLong(platform, api, token, load);
    const victim = await cluster.masterOf(PREFIX);
    const killedAt = Date.now();
    await victim.kill();
    // Accepted while the queues' slot has no master: the rows are the truth, the reconciler enqueues.
    const during = await platform.tasks.createTasks({}, Array.from({ length: 3 }, (_, i) => ({ type: 't_echo', payload: { value: `during-${i}` } })));
    await waitFor(async () => (await api.get('/health/ready')).status === 503, 15_000, 'api to report Redis down');
    await victim.start();
    await cluster.healthy();
    const backAt = Date.now();
    const tracked = [...load, ...during.map((t) => ({ id: t.id, type: t.type, expected: 'success' as const, phase: 'master-kill' }))];
    expect(await settle(platform, tracked)).toEqual([]);
    console.log(`master kill: slot down ${((backAt - killedAt) / 1000).toFixed(1)} s, ${tracked.length} tasks all terminal ${((Date.now() - backAt) / 1000).toFixed(1)} s after the master was back`);
    expect(fleet.dead()).toEqual([]);
    const twice = [...terminalEvents].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
  });
});
