import { startProcess, type RunningProcess } from '../../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../../support/test-env';

/** Parsed JSON of a response: tests read fields freely and assert them. */
export type Json = ReturnType<typeof JSON.parse>;

export const JWT_SECRET = 'e2e-test-secret-0123456789abcdef';
export const ADMIN_PASSWORD = 'admin-pass-1234';

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (for invalid JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A small HTTP client for the API under test. */
export class Api {
  constructor(readonly base: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(this.base + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get = (path: string, token?: string) => this.request('GET', path, { token });
  post = (path: string, token?: string, body?: unknown) => this.request('POST', path, { token, body });
  delete = (path: string, token?: string) => this.request('DELETE', path, { token });

  async login(username: string, password: string): Promise<string> {
    const res = await this.post('/api/authorization/auth/login', undefined, { username, password });
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${res.text}`);
    return res.body.data.token as string;
  }

  /** Creates a user with the given roles and logs in as them. */
  async user(adminToken: string, username: string, roleIds: string[]): Promise<{ id: string; token: string }> {
    const password = `${username}-password`;
    const res = await this.post('/api/authorization/users', adminToken, { username, password, role_ids: roleIds, email: `${username}@example.com`, full_name: `${username} Example` });
    if (res.status !== 201) throw new Error(`creating ${username} failed: ${res.status} ${res.text}`);
    return { id: res.body.data.id, token: await this.login(username, password) };
  }

  async startReport(token: string, body: Record<string, unknown>): Promise<Json> {
    const res = await this.post('/api/examples/reports', token, body);
    if (res.status !== 201) throw new Error(`report failed to start: ${res.status} ${res.text}`);
    return res.body.data;
  }

  /** Polls a task through the API until `until` holds. */
  async waitTask(token: string, id: string, until: (task: Json) => boolean, what = 'task state'): Promise<Json> {
    return waitFor(async () => {
      const res = await this.get(`/api/tasks/${id}`, token);
      return res.status === 200 && until(res.body.data) ? res.body.data : null;
    }, 20_000, `${what} of ${id}`);
  }

  finished(token: string, id: string): Promise<Json> {
    return this.waitTask(token, id, (t) => ['success', 'failed', 'cancelled'].includes(t.status), 'finish');
  }
}

export interface Stack {
  env: TestEnv;
  api: Api;
  apiProcess: RunningProcess;
  worker?: RunningProcess;
  adminToken: string;
  stop(): Promise<void>;
}

/** A private schema + Redis prefix, the real api process, and optionally a real worker. */
export async function startStack(name: string, options: { worker?: boolean; env?: Record<string, string> } = {}): Promise<Stack> {
  const env = await createTestEnv(name, { JWT_SECRET, ADMIN_PASSWORD, ...options.env });
  const [apiProcess, worker] = await Promise.all([
    startProcess('api', 'apps/api/src/main.ts', { ...env.env, API_PORT: '0', API_HOST: '127.0.0.1' }),
    options.worker ? startProcess('worker', 'apps/worker/src/main.ts', { ...env.env, WORKER_METRICS_PORT: '0' }) : Promise.resolve(undefined),
  ]);
  const api = new Api(`http://127.0.0.1:${apiProcess.port}`);
  let adminToken: string;
  try {
    adminToken = await api.login('admin', ADMIN_PASSWORD);
  } catch (err) {
    // Without a stack to stop, the processes would outlive the test run and keep jest waiting.
    await Promise.all([apiProcess.kill(), worker?.kill()]);
    await env.cleanup();
    throw new Error(`${(err as Error).message}\napi output:\n${apiProcess.output.slice(-20).join('\n')}`);
  }
  return {
    env,
    api,
    apiProcess,
    worker,
    adminToken,
    async stop() {
      await Promise.all([apiProcess.kill(), worker?.kill()]);
      await env.cleanup();
    },
  };
}

export interface SseEvent {
  event: string;
  data: Json;
  id?: string;
}

export interface SseClient {
  status: number;
  /** The parsed error envelope when the stream was refused. */
  error?: Json;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `GET /api/tasks/events` and collects parsed events until closed. */
export async function openEvents(base: string, options: { token?: string; query?: Record<string, string> }): Promise<SseClient> {
  const controller = new AbortController();
  const qs = new URLSearchParams(options.query ?? {}).toString();
  const res = await fetch(`${base}/api/tasks/events${qs ? `?${qs}` : ''}`, {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    signal: controller.signal,
  });
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const client: SseClient = { status: res.status, events: [], comments: [], ended, close: () => controller.abort() };
  if (res.status !== 200 || !res.body) {
    const text = await res.text().catch(() => '');
    try {
      client.error = JSON.parse(text);
    } catch {
      client.error = undefined;
    }
    return client;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return markEnded();
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) {
              client.comments.push(line.slice(1).trim());
              if (line.includes('connected')) connected();
              continue;
            }
            const i = line.indexOf(':');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
          }
          if (fields.data !== undefined) client.events.push({ event: fields.event ?? 'message', data: JSON.parse(fields.data), id: fields.id });
        }
      }
    } catch {
      markEnded();
    }
  })();
  await ready;
  return client;
}
