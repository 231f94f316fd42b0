import autocannon from 'autocannon';

export interface LoadResult {
  route: string;
  connections: number;
  seconds: number;
  requests: number;
  per_s: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface LoadCase {
  route: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Closed-loop load on one URL with autocannon (on loopback): `connections` keep one request
 * each in flight for `seconds`. Every response must be 2xx.
 */
export async function load(c: LoadCase, connections: number, seconds: number): Promise<LoadResult> {
  const body = c.body === undefined ? undefined : JSON.stringify(c.body);
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...c.headers };
  const r = await autocannon({ url: c.url, method: c.method ?? 'GET', headers, body, connections, duration: seconds });
  if (r.errors || r.timeouts || r.non2xx) {
    throw new Error(`${c.route}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx responses (${JSON.stringify(r.statusCodeStats)})`);
  }
  const elapsed = (r.finish.getTime() - r.start.getTime()) / 1000;
  return {
    route: c.route,
    connections,
    seconds: Math.round(elapsed * 10) / 10,
    requests: r['2xx'],
    per_s: Math.round(r['2xx'] / elapsed),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
  };
}
