import { DASHBOARD_FILE, arr, isObject, obj, parseYaml, readRepoFile, str, text, APP_DEFAULTS, BUILD_OUTPUTS, SCRAPE_JOBS, type Json, type JsonObject } from './support/repo';
import { describeObject, kustomizations, render, validateWithModels } from './support/kustomize';

/** Process each container runs, and the config key naming the port its health routes are on. */
const PROCESSES = {
  api: { entry: BUILD_OUTPUTS.api, portKey: 'API_PORT' },
  worker: { entry: BUILD_OUTPUTS.worker, portKey: 'WORKER_METRICS_PORT' },
  scheduler: { entry: BUILD_OUTPUTS.scheduler, portKey: 'SCHEDULER_METRICS_PORT' },
} as const;
type ProcessName = keyof typeof PROCESSES;

function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function name(o: JsonObject): string {
  return str(at(o, 'metadata.name'), `${text(o.kind)} metadata.name`);
}

function label(o: JsonObject, key: string): string | undefined {
  const labels = at(o, 'metadata.labels');
  const value = isObject(labels) ? labels[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function ofKind(objects: JsonObject[], kind: string): JsonObject[] {
  return objects.filter((o) => o.kind === kind);
}

function only(objects: JsonObject[], kind: string, objectName: string): JsonObject {
  const found = objects.filter((o) => o.kind === kind && name(o) === objectName);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind} ${objectName}, found ${found.length}`);
  return obj(found[0], `${kind} ${objectName}`);
}

function podSpec(workload: JsonObject): JsonObject {
  return obj(at(workload, 'spec.template.spec'), `${describeObject(workload)} pod spec`);
}

function containers(workload: JsonObject): JsonObject[] {
  return arr(podSpec(workload).containers, `${describeObject(workload)} containers`).map((c, i) => obj(c, `container ${i}`));
}

function matches(selector: JsonObject, labels: JsonObject): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The generated app ConfigMap (its name carries a content hash). */
function appConfig(objects: JsonObject[]): JsonObject {
  const found = ofKind(objects, 'ConfigMap').filter((c) => name(c).startsWith('taskyard-config'));
  if (found.length !== 1) throw new Error(`expected one taskyard-config ConfigMap, found ${found.length}`);
  return obj(obj(found[0], 'taskyard-config').data, 'taskyard-config data');
}

/** Resolves a probe port (number or container port name) to a number. */
function portNumber(container: JsonObject, port: Json | undefined): number {
  if (typeof port === 'number') return port;
  const named = arr(container.ports, 'container ports')
    .map((p) => obj(p, 'container port'))
    .find((p) => p.name === port);
  if (named === undefined) throw new Error(`container ${text(container.name)} has no port named ${text(port)}`);
  return Number(named.containerPort);
}

function promTriggers(scaledObject: JsonObject): JsonObject[] {
  return arr(at(scaledObject, 'spec.triggers'), 'ScaledObject triggers')
    .map((t) => obj(t, 'trigger'))
    .filter((t) => t.type === 'prometheus');
}

const all = kustomizations();
const buildable = all.filter((k) => k.kind === 'Kustomization');

describe('k8s kustomizations', () => {
  it('include the base, the production overlay and the Prometheus Operator component', () => {
    expect(all).toEqual(
      expect.arrayContaining([
        { dir: 'k8s/base', kind: 'Kustomization' },
        { dir: 'k8s/overlays/production', kind: 'Kustomization' },
        { dir: 'k8s/components/prometheus-operator', kind: 'Component' },
      ]),
    );
  });

  it('production monitors through the Prometheus Operator: one ServiceMonitor, one PrometheusRule', () => {
    const production = render('k8s/overlays/production');
    expect(ofKind(production, 'ServiceMonitor').map(name)).toEqual(['taskyard']);
    expect(ofKind(production, 'PrometheusRule').map(name)).toEqual(['taskyard']);
  });

  it('model validation rejects an invalid object, so a pass means something', () => {
    const broken = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'http' }] }] } },
      },
    };
    const [result] = validateWithModels([broken]);
    expect(result).toMatchObject({ status: 'invalid', error: expect.stringContaining('containerPort') as unknown });
  });

  it('the Secret template is a valid Secret holding every secret setting', () => {
    const secret = obj(parseYaml(readRepoFile('k8s/base/secret.example.yaml')), 'secret template');
    expect(validateWithModels([secret])).toEqual([{ status: 'valid' }]);
    expect(name(secret)).toBe('taskyard-secrets');
    expect(Object.keys(obj(secret.stringData, 'stringData')).sort()).toEqual(['ADMIN_PASSWORD', 'DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']);
  });
});

describe.each(buildable)('kubectl kustomize $dir', ({ dir }) => {
  let objects: JsonObject[];
  let deployments: JsonObject[];
  let config: JsonObject;

  beforeAll(() => {
    objects = render(dir);
    deployments = ofKind(objects, 'Deployment');
    config = appConfig(objects);
  });

  it('renders objects that each validate against their model', () => {
    const results = validateWithModels(objects);
    const problems = objects.flatMap((o, i) => {
      const result = results[i];
      if (result?.status === 'valid') return [];
      if (result?.status === 'no-model' && text(o.apiVersion).startsWith('monitoring.coreos.com/')) return [];
      return [`${describeObject(o)}: ${result?.status === 'invalid' ? result.error : 'no model for this apiVersion/kind'}`];
    });
    expect(problems).toEqual([]);
    expect(objects.length).toBeGreaterThan(10);
  });

  it('renders Prometheus Operator objects (no model package) with a sound structure', () => {
    for (const monitor of ofKind(objects, 'ServiceMonitor')) {
      expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
      const selector = obj(at(monitor, 'spec.selector.matchLabels'), 'ServiceMonitor selector');
      const endpoints = arr(at(monitor, 'spec.endpoints'), 'ServiceMonitor endpoints').map((e) => obj(e, 'endpoint'));
      const selected = ofKind(objects, 'Service').filter((s) => matches(selector, obj(at(s, 'metadata.labels'), 'Service labels')));
      expect(selected.map(name).sort()).toEqual(Object.values(SCRAPE_JOBS).sort());
      // Every selected Service exposes one of the endpoint ports, and every endpoint port exists somewhere.
      const portNames = (s: JsonObject): Json[] => arr(at(s, 'spec.ports'), 'Service ports').map((p) => obj(p, 'port').name ?? null);
      for (const service of selected) {
        expect(endpoints.some((e) => portNames(service).includes(e.port ?? null))).toBe(true);
      }
      for (const endpoint of endpoints) {
        expect(endpoint.path).toBe('/metrics');
        expect(selected.some((s) => portNames(s).includes(endpoint.port ?? null))).toBe(true);
      }
    }
    for (const rule of ofKind(objects, 'PrometheusRule')) {
      expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
      const groups = arr(at(rule, 'spec.groups'), 'PrometheusRule groups');
      expect(groups.length).toBeGreaterThan(0);
      for (const group of groups) {
        for (const r of arr(obj(group, 'group').rules, 'rules')) {
          expect(typeof obj(r, 'rule').expr).toBe('string');
        }
      }
    }
  });

  it('configures the process ports and drain deadline', () => {
    for (const key of ['API_PORT', 'WORKER_METRICS_PORT', 'SCHEDULER_METRICS_PORT'] as const) {
      expect(Number(config[key])).toBe(APP_DEFAULTS[key]);
    }
    expect(Number(config.SHUTDOWN_TIMEOUT_MS)).toBeGreaterThanOrEqual(APP_DEFAULTS.SHUTDOWN_TIMEOUT_MS);
    expect(config.NODE_ENV).toBe('production');
  });

  it('runs api, worker and scheduler Deployments from the built entry points, probing their health routes on the process port', () => {
    expect(deployments.map(name).sort()).toEqual(['taskyard-api', 'taskyard-scheduler', 'taskyard-worker']);
    for (const deployment of deployments) {
      const [c, ...others] = containers(deployment);
      expect(others).toEqual([]);
      const process = str(c.name, 'container name') as ProcessName;
      expect(Object.keys(PROCESSES)).toContain(process);
      const { entry, portKey } = PROCESSES[process];
      expect(c.command).toEqual(['node', entry]);
      const port = Number(config[portKey]);
      expect(arr(c.ports, 'ports').map((p) => Number(obj(p, 'port').containerPort))).toEqual([port]);
      for (const [probe, path] of [['startupProbe', '/health/live'], ['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']] as const) {
        const httpGet = obj(at(c, `${probe}.httpGet`), `${name(deployment)} ${probe}`);
        expect({ probe, path: httpGet.path, port: portNumber(c, httpGet.port) }).toEqual({ probe, path, port });
      }
    }
  });

  it('runs the migration Job on the migrate entry point, keeping failed pods for their logs', () => {
    const job = only(objects, 'Job', 'taskyard-migrate');
    expect(containers(job).map((c) => c.command)).toEqual([['node', BUILD_OUTPUTS.migrate]]);
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(at(job, 'spec.backoffLimit')).toEqual(expect.any(Number));
  });

  it('lets the migration be applied first: everything the Job needs lies outside the api/worker/scheduler components', () => {
    // k8s/README.md step 1: kubectl apply -k ... -l 'app.kubernetes.io/component notin (api,worker,scheduler)'
    const firstPhase = objects.filter((o) => !['api', 'worker', 'scheduler'].includes(label(o, 'app.kubernetes.io/component') ?? ''));
    const job = only(firstPhase, 'Job', 'taskyard-migrate');
    only(firstPhase, 'ServiceAccount', str(podSpec(job).serviceAccountName, 'Job serviceAccountName'));
    for (const c of containers(job)) {
      only(firstPhase, 'ConfigMap', str(at(arr(c.envFrom, 'envFrom')[0], 'configMapRef.name'), 'configMapRef'));
    }
    expect(ofKind(firstPhase, 'Deployment')).toEqual([]);
  });

  it('gives every container requests and limits and runs it as a non-root user without privileges', () => {
    for (const workload of [...deployments, ...ofKind(objects, 'Job')]) {
      const pod = podSpec(workload);
      expect({ workload: name(workload), runAsNonRoot: at(pod, 'securityContext.runAsNonRoot') }).toEqual({ workload: name(workload), runAsNonRoot: true });
      expect(Number(at(pod, 'securityContext.runAsUser'))).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of containers(workload)) {
        for (const field of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']) {
          expect({ container: c.name, field, set: at(c.resources, field) !== undefined }).toEqual({ container: c.name, field, set: true });
        }
        expect(at(c, 'securityContext.allowPrivilegeEscalation')).toBe(false);
        expect(at(c, 'securityContext.capabilities.drop')).toEqual(['ALL']);
        expect(arr(c.envFrom, 'envFrom').map((e) => obj(e, 'envFrom entry'))).toEqual([
          { configMapRef: { name: expect.stringMatching(/^taskyard-config/) as unknown } },
          { secretRef: { name: 'taskyard-secrets' } },
        ]);
      }
    }
  });

  it('references only a ConfigMap it renders, so config changes roll the pods', () => {
    const configNames = ofKind(objects, 'ConfigMap').map(name);
    for (const workload of [...deployments, ...ofKind(objects, 'Job')]) {
      for (const c of containers(workload)) {
        const ref = str(at(arr(c.envFrom, 'envFrom')[0], 'configMapRef.name'), 'configMapRef');
        expect(configNames).toContain(ref);
      }
    }
  });

  it('lets workers drain longer than SHUTDOWN_TIMEOUT_MS before SIGKILL', () => {
    const drainSeconds = Number(config.SHUTDOWN_TIMEOUT_MS) / 1000;
    const grace = Number(podSpec(only(objects, 'Deployment', 'taskyard-worker')).terminationGracePeriodSeconds);
    // Room after the drain deadline to close connections and record the last outcomes.
    expect(grace).toBeGreaterThanOrEqual(drainSeconds + 10);
  });

  it('keeps api pods serving through a preStop sleep shorter than their grace period', () => {
    const api = only(objects, 'Deployment', 'taskyard-api');
    const [container] = containers(api);
    const command = arr(at(container, 'lifecycle.preStop.exec.command'), 'api preStop command');
    expect(command[0]).toBe('sleep');
    const sleep = Number(command[1]);
    expect(sleep).toBeGreaterThan(0);
    expect(Number(podSpec(api).terminationGracePeriodSeconds)).toBeGreaterThan(sleep + 15);
  });

  it('runs two scheduler replicas and leaves api and worker replicas to their autoscalers', () => {
    expect(at(only(objects, 'Deployment', 'taskyard-scheduler'), 'spec.replicas')).toBe(2);
    expect(at(only(objects, 'Deployment', 'taskyard-api'), 'spec.replicas')).toBeUndefined();
    expect(at(only(objects, 'Deployment', 'taskyard-worker'), 'spec.replicas')).toBeUndefined();
  });

  it('has Services that select exactly one Deployment and target a named container port', () => {
    for (const service of ofKind(objects, 'Service')) {
      const selector = obj(at(service, 'spec.selector'), `${name(service)} selector`);
      const selected = deployments.filter((d) => matches(selector, obj(at(d, 'spec.template.metadata.labels'), 'pod labels')));
      expect({ service: name(service), selected: selected.map(name) }).toEqual({ service: name(service), selected: [name(service)] });
      const portNames = containers(obj(selected[0], 'selected Deployment')).flatMap((c) => arr(c.ports, 'ports').map((p) => obj(p, 'port').name));
      for (const port of arr(at(service, 'spec.ports'), 'Service ports')) {
        expect(portNames).toContain(obj(port, 'Service port').targetPort);
      }
    }
  });

  it('protects every Deployment with a PodDisruptionBudget that never blocks a node drain', () => {
    for (const deployment of deployments) {
      const podLabels = obj(at(deployment, 'spec.template.metadata.labels'), 'pod labels');
      const budgets = ofKind(objects, 'PodDisruptionBudget').filter((p) => matches(obj(at(p, 'spec.selector.matchLabels'), 'PDB selector'), podLabels));
      expect({ deployment: name(deployment), budgets: budgets.length }).toEqual({ deployment: name(deployment), budgets: 1 });
      expect(at(budgets[0], 'spec.maxUnavailable')).toBe(1);
    }
  });

  it('autoscales the api on CPU with at least two replicas', () => {
    const hpa = only(objects, 'HorizontalPodAutoscaler', 'taskyard-api');
    expect(at(hpa, 'spec.scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'taskyard-api' });
    expect(Number(at(hpa, 'spec.minReplicas'))).toBeGreaterThanOrEqual(2);
    expect(Number(at(hpa, 'spec.maxReplicas'))).toBeGreaterThan(Number(at(hpa, 'spec.minReplicas')));
    expect(arr(at(hpa, 'spec.metrics'), 'HPA metrics')).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) as unknown } } },
    ]);
  });

  it('autoscales workers with KEDA on the queue metrics the scheduler exports, scoped to its namespace', () => {
    const scaledObject = only(objects, 'ScaledObject', 'taskyard-worker');
    expect(at(scaledObject, 'spec.scaleTargetRef.name')).toBe('taskyard-worker');
    expect(Number(at(scaledObject, 'spec.minReplicaCount'))).toBeGreaterThanOrEqual(1);
    expect(Number(at(scaledObject, 'spec.maxReplicaCount'))).toBeGreaterThan(Number(at(scaledObject, 'spec.minReplicaCount')));
    const triggers = promTriggers(scaledObject);
    const queries = triggers.map((t) => str(at(t, 'metadata.query'), 'trigger query'));
    expect(queries.join('\n')).toMatch(/task_queue_oldest_age_seconds|task_queue_length/);
    const namespace = at(scaledObject, 'metadata.namespace');
    for (const trigger of triggers) {
      const query = str(at(trigger, 'metadata.query'), 'trigger query');
      expect(query).toContain(`job="${SCRAPE_JOBS.scheduler}"`);
      if (typeof namespace === 'string') expect(query).toContain(`namespace="${namespace}"`);
      else expect(query).not.toContain('namespace=');
      expect(Number(at(trigger, 'metadata.threshold'))).toBeGreaterThan(0);
      expect(str(at(trigger, 'metadata.serverAddress'), 'serverAddress')).toMatch(/^https?:\/\//);
    }
  });

  it('is scraped exactly once: pod annotations on the process port, or a ServiceMonitor with annotations off', () => {
    const operator = ofKind(objects, 'ServiceMonitor').length > 0;
    for (const deployment of deployments) {
      const annotations = obj(at(deployment, 'spec.template.metadata.annotations'), 'pod annotations');
      const process = str(containers(deployment)[0]?.name, 'container name') as ProcessName;
      expect(annotations['prometheus.io/scrape']).toBe(operator ? 'false' : 'true');
      expect(annotations['prometheus.io/port']).toBe(text(config[PROCESSES[process].portKey]));
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    }
  });

  it('ships the Grafana dashboard byte for byte as a sidecar-discoverable ConfigMap', () => {
    const dashboard = only(objects, 'ConfigMap', 'taskyard-grafana-dashboard');
    expect(at(dashboard, 'metadata.labels.grafana_dashboard')).toBe('1');
    expect(at(dashboard, 'data')).toEqual({ 'taskyard.json': readRepoFile(DASHBOARD_FILE) });
  });
});
