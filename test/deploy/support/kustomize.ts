import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseYaml, parseYamlStream, readRepoFile, repoPath, REPO_ROOT, isObject, text, type JsonObject } from './repo';

/** Directories under k8s/ holding a kustomization.yaml, with its kind (Kustomization or Component). */
export function kustomizations(): { dir: string; kind: string }[] {
  const found: { dir: string; kind: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === 'kustomization.yaml' || entry === 'kustomization.yml') {
        const rel = relative(REPO_ROOT, dir);
        const doc = parseYaml(readRepoFile(rel, entry));
        found.push({ dir: rel, kind: isObject(doc) && typeof doc.kind === 'string' ? doc.kind : 'Kustomization' });
      }
    }
  };
  walk(repoPath('k8s'));
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Renders a kustomization with `kubectl kustomize` (the kustomize built into kubectl). */
export function render(dir: string): JsonObject[] {
  const result = spawnSync('kubectl', ['kustomize', repoPath(dir)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'kubectl was not found on PATH. The deployment tests render k8s/ with `kubectl kustomize`; install kubectl (v1.27 or newer) and run them again.'
        : `could not run kubectl: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed (exit ${String(result.status)}):\n${result.stderr}`);
  }
  return parseYamlStream(result.stdout).map((doc, i) => {
    if (!isObject(doc)) throw new Error(`${dir}: rendered document ${i} is not an object`);
    return doc;
  });
}

export type ModelResult = { status: 'valid' } | { status: 'invalid'; error: string } | { status: 'no-model' };

/** Validates objects with kubernetes-models in a child Node process (the models are ESM-only). */
export function validateWithModels(objects: readonly unknown[]): ModelResult[] {
  const script = join(__dirname, 'validate-k8s-models.mjs');
  const result = spawnSync(process.execPath, [script], {
    cwd: REPO_ROOT,
    input: JSON.stringify(objects),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`model validation process failed (exit ${String(result.status)}):\n${result.stderr}`);
  }
  const parsed = JSON.parse(result.stdout) as ModelResult[];
  if (parsed.length !== objects.length) throw new Error('model validation returned a result count that does not match its input');
  return parsed;
}

export function describeObject(o: JsonObject): string {
  const metadata = isObject(o.metadata) ? o.metadata : {};
  return `${text(o.apiVersion)} ${text(o.kind)} ${text(metadata.name)}`;
}
