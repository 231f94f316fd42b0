import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000',
  '08003',
  '08006',
  '08001',
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** True for errors that mean "PostgreSQL is restarting or unreachable", not "this write is wrong". */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: string; message?: string; driverError?: { code?: string } } | undefined;
  const code = e?.code ?? e?.driverError?.code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  const msg = e?.message ?? '';
  return /Connection terminated|connection timeout|terminating connection|the database system is|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(msg);
}

/**
 * Retries an idempotent or compare-and-set write while PostgreSQL is unavailable, with
 * capped exponential backoff, for up to `budgetMs`. A worker that finished a task keeps its
 * outcome through a database restart instead of dropping it.
 */
export async function withDbRetry<T>(fn: () => Promise<T>, budgetMs = 60_000, onRetry?: (err: unknown) => void): Promise<T> {
  const deadline = Date.now() + budgetMs;
  let delay = 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientDbError(err) || Date.now() + delay > deadline) throw err;
      onRetry?.(err);
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
  }
}
