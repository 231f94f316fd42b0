import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** Absolute path of the repository root. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}

export function readRepoFile(...segments: string[]): string {
  return readFileSync(repoPath(...segments), 'utf8');
}

/**
 * Parses one YAML document. `merge: true` resolves `<<:` merge keys the way Docker Compose
 * does (YAML 1.1 semantics); `uniqueKeys` keeps duplicate keys an error.
 */
export function parseYaml(text: string): unknown {
  return parse(text, { merge: true, uniqueKeys: true, prettyErrors: true });
}

/** Parses a multi-document YAML stream (kustomize output), failing on any document error. */
export function parseYamlStream(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true, uniqueKeys: true }).map((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(`invalid YAML document: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    return doc.toJS() as unknown;
  });
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows to an object or throws with the path that was expected to hold one. */
export function obj(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

export function arr(value: unknown, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array, got ${JSON.stringify(value)}`);
  return value as Json[];
}

export function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The Grafana dashboard: the one file kustomize ships as a ConfigMap and Compose mounts
 * (kustomize cannot read files outside k8s/, so it lives there).
 */
export const DASHBOARD_FILE = 'k8s/base/grafana/taskyard.json';

/**
 * What `npm run build` produces (fixed by the build contract): the entry points the
 * deployment artefacts may start, and the console bundle the api serves.
 */
export const BUILD_OUTPUTS = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  scheduler: 'dist/apps/scheduler/src/main.js',
  migrate: 'dist/libs/persistence/src/cli/migrate.js',
  console: 'apps/console/dist',
} as const;

/** Default ports and drain deadline of the processes (spec §2 configuration defaults). */
export const APP_DEFAULTS = {
  API_PORT: 3000,
  WORKER_METRICS_PORT: 9101,
  SCHEDULER_METRICS_PORT: 9102,
  SHUTDOWN_TIMEOUT_MS: 30000,
} as const;

/** Prometheus job names that the dashboard, alerts and KEDA triggers select on. */
export const SCRAPE_JOBS = {
  api: 'taskyard-api',
  worker: 'taskyard-worker',
  scheduler: 'taskyard-scheduler',
} as const;

/** Renders any parsed value for a failure message or a name (strings as they are). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined';
}
