import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestEnv, type TestEnv } from '../../test/support/test-env';

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** Own schema and Redis prefix per benchmark, production timings (no test shortcuts). */
export async function createBenchEnv(name: string, overrides: Record<string, string> = {}): Promise<TestEnv> {
  const env = await createTestEnv(`bench_${name}`, { LOG_LEVEL: 'warn', ...overrides });
  for (const key of ['LOCK_DURATION_MS', 'STALLED_INTERVAL_MS', 'HEARTBEAT_INTERVAL_MS', 'RUN_LEASE_MS', 'RECONCILE_INTERVAL_MS', 'RECONCILE_PENDING_AFTER_MS', 'RETRY_BACKOFF_MS', 'CANCEL_GRACE_MS', 'PROGRESS_PERSIST_MS']) {
    if (!(key in overrides)) delete env.env[key];
  }
  return env;
}

export function machine() {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: machine(), ...result }, null, 2) + '\n');
  return file;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(width[i])).join(' | ') + ' |';
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}
