import { randomUUID } from 'node:crypto';
import { idPrefixRange, SEARCH_TOTAL_LOOKAHEAD, SEARCH_WINDOW, TaskQueryService, type Db } from '@taskyard/tasks';
import { PARKED_TYPE, startPlatform, type Platform } from '../support/platform';
import { createTestEnv, type TestEnv } from '../support/test-env';

/**
 * Search pages come from a window of the newest rows when it holds them, else from all the
 * matches when they are few, else from the trigram index page by page: every path must give
 * exactly the page plain SQL gives.
 */
describe('task list search: every path agrees with plain SQL', () => {
  let env: TestEnv;
  let platform: Platform;
  let query: TaskQueryService;
  /** Ids of the tasks whose payload holds "needle", newest first. */
  let needles: string[];
  let rare: string;

  const task = (payload: Record<string, string>) => ({
    id: randomUUID(), type: PARKED_TYPE, queue: 'tests-parked', creatorId: 'system', category: 'system' as const, cronScheduleId: null,
    maxRetries: 0, priority: 0, payload, notBefore: null, notAfter: null, idempotencyKey: null, fireKey: null, traceId: null,
  });

  beforeAll(async () => {
    env = await createTestEnv('task_list');
    platform = await startPlatform(env.env);
    query = new TaskQueryService(platform.db);
    // The oldest task is the only one with "rare-one": far outside the window of newest rows.
    const [first] = await platform.states.insert([task({ note: 'rare-one' })]);
    rare = first.record.id;
    await platform.states.insert(Array.from({ length: SEARCH_WINDOW + 1_000 }, (_, i) => task({ note: i % 10 === 0 ? `needle-${i}` : 'hay' })));
    needles = (
      await platform.db.rows<{ id: string }>(
        `SELECT id FROM tasks WHERE deleted_at IS NULL AND payload::text ILIKE '%needle%' ORDER BY created_at DESC, id DESC`,
      )
    ).map((r) => r.id);
  });

  afterAll(async () => {
    await platform?.close();
    await env?.cleanup();
  });

  it('serves a broad search from the window, in list order, with a capped total', async () => {
    const page1 = await query.list({ page: 1, pageSize: 20, search: 'needle' });
    expect(page1.items.map((t) => t.id)).toEqual(needles.slice(0, 20));
    expect(page1).toMatchObject({ total: 20 + SEARCH_TOTAL_LOOKAHEAD, totalCapped: true });
    const page5 = await query.list({ page: 5, pageSize: 20, search: 'NEEDLE', status: 'pending' });
    expect(page5.items.map((t) => t.id)).toEqual(needles.slice(80, 100));
  });

  it('goes to the trigram index when the window does not hold the page, with the same order', async () => {
    // 300 matches; the window of the newest rows holds 200 of them.
    const page3 = await query.list({ page: 3, pageSize: 100, search: 'needle' });
    expect(page3.items.map((t) => t.id)).toEqual(needles.slice(200, 300));
    expect(page3).toMatchObject({ total: 300, totalCapped: false });
    const found = await query.list({ page: 1, pageSize: 20, search: 'rare-one' });
    expect(found.items.map((t) => t.id)).toEqual([rare]);
    expect(found).toMatchObject({ total: 1, totalCapped: false });
  });

  it('pages a search with many matches beyond the window through the trigram index', async () => {
    // "hay": 2,700 matches, more than SEARCH_FEW_MATCHES; this page lies past the window's hits.
    const hay = (
      await platform.db.rows<{ id: string }>(`SELECT id FROM tasks WHERE payload::text ILIKE '%hay%' ORDER BY created_at DESC, id DESC OFFSET 1900 LIMIT 100`)
    ).map((r) => r.id);
    const page = await query.list({ page: 20, pageSize: 100, search: 'hay' });
    expect(page.items.map((t) => t.id)).toEqual(hay);
    expect(page).toMatchObject({ total: 2_000 + SEARCH_TOTAL_LOOKAHEAD, totalCapped: true });
  });

  it("writes a task's search text once at insert, also in a caller's transaction, and drops it with the task", async () => {
    const created = await platform.dataSource.transaction((manager) => platform.tasks.createTask({}, PARKED_TYPE, { manager, payload: { note: 'tx-needle' } }));
    const doc = async () => (await platform.db.rows<{ doc: string }>(`SELECT doc FROM task_search WHERE task_id = $1`, [created.id])).map((r) => r.doc);
    expect(await doc()).toEqual([`${PARKED_TYPE} {"note": "tx-needle"}`]);
    await platform.db.rows(`DELETE FROM tasks WHERE id = $1`, [created.id]);
    expect(await doc()).toEqual([]);
  });

  it('finds a task by the 8-character id prefix the console shows, or any longer prefix, through the primary key', async () => {
    const [target] = needles.slice(-1);
    for (const prefix of [target.slice(0, 8), target.slice(0, 8).toUpperCase(), target.slice(0, 13), target]) {
      const page = await query.list({ page: 1, pageSize: 20, search: prefix });
      expect(page.items.map((t) => t.id)).toContain(target);
      const expected = (await platform.db.rows<{ id: string }>(`SELECT id FROM tasks WHERE id::text LIKE $1 ORDER BY created_at DESC, id DESC`, [`${prefix.toLowerCase()}%`])).map((r) => r.id);
      expect(page.items.map((t) => t.id)).toEqual(expected);
    }
    expect((await query.list({ page: 1, pageSize: 20, search: target.slice(0, 7) })).items).toEqual([]);
    // The id range is an index range on the primary key, not a text scan of every id.
    const range = idPrefixRange(target.slice(0, 8));
    expect(range).toEqual({ from: `${target.slice(0, 8)}-0000-0000-0000-000000000000`, to: `${target.slice(0, 8)}-ffff-ffff-ffff-ffffffffffff` });
    const plan = (await platform.db.rows<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM tasks WHERE id BETWEEN $1::uuid AND $2::uuid`, [range?.from, range?.to])).map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index (Only )?Scan using \w*pkey/);
  });

  it('counts exactly when the window holds every candidate', async () => {
    const few = await query.list({ page: 1, pageSize: 20, search: 'needle', status: 'running' });
    expect(few).toEqual({ items: [], total: 0, totalCapped: false });
  });

  it('pages a plain list in one statement: page and total as plain SQL gives them, an empty page keeps its total', async () => {
    const statements: string[] = [];
    const counting = Object.assign(Object.create(platform.db) as Db, {
      rows: (sql: string, params?: unknown[]) => {
        statements.push(sql);
        return platform.db.rows(sql, params);
      },
    });
    const counted = new TaskQueryService(counting);
    const all = (await platform.db.rows<{ id: string }>(`SELECT id FROM tasks WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC`)).map((r) => r.id);
    const page7 = await counted.list({ page: 7, pageSize: 20 });
    expect(statements).toHaveLength(1);
    expect(page7.items.map((t) => t.id)).toEqual(all.slice(120, 140));
    expect(page7).toMatchObject({ total: all.length, totalCapped: false });
    const oldestFirst = await counted.list({ page: 2, pageSize: 50, sort: 'created_at' });
    expect(oldestFirst.items.map((t) => t.id)).toEqual([...all].reverse().slice(50, 100));
    expect(await counted.list({ page: 1_000, pageSize: 20 })).toEqual({ items: [], total: all.length, totalCapped: false });
    expect(await counted.list({ page: 1, pageSize: 20, status: 'running' })).toEqual({ items: [], total: 0, totalCapped: false });
    expect(statements).toHaveLength(4);
  });
});
