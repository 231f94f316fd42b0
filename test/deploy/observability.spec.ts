import { readdirSync } from 'node:fs';
import { DASHBOARD_FILE, arr, isObject, obj, parseYaml, readRepoFile, repoPath, str, text, type JsonObject } from './support/repo';
import { metricNamesIn } from './support/promql';

function dashboard(): JsonObject {
  return obj(JSON.parse(readRepoFile(DASHBOARD_FILE)), 'dashboard');
}

function panels(): JsonObject[] {
  return arr(dashboard().panels, 'panels').map((p) => obj(p, 'panel'));
}

function rules(): JsonObject[] {
  const groups = arr(obj(parseYaml(readRepoFile('deploy/prometheus/alerts.yml')), 'alerts').groups, 'groups');
  return groups.flatMap((g) => arr(obj(g, 'group').rules, 'rules').map((r) => obj(r, 'rule')));
}

function rule(alert: string): JsonObject {
  const found = rules().find((r) => r.alert === alert);
  if (found === undefined) throw new Error(`alert ${alert} is missing`);
  return found;
}

describe('Grafana dashboard', () => {
  it('has a stable uid and title so links and provisioning keep pointing at it', () => {
    expect(dashboard()).toMatchObject({ uid: 'taskyard-overview', title: 'Taskyard', id: null });
  });

  it('selects its Prometheus through a datasource variable, so it imports into any Grafana', () => {
    const variables = arr(obj(dashboard().templating, 'templating').list, 'variables').map((v) => obj(v, 'variable'));
    expect(variables.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const panel of panels().filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: { type: 'prometheus', uid: '${datasource}' } });
      for (const target of arr(panel.targets, 'targets').map((t) => obj(t, 'target'))) {
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('lays panels out on the 24-column grid without overlaps, with unique ids and refIds', () => {
    const all = panels();
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const cells = new Set<string>();
    for (const panel of all) {
      const { x, y, w, h } = obj(panel.gridPos, `${text(panel.title)} gridPos`) as { x: number; y: number; w: number; h: number };
      expect({ panel: panel.title, fits: x >= 0 && w > 0 && x + w <= 24 && h > 0 }).toEqual({ panel: panel.title, fits: true });
      for (let col = x; col < x + w; col++) {
        for (let row = y; row < y + h; row++) {
          const cell = `${col},${row}`;
          expect({ panel: panel.title, overlaps: cells.has(cell) }).toEqual({ panel: panel.title, overlaps: false });
          cells.add(cell);
        }
      }
      const refIds = arr(panel.targets ?? [], 'targets').map((t) => obj(t, 'target').refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('explains every panel to the operator reading it', () => {
    for (const panel of panels().filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, described: typeof panel.description === 'string' && panel.description.length > 20 }).toEqual({ panel: panel.title, described: true });
    }
  });

  it('covers what an operator watches: throughput, failures, queues, latency quantiles, recoveries, leader, worker health', () => {
    const titles = panels().map((p) => text(p.title));
    expect(titles).toEqual(
      expect.arrayContaining([
        'Created by type', 'Started by type', 'Completed by type and status', 'Failure ratio by type',
        'Queue length', 'Oldest waiting task by queue', 'Running tasks by type',
        'Run duration', 'Wait duration', 'Recoveries by reason', 'Retries and overflow',
        'Scheduler leadership', 'Worker memory', 'Worker event loop lag p99',
      ]),
    );
    const latency = panels().filter((p) => p.title === 'Run duration' || p.title === 'Wait duration');
    for (const panel of latency) {
      const exprs = arr(panel.targets, 'targets').map((t) => str(obj(t, 'target').expr, 'expr'));
      expect(exprs.map((e) => /histogram_quantile\((0\.\d+)/.exec(e)?.[1])).toEqual(['0.50', '0.95', '0.99']);
    }
  });

  it('is the only dashboard file in the deployment artefacts (no copy to drift)', () => {
    const dashboards: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(repoPath(dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.json') && 'panels' in obj(JSON.parse(readRepoFile(path)), path)) dashboards.push(path);
      }
    };
    for (const dir of ['deploy', 'docker', 'k8s']) walk(dir);
    expect(dashboards).toEqual([DASHBOARD_FILE]);
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Compose Prometheus as the default datasource', () => {
    const config = obj(parseYaml(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')), 'datasources');
    expect(config.apiVersion).toBe(1);
    expect(arr(config.datasources, 'datasources')).toEqual([
      expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090', isDefault: true, access: 'proxy' }),
    ]);
  });

  it('loads dashboards from files, read-only', () => {
    const config = obj(parseYaml(readRepoFile('deploy/grafana/provisioning/dashboards/taskyard.yml')), 'dashboard providers');
    const [provider, ...others] = arr(config.providers, 'providers').map((p) => obj(p, 'provider'));
    expect(others).toEqual([]);
    expect(provider).toMatchObject({ type: 'file', allowUiUpdates: false, options: { path: expect.stringMatching(/^\//) as unknown } });
  });
});

describe('Prometheus alert rules', () => {
  it('name, explain and grade every alert', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(str(r.alert, 'alert')).toMatch(/^Taskyard[A-Z][A-Za-z]+$/);
      expect(['critical', 'warning']).toContain(obj(r.labels, `${text(r.alert)} labels`).severity);
      const annotations = obj(r.annotations, `${text(r.alert)} annotations`);
      expect(typeof annotations.summary).toBe('string');
      expect(typeof annotations.description).toBe('string');
      if (r.for !== undefined) expect(str(r.for, 'for')).toMatch(/^\d+[smh]$/);
    }
  });

  it.each([
    ['TaskyardQueueStuck', 'task_queue_oldest_age_seconds'],
    ['TaskyardTaskFailureSpike', 'task_completed_total'],
    ['TaskyardNoWorkers', 'up'],
    ['TaskyardWorkerMetricsAbsent', 'task_running_gauge'],
    ['TaskyardSchedulerNoLeader', 'taskyard_scheduler_leader'],
    ['TaskyardQueueOverflow', 'task_queue_overflow_total'],
    ['TaskyardTaskRecoverySpike', 'task_recovered_total'],
  ])('%s watches %s', (alert, metric) => {
    expect(metricNamesIn(str(rule(alert).expr, 'expr'))).toContain(metric);
  });

  it('page on conditions where no task runs: stuck queue, no worker, no scheduler leader', () => {
    for (const alert of ['TaskyardQueueStuck', 'TaskyardNoWorkers', 'TaskyardSchedulerNoLeader']) {
      expect(obj(rule(alert).labels, 'labels').severity).toBe('critical');
    }
    // Absence of every worker (or every leader) must fire too, not only a value below 1.
    expect(str(rule('TaskyardNoWorkers').expr, 'expr')).toContain('absent(up{job="taskyard-worker"} == 1)');
    expect(str(rule('TaskyardSchedulerNoLeader').expr, 'expr')).toContain('absent(taskyard_scheduler_leader == 1)');
  });

  it('are mirrored verbatim by the PrometheusRule of the prometheus-operator component', () => {
    const mirror = readRepoFile('k8s/components/prometheus-operator/prometheusrule.yaml');
    const spec = mirror.slice(mirror.indexOf('\nspec:\n') + '\nspec:\n'.length);
    const indented = readRepoFile('deploy/prometheus/alerts.yml').replace(/^(?=.)/gm, '  ');
    expect(spec).toBe(indented);
    const parsed = obj(parseYaml(mirror), 'PrometheusRule');
    expect(isObject(parsed.spec) && parsed.spec.groups).toEqual(obj(parseYaml(readRepoFile('deploy/prometheus/alerts.yml')), 'alerts').groups);
  });
});
