import { Registry, collectDefaultMetrics } from 'prom-client';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  /** Label names the exporting process sets (target labels come on top). */
  labels: readonly string[];
}

/** Taskyard's own metrics (spec §8): the vocabulary dashboards and alerts may use. */
export const APP_METRICS: readonly MetricDefinition[] = [
  { name: 'task_created_total', type: 'counter', labels: ['category', 'type'] },
  { name: 'task_started_total', type: 'counter', labels: ['category', 'type'] },
  { name: 'task_completed_total', type: 'counter', labels: ['category', 'type', 'status'] },
  { name: 'task_queue_overflow_total', type: 'counter', labels: ['category'] },
  { name: 'task_queue_length', type: 'gauge', labels: ['queue'] },
  { name: 'task_running_gauge', type: 'gauge', labels: ['type'] },
  { name: 'task_run_duration_seconds', type: 'histogram', labels: ['type'] },
  { name: 'task_wait_duration_seconds', type: 'histogram', labels: ['type'] },
  { name: 'task_queue_oldest_age_seconds', type: 'gauge', labels: ['queue'] },
  { name: 'task_recovered_total', type: 'counter', labels: ['reason'] },
  { name: 'task_job_dropped_total', type: 'counter', labels: ['reason'] },
  { name: 'task_log_lines_dropped_total', type: 'counter', labels: [] },
  { name: 'taskyard_scheduler_leader', type: 'gauge', labels: [] },
  { name: 'task_paused', type: 'gauge', labels: ['scope', 'name'] },
  { name: 'task_rate_limited_total', type: 'counter', labels: ['type'] },
  { name: 'task_timed_out_total', type: 'counter', labels: ['type'] },
];

/** Closed label value sets: a typo in a matcher on these silently matches nothing. */
export const LABEL_VALUES: Readonly<Record<string, readonly string[]>> = {
  status: ['success', 'failed', 'cancelled'],
  // drain: tasks a worker hands back when its shutdown deadline passes (emitted by the worker
  // in addition to the four reasons of spec §8).
  // platform: a run handed back because a platform write (its artifact) could not reach
  // PostgreSQL. moved_on, not_found: task_job_dropped_total's reasons.
  reason: ['stalled', 'reaper', 'reenqueued', 'poison', 'drain', 'platform', 'moved_on', 'not_found'],
};

/** Labels Prometheus attaches to every scraped series (Compose and Kubernetes discovery). */
export const TARGET_LABELS: readonly string[] = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];

/**
 * prom-client's default Node metrics, read from the installed prom-client itself so the list
 * follows the version the processes run.
 */
export async function defaultNodeMetrics(): Promise<MetricDefinition[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  registry.clear();
  return metrics.map((m) => ({
    name: m.name,
    type: m.type as unknown as MetricType,
    labels: [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))],
  }));
}

/** `up` is produced by Prometheus for every target. */
export const PROMETHEUS_METRICS: readonly MetricDefinition[] = [{ name: 'up', type: 'gauge', labels: [] }];

/**
 * Series names that exist for a metric: a histogram is only queryable through its _bucket,
 * _sum and _count series (the bare name matches nothing).
 */
export function seriesNames(metric: MetricDefinition): string[] {
  if (metric.type !== 'histogram') return [metric.name];
  return ['_bucket', '_sum', '_count'].map((suffix) => metric.name + suffix);
}

/** Maps every queryable series name to its metric and the labels it carries. */
export function seriesIndex(metrics: readonly MetricDefinition[]): Map<string, { metric: MetricDefinition; labels: Set<string> }> {
  const index = new Map<string, { metric: MetricDefinition; labels: Set<string> }>();
  for (const metric of metrics) {
    for (const series of seriesNames(metric)) {
      const labels = new Set([...metric.labels, ...TARGET_LABELS]);
      if (series.endsWith('_bucket')) labels.add('le');
      index.set(series, { metric, labels });
    }
  }
  return index;
}
