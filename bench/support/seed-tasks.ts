import { SEARCH_DOC } from '@taskyard/tasks';

export interface SeedOptions {
  /** Only `success`, `failed` and `cancelled` rows (history), no pending or running ones. */
  finishedOnly?: boolean;
  /** `created_at` of the newest row, as SQL (default `now()`). */
  newest?: string;
  /** Seconds between consecutive rows' `created_at` (default 2). */
  spacingSeconds?: number;
}

/**
 * Seeds `tasks` with a realistic mix in one statement (INSERT ... SELECT generate_series):
 * ~70 % created by 2,000 users (one of them the benchmark's plain user, ~1 in 500 rows),
 * ~30 % by `system`; 8 types with a skewed mix; mostly finished statuses; a small JSON payload
 * with text a search can hit; `created_at` spread over the last ~23 days (2 s apart) unless
 * `options` say otherwise.
 */
export function seedTasksSql(rows: number, plainUserId: string, options: SeedOptions = {}): string {
  const user = plainUserId.replace(/'/g, "''");
  const newest = options.newest ?? 'now()';
  const spacing = Number(options.spacingSeconds ?? 2);
  const unfinished = options.finishedOnly ? '' : `
       WHEN g > ${rows} - 200 AND g % 4 = 0 THEN 'running'
       WHEN g > ${rows} - 2000 AND g % 3 = 0 THEN 'pending'`;
  return `
INSERT INTO tasks (id, type, queue, status, progress, progress_message, result, error, creator_id, category,
                   max_retries, priority, payload, attempt, created_at, updated_at, started_at, finished_at)
SELECT gen_random_uuid(),
       t.type, 'taskyard-default', s.status,
       CASE s.status WHEN 'success' THEN 100 WHEN 'pending' THEN 0 ELSE (g % 100) END,
       CASE WHEN s.status = 'running' THEN 'step ' || (g % 50) END,
       CASE WHEN s.status = 'success' THEN jsonb_build_object('rows', g % 10000) END,
       CASE WHEN s.status = 'failed' THEN 'upstream timeout after ' || (g % 60) || ' s' END,
       c.creator, CASE WHEN c.creator = 'system' THEN 'system' ELSE 'user' END,
       g % 4, 0,
       jsonb_build_object('report', 'report-' || (g % 1000), 'steps', g % 50, 'owner', 'user' || (g % 2000) || '@example.com', 'region', (ARRAY['eu-west','us-east','ap-south'])[1 + g % 3]),
       CASE WHEN s.status = 'pending' THEN 0 ELSE 1 END,
       ts, ts,
       CASE WHEN s.status <> 'pending' THEN ts + interval '1 second' END,
       CASE WHEN s.status IN ('success', 'failed', 'cancelled') THEN ts + interval '5 seconds' END
  FROM generate_series(1, ${rows}) AS g
  CROSS JOIN LATERAL (SELECT ${newest} - (${rows} - g) * ${spacing} * interval '1 second' AS ts) AS x
  CROSS JOIN LATERAL (SELECT CASE
       WHEN g % 500 = 0 THEN '${user}'
       WHEN abs(hashint4(g + 3333333)) % 10 < 3 THEN 'system'
       ELSE md5('user-' || (g % 1999))::uuid::text END AS creator) AS c
  CROSS JOIN LATERAL (SELECT CASE
       WHEN abs(hashint4(g)) % 100 < 35 THEN 'example_report'
       WHEN abs(hashint4(g)) % 100 < 55 THEN 'user_export'
       WHEN abs(hashint4(g)) % 100 < 70 THEN 'invoice_pdf'
       WHEN abs(hashint4(g)) % 100 < 80 THEN 'email_digest'
       WHEN abs(hashint4(g)) % 100 < 88 THEN 'sync_crm'
       WHEN abs(hashint4(g)) % 100 < 94 THEN 'image_resize'
       WHEN abs(hashint4(g)) % 100 < 98 THEN 'task_retention_cleanup'
       ELSE 'webhook_replay' END AS type) AS t
  CROSS JOIN LATERAL (SELECT CASE${unfinished}
       WHEN abs(hashint4(g + 7777777)) % 100 < 88 THEN 'success'
       WHEN abs(hashint4(g + 7777777)) % 100 < 95 THEN 'failed'
       WHEN abs(hashint4(g + 7777777)) % 100 < 99 THEN 'cancelled'
       ELSE '${options.finishedOnly ? 'cancelled' : 'pending'}' END AS status) AS s`;
}

interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Seeds `rows` tasks on a connection whose search_path is the benchmark schema (on top of any
 * rows already there). The secondary indexes of `tasks` and `task_search` (whatever the
 * migrations created) are dropped for the bulk insert and rebuilt from their own definitions
 * afterwards (much faster than maintaining a trigram GIN row by row), then the table is analyzed.
 */
export async function seedTasks(pg: Queryable, rows: number, plainUserId: string, options: SeedOptions = {}): Promise<{ seconds: number }> {
  const started = performance.now();
  const { rows: indexes } = await pg.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename IN ('tasks', 'task_search')
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)`,
  );
  for (const index of indexes) await pg.query(`DROP INDEX "${index.name}"`);
  await pg.query(`SET maintenance_work_mem = '256MB'`);
  await pg.query(seedTasksSql(rows, plainUserId, options));
  await pg.query(`INSERT INTO task_search (task_id, doc) SELECT id, ${SEARCH_DOC} FROM tasks WHERE NOT EXISTS (SELECT 1 FROM task_search s WHERE s.task_id = tasks.id)`);
  for (const index of indexes) await pg.query(index.def);
  await pg.query('VACUUM ANALYZE tasks');
  await pg.query('VACUUM ANALYZE task_search');
  return { seconds: Math.round((performance.now() - started) / 100) / 10 };
}
