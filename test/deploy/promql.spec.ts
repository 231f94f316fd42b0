import { MetricNames } from '../../libs/contracts/src/names';
import { DASHBOARD_FILE, arr, isObject, obj, parseYaml, readRepoFile, str, text } from './support/repo';
import { APP_METRICS, LABEL_VALUES, PROMETHEUS_METRICS, TARGET_LABELS, defaultNodeMetrics, seriesIndex, seriesNames, type MetricDefinition } from './support/metrics';
import { groupingLabelsIn, labelMatchersIn, metricNamesIn } from './support/promql';

interface Query {
  /** Where the expression comes from, for failure messages. */
  source: string;
  expr: string;
}

function dashboardQueries(): Query[] {
  const dashboard = obj(JSON.parse(readRepoFile(DASHBOARD_FILE)), 'dashboard');
  const queries: Query[] = [];
  const visit = (panels: unknown): void => {
    for (const panel of arr(panels ?? [], 'panels').map((p) => obj(p, 'panel'))) {
      for (const target of arr(panel.targets ?? [], 'targets').map((t) => obj(t, 'target'))) {
        queries.push({ source: `dashboard panel "${text(panel.title)}" ${text(target.refId)}`, expr: str(target.expr, 'target expr') });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  const variables = arr(obj(dashboard.templating, 'templating').list, 'variables').map((v) => obj(v, 'variable'));
  for (const variable of variables.filter((v) => v.type === 'query')) {
    const query = isObject(variable.query) ? variable.query.query : variable.query;
    // label_values(metric, label) is Grafana syntax, not PromQL: check the metric it names.
    const labelValues = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(str(query, 'variable query'));
    if (labelValues === null) throw new Error(`variable ${text(variable.name)}: unsupported query ${text(query)}`);
    queries.push({ source: `dashboard variable ${text(variable.name)}`, expr: `${labelValues[1]}{${labelValues[2]}!=""}` });
  }
  return queries;
}

function ruleQueries(file: string, groups: unknown): Query[] {
  return arr(groups, `${file} groups`).flatMap((g) =>
    arr(obj(g, 'group').rules, 'rules').map((r) => {
      const rule = obj(r, 'rule');
      return { source: `${file} ${text(rule.alert ?? rule.record)}`, expr: str(rule.expr, 'rule expr') };
    }),
  );
}

function kedaQueries(file: string): Query[] {
  const text = readRepoFile(file);
  const queries: Query[] = [];
  for (const match of text.matchAll(/^\s*(?:query|value):\s*(.+)$/gm)) {
    const expr = (match[1] ?? '').trim();
    if (/task_|taskyard_|up\b/.test(expr)) queries.push({ source: file, expr });
  }
  return queries;
}

function allQueries(): Query[] {
  const alerts = obj(parseYaml(readRepoFile('deploy/prometheus/alerts.yml')), 'alerts');
  return [
    ...dashboardQueries(),
    ...ruleQueries('deploy/prometheus/alerts.yml', alerts.groups),
    ...kedaQueries('k8s/base/worker.yaml'),
    ...kedaQueries('k8s/overlays/production/kustomization.yaml'),
  ];
}

describe('PromQL reader', () => {
  it('lists metric names and skips functions, keywords, label lists, ranges, strings and Grafana variables', () => {
    const sut = metricNamesIn;
    expect(sut('histogram_quantile(0.95, sum by (le, type) (rate(task_run_duration_seconds_bucket{type=~"$type"}[$__rate_interval])))')).toEqual([
      'task_run_duration_seconds_bucket',
    ]);
    expect(sut('sum(rate(a_total[5m] offset 1h)) by (job) / on (instance) group_left (version) b_info')).toEqual(['a_total', 'b_info']);
    expect(sut('count by (namespace) (up{job="api"}) unless on (namespace) (x == 1) or absent(y == 1)')).toEqual(['up', 'x', 'y']);
    expect(sut('label_replace(m, "dst", "$1", "src", "(.*)") > bool 1e3 # trailing comment rate_total')).toEqual(['m']);
    expect(sut('max_over_time(g[1h:5m]) - inf')).toEqual(['g']);
  });

  it('refuses __name__ selectors, which would hide the metric name from the check', () => {
    expect(() => metricNamesIn('{__name__=~"task_.*"}')).toThrow(/__name__/);
  });

  it('lists grouping labels and label matchers with their metric', () => {
    expect(groupingLabelsIn('sum by (namespace, type) (x) / ignoring(le) y')).toEqual(['namespace', 'type', 'le']);
    expect(labelMatchersIn('rate(task_completed_total{status="failed", type=~"$type"}[5m]) + {job!="x"}')).toEqual([
      { metric: 'task_completed_total', label: 'status', op: '=', value: 'failed' },
      { metric: 'task_completed_total', label: 'type', op: '=~', value: '$type' },
      { metric: undefined, label: 'job', op: '!=', value: 'x' },
    ]);
  });
});

describe('metric vocabulary', () => {
  it('matches the metric name constants the processes export from @taskyard/contracts', () => {
    expect(Object.values(MetricNames).sort()).toEqual(APP_METRICS.map((m) => m.name).sort());
  });
});

describe('PromQL in the dashboard, alert rules and KEDA triggers', () => {
  let metrics: MetricDefinition[];
  let index: ReturnType<typeof seriesIndex>;
  const queries = allQueries();

  beforeAll(async () => {
    metrics = [...APP_METRICS, ...PROMETHEUS_METRICS, ...(await defaultNodeMetrics())];
    index = seriesIndex(metrics);
  });

  it('finds queries in every source', () => {
    const sources = new Set(queries.map((q) => q.source.split(' ')[0]));
    expect([...sources].sort()).toEqual(['dashboard', 'deploy/prometheus/alerts.yml', 'k8s/base/worker.yaml', 'k8s/overlays/production/kustomization.yaml']);
  });

  it('knows prom-client default metrics such as process_cpu_seconds_total and nodejs_eventloop_lag_seconds', () => {
    const names = metrics.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']));
  });

  it.each(queries)('$source uses only exported series', ({ expr }) => {
    const names = metricNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    const unknown = names.filter((n) => !index.has(n));
    expect(unknown).toEqual([]);
  });

  it.each(queries)('$source uses only labels those series carry, with valid values', ({ expr }) => {
    const names = metricNamesIn(expr);
    const carried = new Set(names.flatMap((n) => [...(index.get(n)?.labels ?? [])]));
    for (const label of groupingLabelsIn(expr)) expect({ label, known: carried.has(label) }).toEqual({ label, known: true });
    for (const matcher of labelMatchersIn(expr)) {
      const labels = matcher.metric === undefined ? carried : index.get(matcher.metric)?.labels;
      // Default Node metrics carry labels of their own (e.g. space, kind); only ours are closed.
      const isAppSeries = matcher.metric !== undefined && APP_METRICS.some((m) => seriesNames(m).includes(matcher.metric as string));
      if (isAppSeries || TARGET_LABELS.includes(matcher.label)) {
        expect({ matcher, known: labels?.has(matcher.label) ?? false }).toEqual({ matcher, known: true });
      }
      const allowed = LABEL_VALUES[matcher.label];
      if (allowed !== undefined && (matcher.op === '=' || matcher.op === '!=')) expect(allowed).toContain(matcher.value);
    }
  });

  it('computes quantiles from histogram buckets, keeping le', () => {
    for (const { source, expr } of queries.filter((q) => q.expr.includes('histogram_quantile'))) {
      expect({ source, buckets: /_bucket\b/.test(expr), le: groupingLabelsIn(expr).includes('le') }).toEqual({ source, buckets: true, le: true });
    }
  });

  it('the dashboard shows every Taskyard metric', () => {
    const used = new Set(dashboardQueries().flatMap((q) => metricNamesIn(q.expr)));
    const missing = APP_METRICS.filter((m) => !seriesNames(m).some((s) => used.has(s))).map((m) => m.name);
    expect(missing).toEqual([]);
  });
});

describe('job labels', () => {
  it('every job matcher names a job that the Compose Prometheus scrapes', () => {
    const config = obj(parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')), 'prometheus.yml');
    const jobs = arr(config.scrape_configs, 'scrape_configs').map((s) => str(obj(s, 'scrape config').job_name, 'job_name'));
    for (const { source, expr } of allQueries()) {
      for (const matcher of labelMatchersIn(expr).filter((m) => m.label === 'job')) {
        const pattern = matcher.op === '=~' ? new RegExp(`^(?:${matcher.value})$`) : undefined;
        const ok = pattern ? jobs.some((j) => pattern.test(j)) : jobs.includes(matcher.value);
        expect({ source, job: matcher.value, scraped: ok }).toEqual({ source, job: matcher.value, scraped: true });
      }
    }
  });
});

