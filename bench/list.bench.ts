// List API: GET /api/tasks p50/p95 over HTTP against the real api process, with 1,000,000 tasks
// seeded in SQL (see support/seed-tasks.ts), as admin (every task) and as a plain user (own
// tasks only), first and deep pages, with and without search and filters.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { summarize } from './support/probes';
import { seedTasks } from './support/seed-tasks';
import { API_ENV, startApi } from './support/stack';

const ROWS = Number(process.env.BENCH_LIST_ROWS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_LIST_SAMPLES ?? 40);
/** A slow case stops after this long (with at least MIN_SAMPLES), to bound the run time. */
const CASE_BUDGET_MS = 8_000;
const MIN_SAMPLES = 10;

interface Case {
  name: string;
  who: 'admin' | 'user';
  query: string;
}

export async function runList(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('list', API_ENV);
  const api = await startApi(bench.env);
  const pg = new Client({ connectionString: bench.env.DATABASE_URL });
  try {
    const user = await api.api.user(api.adminToken, 'bench_plain_user', ['user']);
    await pg.connect();
    await pg.query(`SET search_path TO "${bench.schema}", public`);
    const seeded = await seedTasks(pg, ROWS, user.id);
    const [{ id: someId }] = (await pg.query<{ id: string }>(`SELECT id FROM tasks ORDER BY created_at DESC OFFSET 12345 LIMIT 1`)).rows;
    const cases: Case[] = [
      { name: 'first page', who: 'admin', query: 'current=1&page_size=20' },
      { name: 'deep page (current=5000)', who: 'admin', query: 'current=5000&page_size=20' },
      { name: 'status=failed', who: 'admin', query: 'status=failed&page_size=20' },
      { name: 'status=running (rare)', who: 'admin', query: 'status=running&page_size=20' },
      { name: 'type=invoice_pdf', who: 'admin', query: 'type=invoice_pdf&page_size=20' },
      { name: 'status=failed&type=invoice_pdf, deep (current=500)', who: 'admin', query: 'status=failed&type=invoice_pdf&current=500&page_size=20' },
      { name: 'search=report-42 (~1 % of rows)', who: 'admin', query: 'search=report-42&page_size=20' },
      { name: 'search=user1234@example (rare)', who: 'admin', query: `search=${encodeURIComponent('user1234@example')}&page_size=20` },
      { name: 'search=no-such-text (no match)', who: 'admin', query: 'search=no-such-text&page_size=20' },
      { name: 'search=<task id>', who: 'admin', query: `search=${someId}&page_size=20` },
      { name: 'search=eu-west&status=failed', who: 'admin', query: 'search=eu-west&status=failed&page_size=20' },
      { name: 'sort=-finished_at', who: 'admin', query: 'sort=-finished_at&page_size=20' },
      { name: 'first page', who: 'user', query: 'current=1&page_size=20' },
      { name: 'deep page (current=50)', who: 'user', query: 'current=50&page_size=20' },
      { name: 'status=failed', who: 'user', query: 'status=failed&page_size=20' },
      { name: 'search=report-42', who: 'user', query: 'search=report-42&page_size=20' },
      { name: 'type=invoice_pdf', who: 'user', query: 'type=invoice_pdf&page_size=20' },
    ];
    const rows: Record<string, string | number>[] = [];
    const results: Record<string, unknown>[] = [];
    for (const c of cases) {
      const token = c.who === 'admin' ? api.adminToken : user.token;
      const path = `/api/tasks?${c.query}`;
      let total = 0;
      let items = 0;
      const samples: number[] = [];
      const budgetEnds = performance.now() + CASE_BUDGET_MS;
      for (let i = 0; i < SAMPLES + 3 && (i < MIN_SAMPLES + 3 || performance.now() < budgetEnds); i++) {
        const t0 = performance.now();
        const res = await api.api.get(path, token);
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
        total = Number(res.body.total);
        items = Array.isArray(res.body.data) ? res.body.data.length : -1;
        if (i >= 3) samples.push(ms);
        await sleep(5);
      }
      const s = summarize(samples);
      rows.push({ as: c.who, query: c.name, total, items, 'p50 ms': s.p50, 'p95 ms': s.p95, 'max ms': s.max });
      results.push({ as: c.who, case: c.name, path, total, items, ...s });
    }
    console.log(table(rows));
    const result = { rows: ROWS, seed_seconds: seeded.seconds, samples_per_case: SAMPLES, cases: results };
    console.log(`results: ${writeResult('list', result)}`);
    return result;
  } finally {
    await pg.end().catch(() => undefined);
    await api.proc.kill();
    await bench.cleanup();
  }
}
