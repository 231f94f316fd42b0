import type { JsonValue, TaskStatus } from '@taskyard/contracts';
import type { TaskRecord } from '@taskyard/tasks';
import type { Api } from '../../api/support/api-harness';
import type { Platform } from '../../support/platform';
import { waitFor } from '../../support/test-env';

export type Terminal = 'success' | 'failed' | 'cancelled';

/** A task the suite got accepted, and the terminal state its script implies. */
export interface Tracked {
  id: string;
  type: string;
  expected: Terminal;
  phase: string;
  /** Set for tasks to cancel midway. */
  cancelVia?: 'service' | 'api';
}

export interface TaskRow {
  id: string;
  type: string;
  status: TaskStatus;
  attempt: number;
  result: JsonValue | null;
  error: string | null;
  recoveries: number;
  auto_retry_count: number;
  max_retries: number;
  cron_schedule_id: string | null;
  fire_key: string | null;
  not_before: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
}

export const TERMINAL: readonly string[] = ['success', 'failed', 'cancelled'];

/** The mixed script of one phase: every kind of task whose outcome is known in advance. */
export async function createLoad(platform: Platform, phase: string): Promise<Tracked[]> {
  const spec: { type: string; payload: JsonValue; maxRetries?: number; expected: Terminal; cancelVia?: 'service' | 'api' }[] = [
    ...Array.from({ length: 6 }, (_, i) => ({ type: 't_echo', payload: { value: `${phase}-echo-${i}` }, expected: 'success' as const })),
    ...Array.from({ length: 3 }, () => ({ type: 't_sleep', payload: { ms: 3_000, steps: 15 }, expected: 'success' as const })),
    ...Array.from({ length: 2 }, () => ({ type: 't_flaky', payload: { failures: 2 }, maxRetries: 3, expected: 'success' as const })),
    { type: 't_flaky', payload: { failures: 5 }, maxRetries: 1, expected: 'failed' },
    { type: 't_sleep', payload: { ms: 25_000, steps: 50 }, expected: 'cancelled', cancelVia: 'service' },
    { type: 't_sleep', payload: { ms: 25_000, steps: 50 }, expected: 'cancelled', cancelVia: 'api' },
  ];
  const created = await platform.tasks.createTasks(
    {},
    spec.map((s) => ({ type: s.type, payload: s.payload, maxRetries: s.maxRetries })),
  );
  return created.map((t: TaskRecord, i) => ({ id: t.id, type: t.type, expected: spec[i].expected, phase, cancelVia: spec[i].cancelVia }));
}

export async function rows(platform: Platform, ids: string[]): Promise<TaskRow[]> {
  return platform.db.rows<TaskRow>(
    `SELECT id, type, status, attempt, result, error, recoveries, auto_retry_count, max_retries, cron_schedule_id, fire_key,
            not_before, started_at, finished_at
       FROM tasks WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}

/** What a recorded outcome looks like; a second outcome for the task would change it. */
export function outcomeOf(row: TaskRow): string {
  return JSON.stringify({ status: row.status, attempt: row.attempt, result: row.result, error: row.error, finished_at: row.finished_at?.toISOString() ?? null });
}

/**
 * Waits until every task is terminal, then lists the tasks that did not end as their script
 * implies (empty: none lost).
 */
export async function settle(platform: Platform, load: Tracked[], timeoutMs = 120_000): Promise<string[]> {
  const ids = load.map((t) => t.id);
  const open = async () => (await rows(platform, ids)).filter((r) => !TERMINAL.includes(r.status));
  await waitFor(async () => (await open()).length === 0, timeoutMs, 'every task to reach a terminal state').catch(async (err: Error) => {
    throw new Error(`${err.message}\nstill open: ${JSON.stringify((await open()).slice(0, 5))}`);
  });
  const expected = new Map(load.map((t) => [t.id, t]));
  return (await rows(platform, ids))
    .filter((r) => r.status !== expected.get(r.id)?.expected)
    .map((r) => `${r.id} (${r.type}) ended ${r.status} (${r.error}), expected ${expected.get(r.id)?.expected}`);
}

/** Once the load's long runs are running, cancels the ones meant to be cancelled (via the service or the api). */
export async function cancelLong(platform: Platform, api: Api, token: string, load: Tracked[]): Promise<void> {
  const long = load.filter((t) => t.cancelVia);
  await waitFor(async () => (await rows(platform, long.map((t) => t.id))).every((r) => r.status === 'running'), 30_000, 'long runs to start');
  for (const t of long) {
    if (t.cancelVia === 'service') await platform.tasks.cancelTask(t.id);
    else {
      const res = await api.post(`/api/tasks/${t.id}/cancel`, token);
      if (res.status !== 200) throw new Error(`cancel answered ${res.status} ${res.text}`);
    }
  }
}
