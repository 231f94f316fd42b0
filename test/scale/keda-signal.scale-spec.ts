import { arr, isObject, obj, parseYamlStream, readRepoFile, str } from '../deploy/support/repo';
import { startPlatform, type Platform } from '../support/platform';
import { startProcess, type RunningProcess } from '../support/processes';
import { createTestEnv, waitFor, type TestEnv } from '../support/test-env';

/** One scraped sample: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of a Prometheus text exposition, with the target labels Prometheus would add. */
function parseExposition(text: string, target: Record<string, string>): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = { ...target };
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/**
 * Evaluates the subset of PromQL the ScaledObject's triggers use, on one instant of scraped
 * samples: a selector `name{label="value",...}` and the aggregations `sum`, `max`, `min`, `avg`
 * with an optional `by (labels)`. Throws on anything else, so a trigger changed to an expression
 * this cannot evaluate fails the test instead of passing unread.
 */
function evaluate(expr: string, samples: Sample[]): Sample[] {
  const e = expr.trim();
  const agg = /^(sum|max|min|avg)\s*(?:by\s*\(([^)]*)\)\s*)?\((.*)\)$/s.exec(e);
  if (agg) {
    const by = (agg[2] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const groups = new Map<string, Sample[]>();
    for (const s of evaluate(agg[3], samples)) {
      const key = JSON.stringify(by.map((l) => s.labels[l] ?? ''));
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    return [...groups.values()].map((group) => {
      const values = group.map((s) => s.value);
      const value = agg[1] === 'sum' ? values.reduce((a, b) => a + b, 0) : agg[1] === 'max' ? Math.max(...values) : agg[1] === 'min' ? Math.min(...values) : values.reduce((a, b) => a + b, 0) / values.length;
      return { name: '', labels: Object.fromEntries(by.map((l) => [l, group[0].labels[l] ?? ''])), value };
    });
  }
  const sel = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?$/.exec(e);
  if (!sel) throw new Error(`not in the evaluated PromQL subset: ${e}`);
  const matchers = [...(sel[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"/g)].map((m) => [m[1], m[2]]);
  return samples.filter((s) => s.name === sel[1] && matchers.every(([k, v]) => s.labels[k] === v));
}

interface Trigger {
  name: string;
  query: string;
  threshold: number;
}

/** The worker ScaledObject of the base manifests: bounds and Prometheus triggers. */
function scaledObject(): { min: number; max: number; triggers: Trigger[] } {
  const doc = parseYamlStream(readRepoFile('k8s', 'base', 'worker.yaml')).find((d) => isObject(d) && d.kind === 'ScaledObject');
  const spec = obj(obj(doc, 'ScaledObject').spec, 'spec');
  const triggers = arr(spec.triggers, 'triggers').map((t) => {
    const trigger = obj(t, 'trigger');
    const metadata = obj(trigger.metadata, 'metadata');
    expect([trigger.type, trigger.metricType]).toEqual(['prometheus', 'AverageValue']);
    return { name: str(trigger.name, 'name'), query: str(metadata.query, 'query'), threshold: Number(str(metadata.threshold, 'threshold')) };
  });
  return { min: Number(spec.minReplicaCount), max: Number(spec.maxReplicaCount), triggers };
}

/**
 * KEDA's answer for AverageValue triggers: per trigger ceil(value / threshold) replicas, the
 * largest of them, within the ScaledObject's bounds (what the HPA it drives computes).
 */
function desiredReplicas(so: ReturnType<typeof scaledObject>, samples: Sample[]): { replicas: number; values: Record<string, number> } {
  const values: Record<string, number> = {};
  let replicas = so.min;
  for (const t of so.triggers) {
    const result = evaluate(t.query, samples);
    // ignoreNullValues: "false": an empty result is an error (KEDA then uses the fallback).
    if (result.length !== 1) throw new Error(`${t.name}: ${result.length} series`);
    values[t.name] = result[0].value;
    replicas = Math.max(replicas, Math.ceil(result[0].value / t.threshold));
  }
  return { replicas: Math.min(so.max, replicas), values };
}

/**
 * The KEDA ScaledObject's triggers evaluated against a running scheduler's real /metrics: a
 * backlog that rises while no worker runs asks for more workers, and once workers drain it the
 * answer goes back to the minimum.
 */
describe('autoscaling signal: the ScaledObject query on real metrics', () => {
  const so = scaledObject();
  let testEnv: TestEnv;
  let platform: Platform;
  let scheduler: RunningProcess;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    testEnv = await createTestEnv('keda');
    platform = await startPlatform(testEnv.env);
    scheduler = await startProcess('scheduler', 'test/support/test-scheduler.main.ts', testEnv.env, 60_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([scheduler, ...workers].filter(Boolean).map((p) => p.kill('SIGTERM')));
    await platform?.close();
    await testEnv?.cleanup();
  });

  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${scheduler.port}/metrics`)).text();
    // The labels the Prometheus scrape of the scheduler Service adds (k8s/ ServiceMonitor).
    return desiredReplicas(so, parseExposition(text, { job: 'taskyard-scheduler', namespace: 'taskyard' }));
  };

  it('asks for more workers as the backlog rises, and for the minimum once it drained', async () => {
    const idle = await waitFor(async () => scrape().catch(() => null), 30_000, 'queue metrics');
    expect(idle.replicas).toBe(so.min);
    const seen: number[] = [];
    let backlog = 0;
    for (const size of [40, 160]) {
      await platform.tasks.createTasks({}, Array.from({ length: size }, (_, i) => ({ type: 't_echo', payload: { value: i } })));
      backlog += size;
      const want = Math.ceil(backlog / so.triggers.find((t) => t.name === 'queue-backlog')!.threshold);
      const up = await waitFor(async () => {
        const d = await scrape();
        return d.replicas >= want ? d : null;
      }, 30_000, `desired replicas >= ${want}`);
      seen.push(up.replicas);
      console.log(`backlog ${up.values['queue-backlog']}, oldest ${up.values['queue-oldest-age'].toFixed(1)} s -> ${up.replicas} replicas`);
    }
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[0]).toBeGreaterThan(so.min);
    workers.push(await startProcess('worker-1', 'test/support/test-worker.main.ts', testEnv.env, 60_000), await startProcess('worker-2', 'test/support/test-worker.main.ts', testEnv.env, 60_000));
    const down = await waitFor(async () => {
      const d = await scrape();
      return d.replicas === so.min && d.values['queue-backlog'] === 0 ? d : null;
    }, 60_000, 'desired replicas back to the minimum');
    console.log(`drained: backlog ${down.values['queue-backlog']}, oldest ${down.values['queue-oldest-age']} s -> ${down.replicas} replicas`);
  });
});
