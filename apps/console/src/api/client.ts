import type { ApiError, ApiList, ApiOk } from '@taskyard/contracts';

const TOKEN_KEY = 'taskyard.token';
const TOKEN_EXPIRES_KEY = 'taskyard.token_expires_at';

/** Code used for failures that never produced an API envelope (network down, proxy HTML page). */
export const NETWORK_ERROR_CODE = 'E_NETWORK';

/** An API call that failed: either an `{code:"E...", err}` envelope or a transport failure. */
export class ApiRequestError extends Error {
  readonly code: string;
  readonly err: string;
  readonly status: number;
  readonly traceId: string | undefined;

  constructor(code: string, err: string, status: number, traceId?: string) {
    super(err);
    this.name = 'ApiRequestError';
    this.code = code;
    this.err = err;
    this.status = status;
    this.traceId = traceId;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export function isApiRequestError(error: unknown): error is ApiRequestError {
  return error instanceof ApiRequestError;
}

/** One human sentence for anything a call can throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiRequestError) return error.err || `Request failed (${error.code})`;
  if (error instanceof Error) return error.message;
  return 'Unexpected error';
}

export function getToken(): string | null {
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  const expiresAt = localStorage.getItem(TOKEN_EXPIRES_KEY);
  if (expiresAt && Number.isFinite(Date.parse(expiresAt)) && Date.parse(expiresAt) <= Date.now()) {
    clearToken();
    return null;
  }
  return token;
}

export function setToken(token: string, expiresAt?: string | null): void {
  localStorage.setItem(TOKEN_KEY, token);
  if (expiresAt) localStorage.setItem(TOKEN_EXPIRES_KEY, expiresAt);
  else localStorage.removeItem(TOKEN_EXPIRES_KEY);
}

export function clearToken(): void {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_EXPIRES_KEY);
}

type UnauthorizedHandler = (message: string) => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/**
 * Registers what happens when the API answers 401 to an authenticated call (the token is
 * already cleared by then). The auth provider sends the user to /login with the message.
 */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Login itself: a 401 there means bad credentials, not an expired session. */
  anonymous?: boolean;
}

/** A page of a list endpoint, envelope fields renamed to camelCase for the UI. */
export interface Page<T> {
  items: T[];
  total: number;
  current: number;
  pageSize: number;
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      params.append(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

type Envelope = ApiOk<unknown> | ApiList<unknown> | ApiError;

function isEnvelope(value: unknown): value is Envelope {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'string';
}

function isErrorEnvelope(value: Envelope): value is ApiError {
  return value.code !== '0';
}

async function send(method: string, path: string, options: RequestOptions): Promise<Envelope> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = options.anonymous ? null : getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), { method, headers, body, signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiRequestError(NETWORK_ERROR_CODE, 'Cannot reach the Taskyard API. Check your connection and try again.', 0);
  }

  let parsed: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }

  if (!isEnvelope(parsed)) {
    throw new ApiRequestError(
      `E${response.status}`,
      response.ok ? 'The API returned an unexpected response.' : `The API answered ${response.status} ${response.statusText}`.trim(),
      response.status,
    );
  }

  if (isErrorEnvelope(parsed) || !response.ok) {
    const code = parsed.code === '0' ? `E${response.status}` : parsed.code;
    const err = 'err' in parsed && typeof parsed.err === 'string' ? parsed.err : `Request failed (${code})`;
    const apiError = new ApiRequestError(code, err, response.status, parsed.trace_id);
    if (response.status === 401 && !options.anonymous) {
      clearToken();
      unauthorizedHandler?.(token ? 'Your session has expired. Please sign in again.' : 'Please sign in to continue.');
    }
    throw apiError;
  }
  return parsed;
}

/** Calls an endpoint answering `{code:"0", data}` and returns `data`. */
export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const envelope = await send(method, path, options);
  return (envelope as ApiOk<T>).data;
}

/** Calls a list endpoint answering `{code:"0", data:[...], total, current, page_size}`. */
export async function apiList<T>(path: string, query?: Query, signal?: AbortSignal): Promise<Page<T>> {
  const envelope = (await send('GET', path, { query, signal })) as ApiList<T>;
  const items = Array.isArray(envelope.data) ? envelope.data : [];
  return {
    items,
    total: typeof envelope.total === 'number' ? envelope.total : items.length,
    current: typeof envelope.current === 'number' ? envelope.current : 1,
    pageSize: typeof envelope.page_size === 'number' ? envelope.page_size : items.length,
  };
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => apiRequest<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, { body: body ?? {} }),
  put: <T>(path: string, body: unknown) => apiRequest<T>('PUT', path, { body }),
  delete: <T>(path: string) => apiRequest<T>('DELETE', path),
};
