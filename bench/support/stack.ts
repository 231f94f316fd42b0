import { startProcess, type RunningProcess } from '../../test/support/processes';
import { Api } from '../../test/api/support/api-harness';

export const BENCH_JWT_SECRET = 'bench-secret-0123456789abcdef0123';
export const BENCH_ADMIN_PASSWORD = 'bench-admin-pass-1234';

/** Environment additions every bench api process needs (known admin password, JWT secret). */
export const API_ENV = { JWT_SECRET: BENCH_JWT_SECRET, ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD };

export interface ApiProcess {
  proc: RunningProcess;
  api: Api;
  base: string;
  adminToken: string;
}

/** The real api process on a free port, logged in as the bootstrap admin. */
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const proc = await startProcess('api', 'apps/api/src/main.ts', { ...env, ...API_ENV, API_PORT: '0', API_HOST: '127.0.0.1' });
  const base = `http://127.0.0.1:${proc.port}`;
  const api = new Api(base);
  const adminToken = await api.login('admin', BENCH_ADMIN_PASSWORD);
  return { proc, api, base, adminToken };
}

/** A bench worker process (bench_* task types) with its metrics port. */
export function startBenchWorker(env: Record<string, string>, name = 'bench-worker'): Promise<RunningProcess> {
  return startProcess(name, 'bench/support/bench-worker.main.ts', { ...env, WORKER_METRICS_PORT: '0' });
}

export interface TimedSseEvent {
  event: string;
  data: Record<string, unknown>;
  receivedAt: number;
}

/**
 * `GET /api/tasks/events` with a Bearer token; stamps every event with Date.now() when its
 * frame is parsed. Resolves once the stream's `: connected` comment arrived.
 */
export async function openTimedEvents(base: string, token: string, onEvent: (e: TimedSseEvent) => void): Promise<() => void> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/tasks/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`SSE stream answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const receivedAt = Date.now();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data: string | undefined;
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) {
              if (line.includes('connected')) connected();
            } else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data = line.slice(5).trimStart();
          }
          if (data !== undefined) onEvent({ event, data: JSON.parse(data) as Record<string, unknown>, receivedAt });
        }
      }
    } catch {
      // aborted
    }
  })();
  await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error('SSE stream sent no connected comment')), 10_000))]);
  return () => controller.abort();
}

/** `process_resident_memory_bytes` and heap use from a process's /metrics. */
export async function readMemory(port: number): Promise<{ rss_mib: number; heap_used_mib: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metric = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    if (!line) throw new Error(`metric ${name} not found`);
    return Number(line.trim().split(/\s+/).pop());
  };
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return { rss_mib: mib(metric('process_resident_memory_bytes')), heap_used_mib: mib(metric('nodejs_heap_size_used_bytes')) };
}
