// The HTTP API under load, with autocannon on loopback against the real api process:
// - reads: `GET /api/tasks/:id` and `GET /api/tasks?page_size=20` (16 connections) beside
//   `GET /health/live` (the framework's own request through the same process) in the same run;
// - creates: `POST /api/examples/reports` (`steps: 1, step_ms: 0`, 64 connections) beside a bare
//   NestJS-on-Fastify POST route doing no work (bench/support/bare-nest.main.ts).
// The task routes are also measured on a second api process with AUTH_USER_CACHE_MS=0 (every
// request looks its user up), in the same run. BENCH_API_CPU_PROF=<dir> writes a V8 CPU profile
// of the (first) api process there (`--cpu-prof`); BENCH_API_ONLY=<text> keeps only the routes
// whose name contains it.
import { Client } from 'pg';
import { startProcess } from '../test/support/processes';
import { createBenchEnv, table, writeResult } from './support/bench-env';
import { load, type LoadCase, type LoadResult } from './support/load';
import { seedTasks } from './support/seed-tasks';
import { API_ENV, startApi } from './support/stack';

const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const READ_CONNECTIONS = Number(process.env.BENCH_API_READ_CONNECTIONS ?? 16);
const CREATE_CONNECTIONS = Number(process.env.BENCH_API_CREATE_CONNECTIONS ?? 64);
/** Tasks in the table for the read routes. */
const TASKS = Number(process.env.BENCH_API_TASKS ?? 300);
/** A short warm-up per route before it is measured (JIT, pools, caches). */
const WARMUP_SECONDS = 2;
const CPU_PROF_DIR = process.env.BENCH_API_CPU_PROF;
/** Only the routes whose name contains this (e.g. to profile one route). */
const ONLY = process.env.BENCH_API_ONLY;

function apiEnv(base: Record<string, string>): Record<string, string> {
  return CPU_PROF_DIR ? { ...base, NODE_ARGS: `--cpu-prof --cpu-prof-dir=${CPU_PROF_DIR}` } : base;
}

async function measure(cases: LoadCase[], connections: number): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const c of cases) {
    await load(c, connections, WARMUP_SECONDS);
    results.push(await load(c, connections, SECONDS));
  }
  return results;
}

function print(results: LoadResult[], bare: LoadResult): void {
  console.log(table(results.map((r) => ({
    route: r.route,
    connections: r.connections,
    requests: r.requests,
    'per second': r.per_s,
    'vs bare': (r.per_s / bare.per_s).toFixed(3),
    'p50 ms': r.p50_ms,
    'p90 ms': r.p90_ms,
    'p99 ms': r.p99_ms,
    'max ms': r.max_ms,
  }))));
}

export async function runApiReads(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('api_reads', API_ENV);
  const api = await startApi(apiEnv(bench.env));
  // The same api without the authenticated-user cache, measured beside it: what the cache buys.
  const uncached = await startApi({ ...bench.env, AUTH_USER_CACHE_MS: '0' });
  const pg = new Client({ connectionString: bench.env.DATABASE_URL });
  try {
    const user = await api.api.user(api.adminToken, 'bench_api_user', ['user']);
    await pg.connect();
    await pg.query(`SET search_path TO "${bench.schema}", public`);
    await seedTasks(pg, TASKS, user.id);
    const [{ id }] = (await pg.query<{ id: string }>(`SELECT id FROM tasks ORDER BY created_at DESC OFFSET 10 LIMIT 1`)).rows;
    const auth = { authorization: `Bearer ${api.adminToken}` };
    const results = await measure([
      { route: 'GET /health/live', url: `${api.base}/health/live` },
      { route: 'GET /api/tasks/:id', url: `${api.base}/api/tasks/${id}`, headers: auth },
      { route: 'GET /api/tasks/:id (AUTH_USER_CACHE_MS=0)', url: `${uncached.base}/api/tasks/${id}`, headers: auth },
      { route: 'GET /api/tasks?page_size=20', url: `${api.base}/api/tasks?page_size=20`, headers: auth },
      { route: 'GET /api/tasks?page_size=20 (AUTH_USER_CACHE_MS=0)', url: `${uncached.base}/api/tasks?page_size=20`, headers: auth },
    ].filter((c) => !ONLY || c.route.includes(ONLY)), READ_CONNECTIONS);
    print(results, results.find((r) => r.route === 'GET /health/live') ?? results[0]);
    const result = { tasks: TASKS, seconds: SECONDS, connections: READ_CONNECTIONS, as: 'admin', routes: results };
    console.log(`results: ${writeResult('api-reads', result)}`);
    return result;
  } finally {
    await pg.end().catch(() => undefined);
    await Promise.all([api.proc.kill(), uncached.proc.kill()]);
    await bench.cleanup();
  }
}

export async function runApiCreate(): Promise<Record<string, unknown>> {
  const bench = await createBenchEnv('api_create', API_ENV);
  const api = await startApi(apiEnv(bench.env));
  const bare = await startProcess('bare-nest', 'bench/support/bare-nest.main.ts', {});
  try {
    const body = { steps: 1, step_ms: 0 };
    const cases: LoadCase[] = [
      { route: 'POST /bare (NestJS on Fastify, no work)', url: `http://127.0.0.1:${bare.port}/bare`, method: 'POST', body },
      { route: 'POST /api/examples/reports', url: `${api.base}/api/examples/reports`, method: 'POST', body, headers: { authorization: `Bearer ${api.adminToken}` } },
    ];
    const results = await measure(cases.filter((c) => !ONLY || c.route.includes(ONLY)), CREATE_CONNECTIONS);
    print(results, results[0]);
    const result = { seconds: SECONDS, connections: CREATE_CONNECTIONS, body, worker: 'none (tasks stay pending)', routes: results };
    console.log(`results: ${writeResult('api-create', result)}`);
    return result;
  } finally {
    await Promise.all([api.proc.kill(), bare.kill()]);
    await bench.cleanup();
  }
}
