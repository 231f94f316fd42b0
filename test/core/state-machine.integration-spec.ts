import { randomUUID } from 'node:crypto';
import { TaskStateMachine, transitionStatement, type Db } from '@taskyard/tasks';
import { PARKED_TYPE, startPlatform, type Platform } from '../support/platform';
import { createTestEnv, type TestEnv } from '../support/test-env';

describe('task state machine: batched claims and outcomes', () => {
  let env: TestEnv;
  let platform: Platform;

  beforeAll(async () => {
    env = await createTestEnv('state_machine');
    platform = await startPlatform(env.env);
  });

  afterAll(async () => {
    await platform?.close();
    await env?.cleanup();
  });

  const parked = (n: number) => platform.tasks.createTasks({}, Array.from({ length: n }, () => ({ type: PARKED_TYPE })));
  const finishOf = (id: string, attempt: number) => ({ id, attempt, status: 'success' as const, result: { ok: true }, error: null, progress: null, progressMessage: null });

  it('claims some tasks and records the outcome of others in one statement', async () => {
    const [a, b, c] = await parked(3);
    await platform.states.claim([{ id: a.id, gen: 0 }], 'w1');
    const out = await platform.states.transition(
      [{ id: b.id, gen: 0 }, { id: c.id, gen: 5 }],
      [finishOf(a.id, 1), finishOf(b.id, 3)],
      'w1',
    );
    expect(out.claimed[0]).toMatchObject({ takeover: false, record: { id: b.id, status: 'running', attempt: 1, payload: null } });
    expect(out.claimed[1]).toBeNull(); // a job of another generation
    expect(out.finished[0]).toEqual({ id: a.id, creatorId: 'system', status: 'success', error: null });
    expect(out.finished[1]).toBeNull(); // fenced: not the running attempt
    expect(await platform.get(a.id)).toMatchObject({ status: 'success', result: { ok: true }, progress: 100 });
  });

  it('answers a tick per item, and never updates one row twice in a statement', async () => {
    const [x, y] = await parked(2);
    await platform.states.claim([{ id: x.id, gen: 0 }], 'w1');
    // x's outcome and a redelivery of x's job (gen 0: a take-over) in one tick, plus a claim of y.
    const out = await platform.states.tick([{ claim: { id: x.id, gen: 0 } }, { finish: finishOf(x.id, 1) }, { claim: { id: y.id, gen: 0 } }], 'w1');
    expect(out[0]).toBeNull(); // written after the outcome: x is finished, nothing to take over
    expect(out[1]).toMatchObject({ id: x.id, status: 'success' });
    expect(out[2]).toMatchObject({ takeover: false, record: { id: y.id, attempt: 1 } });
    expect(await platform.get(x.id)).toMatchObject({ status: 'success', attempt: 1, recoveries: 0 });
  });

  it('writes heartbeats and progress of a running task without touching an index (HOT updates)', async () => {
    const [task] = await parked(1);
    await platform.states.claim([{ id: task.id, gen: 0 }], 'w1');
    // Through the real statements, in one transaction on one connection.
    const client = await platform.db.pool.connect();
    try {
      await client.query('BEGIN');
      // (the counters also hold this connection's not yet reported earlier writes: compare)
      const counters = async () => (await client.query(
        `SELECT pg_stat_get_xact_tuples_updated('tasks'::regclass)::int AS updated, pg_stat_get_xact_tuples_hot_updated('tasks'::regclass)::int AS hot`,
      )).rows[0] as { updated: number; hot: number };
      const before = await counters();
      const inTx = new TaskStateMachine({ rows: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows } as unknown as Db);
      expect(await inTx.heartbeat([{ id: task.id, attempt: 1 }])).toEqual(new Map([[task.id, { attempt: 1, cancelRequested: false }]]));
      await inTx.saveProgress([{ id: task.id, attempt: 1, progress: 40, message: 'step 2' }]);
      const after = await counters();
      expect({ updated: after.updated - before.updated, hot: after.hot - before.hot }).toEqual({ updated: 2, hot: 2 });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('reaches rows by primary key even when statistics say the table is empty', async () => {
    // Statistics taken while the table was empty, then a burst of 50,000 pending tasks: the
    // planner must not read every pending row (or the whole table) once per batch.
    await platform.db.rows(`DELETE FROM tasks`);
    await platform.db.rows(`ANALYZE tasks`);
    const burst = Array.from({ length: 50_000 }, () => ({
      id: randomUUID(), type: PARKED_TYPE, queue: 'tests-parked', creatorId: 'system', category: 'system' as const, cronScheduleId: null,
      maxRetries: 0, priority: 0, payload: null, notBefore: null, notAfter: null, idempotencyKey: null, fireKey: null, traceId: null,
    }));
    await platform.states.insert(burst);
    const claims = burst.slice(0, 50).map((t) => ({ id: t.id, gen: 0 }));
    const finishes = burst.slice(50, 100).map((t) => finishOf(t.id, 1));
    const { text, params } = transitionStatement(claims, finishes, 'w1');
    const plan = (await platform.db.rows<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).map((r) => r['QUERY PLAN']).join('\n');
    // Both updates look their rows up by id in the primary key, nothing else.
    expect(plan.match(/Index Scan using tasks_pkey on tasks t(_1)?\s/g)).toHaveLength(2);
    expect(plan.match(/Index Cond: \(id = ANY/g)).toHaveLength(2);
    expect(plan).not.toMatch(/Bitmap|Seq Scan on tasks/);
  });
});
