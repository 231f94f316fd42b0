import type { RunningProcess } from '../../test/support/processes';

export interface ProbeEvent {
  bench: string;
  id: string;
  at: number;
}

/**
 * Collects the `{"bench":...}` lines a benchmark worker prints, by event then task/job id.
 * Reads the child's stdout directly (RunningProcess.output keeps only the last ~2,000 lines).
 */
export class ProbeCollector {
  private readonly events = new Map<string, Map<string, number>>();
  private readonly waiters = new Set<() => void>();
  private buffered = '';

  constructor(proc: RunningProcess) {
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith('{"bench"')) return;
    try {
      const e = JSON.parse(line) as ProbeEvent;
      let byId = this.events.get(e.bench);
      if (!byId) this.events.set(e.bench, (byId = new Map()));
      if (!byId.has(e.id)) byId.set(e.id, e.at);
      for (const wake of this.waiters) wake();
    } catch {
      // a partial or foreign line
    }
  }

  at(event: string, id: string): number | undefined {
    return this.events.get(event)?.get(id);
  }

  count(event: string): number {
    return this.events.get(event)?.size ?? 0;
  }

  /** Resolves once `event` was seen for every id (or rejects after `timeoutMs`). */
  async waitAll(event: string, ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const wanted = [...ids];
    const done = () => wanted.every((id) => this.at(event, id) !== undefined);
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const missing = wanted.filter((id) => this.at(event, id) === undefined).length;
        reject(new Error(`${missing} of ${wanted.length} "${event}" probes missing after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }
}

/** p50/p95/p99/max of a sample set, rounded to 0.1 ms. */
export function summarize(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (p: number) => {
    if (sorted.length === 0) return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return Math.round(sorted[i] * 10) / 10;
  };
  return { n: sorted.length, p50: pick(50), p95: pick(95), p99: pick(99), max: pick(100) };
}

/**
 * Open-loop arrivals: calls `fire(i)` at `ratePerSecond` for `seconds`, never waiting for a
 * call to finish before the next is due (calls that fall behind are sent at once, in order).
 */
export async function offerAtRate(ratePerSecond: number, seconds: number, fire: (i: number) => Promise<void>): Promise<void> {
  const total = Math.round(ratePerSecond * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
    while (sent < due) pending.push(fire(sent++));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
}
