import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DASHBOARD_FILE, arr, obj, parseYaml, readRepoFile, repoPath, str, text, APP_DEFAULTS, BUILD_OUTPUTS, REPO_ROOT, SCRAPE_JOBS, type JsonObject } from './support/repo';

const COMPOSE_DIR = repoPath('docker');
const APP_SERVICES = ['migrate', 'api', 'worker', 'scheduler'] as const;
const LONG_RUNNING = ['api', 'worker', 'scheduler'] as const;
/** Port each long-running process serves /metrics and /health on, by its env variable. */
const PORT_ENV = { api: 'API_PORT', worker: 'WORKER_METRICS_PORT', scheduler: 'SCHEDULER_METRICS_PORT' } as const;

const compose = obj(parseYaml(readRepoFile('docker/compose.yml')), 'compose.yml');
const services = obj(compose.services, 'services');

function service(name: string): JsonObject {
  return obj(services[name], `service ${name}`);
}

function env(name: string): JsonObject {
  return obj(service(name).environment, `${name} environment`);
}

/** Compose duration ("45s", "1m30s") in seconds. */
function seconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) throw new Error(`unparsable duration ${duration}`);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** Host side of a short-syntax volume, when it is a path rather than a named volume. */
function bindMounts(name: string): { host: string; target: string }[] {
  return arr(service(name).volumes ?? [], `${name} volumes`)
    .map((v) => str(v, `${name} volume`).split(':'))
    .filter(([source]) => source.startsWith('.') || source.startsWith('/'))
    .map(([source, target]) => ({ host: resolve(COMPOSE_DIR, source), target }));
}

function publishedContainerPorts(name: string): number[] {
  return arr(service(name).ports ?? [], `${name} ports`).map((p) => Number(str(p, 'port').split(':').pop()));
}

describe('docker/compose.yml', () => {
  it('runs the whole platform with its observability stack', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'grafana', 'migrate', 'postgres', 'prometheus', 'redis', 'scheduler', 'worker']);
  });

  it('runs PostgreSQL 15 and Redis 7 with health checks', () => {
    expect(str(service('postgres').image, 'postgres image')).toMatch(/^postgres:15(\b|[.-])/);
    expect(str(service('redis').image, 'redis image')).toMatch(/^redis:7(\b|[.-])/);
    for (const name of ['postgres', 'redis']) expect(obj(service(name).healthcheck, `${name} healthcheck`).test).toBeDefined();
  });

  it('runs Redis as BullMQ requires: noeviction, AOF fsync every second', () => {
    const command = arr(service('redis').command, 'redis command').map(String).join(' ');
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
  });

  it('builds every app service from the repository Dockerfile', () => {
    for (const name of APP_SERVICES) {
      const build = obj(service(name).build, `${name} build`);
      const context = resolve(COMPOSE_DIR, str(build.context, 'build context'));
      expect(context).toBe(REPO_ROOT);
      expect(existsSync(resolve(context, str(build.dockerfile, 'dockerfile')))).toBe(true);
    }
  });

  it('starts each app service on a file the build produces or the repository holds', () => {
    const produced = Object.values(BUILD_OUTPUTS) as string[];
    for (const name of APP_SERVICES) {
      const [binary, script, ...rest] = arr(service(name).command, `${name} command`).map(String);
      expect(binary).toBe('node');
      expect(rest).toEqual([]);
      expect({ name, script, known: produced.includes(script) || existsSync(repoPath(script)) }).toEqual({ name, script, known: true });
    }
    expect(service('migrate').command).toEqual(['node', BUILD_OUTPUTS.migrate]);
    for (const name of LONG_RUNNING) expect(service(name).command).toEqual(['node', BUILD_OUTPUTS[name]]);
  });

  it('starts app services only once PostgreSQL and Redis are healthy and migrations have completed', () => {
    for (const name of LONG_RUNNING) {
      expect(service(name).depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(service('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(service('migrate').restart).toBe('no');
  });

  it('mounts only host files that exist, and declares its named volumes', () => {
    const declared = Object.keys(obj(compose.volumes, 'volumes'));
    for (const name of Object.keys(services)) {
      for (const { host } of bindMounts(name)) expect({ name, host, exists: existsSync(host) }).toEqual({ name, host, exists: true });
      const named = arr(service(name).volumes ?? [], 'volumes').map((v) => str(v, 'volume').split(':')[0]).filter((s) => !s.startsWith('.') && !s.startsWith('/'));
      for (const volume of named) expect(declared).toContain(volume);
    }
  });

  it('uses the default ports of each process everywhere: env, published ports, health checks, Prometheus targets', () => {
    const prometheus = obj(parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')), 'prometheus.yml');
    const scrapeConfigs = arr(prometheus.scrape_configs, 'scrape_configs').map((s) => obj(s, 'scrape config'));
    for (const name of LONG_RUNNING) {
      const key = PORT_ENV[name];
      const port = APP_DEFAULTS[key];
      expect(Number(env(name)[key])).toBe(port);
      const probe = arr(obj(service(name).healthcheck, `${name} healthcheck`).test, 'healthcheck test').map(String).join(' ');
      expect(probe).toContain(`http://127.0.0.1:${port}/health/ready`);
      const job = scrapeConfigs.find((s) => s.job_name === SCRAPE_JOBS[name]);
      expect(arr(job?.dns_sd_configs, `${SCRAPE_JOBS[name]} dns_sd_configs`)).toEqual([expect.objectContaining({ names: [name], type: 'A', port })]);
    }
    expect(publishedContainerPorts('api')).toEqual([APP_DEFAULTS.API_PORT]);
    expect(publishedContainerPorts('worker')).toEqual([]);
  });

  it('never publishes PostgreSQL or Redis on the host', () => {
    expect(service('postgres').ports).toBeUndefined();
    expect(service('redis').ports).toBeUndefined();
  });

  it('takes secrets from the environment instead of shipping defaults', () => {
    const raw = readRepoFile('docker/compose.yml');
    expect(raw).toMatch(/JWT_SECRET: \$\{JWT_SECRET:\?/);
    expect(raw).toMatch(/POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?/);
    expect(raw).toMatch(/GF_SECURITY_ADMIN_PASSWORD: \$\{GRAFANA_ADMIN_PASSWORD:\?/);
    for (const name of APP_SERVICES) expect(env(name).NODE_ENV).toBe('production');
  });

  it('runs two workers and lets them drain before SIGKILL', () => {
    expect(obj(service('worker').deploy, 'worker deploy').replicas).toBe(2);
    const drain = Number(env('worker').SHUTDOWN_TIMEOUT_MS) / 1000;
    expect(drain).toBe(APP_DEFAULTS.SHUTDOWN_TIMEOUT_MS / 1000);
    expect(seconds(str(service('worker').stop_grace_period, 'stop_grace_period'))).toBeGreaterThan(drain);
  });

  it('loads the shipped Prometheus config and alert rules at the paths the config names', () => {
    const mounts = bindMounts('prometheus');
    const target = (file: string): string | undefined => mounts.find((m) => m.host === repoPath(file))?.target;
    const configTarget = target('deploy/prometheus/prometheus.yml');
    expect(arr(service('prometheus').command, 'prometheus command')).toContain(`--config.file=${String(configTarget)}`);
    const prometheus = obj(parseYaml(readRepoFile('deploy/prometheus/prometheus.yml')), 'prometheus.yml');
    expect(prometheus.rule_files).toEqual([target('deploy/prometheus/alerts.yml')]);
  });

  it('provisions Grafana with the shipped datasource and dashboard', () => {
    const mounts = bindMounts('grafana');
    const targetOf = (file: string): string | undefined => mounts.find((m) => m.host === repoPath(file))?.target;
    expect(targetOf('deploy/grafana/provisioning/datasources/prometheus.yml')).toMatch(/^\/etc\/grafana\/provisioning\/datasources\//);
    expect(targetOf('deploy/grafana/provisioning/dashboards/taskyard.yml')).toMatch(/^\/etc\/grafana\/provisioning\/dashboards\//);
    const providers = obj(parseYaml(readRepoFile('deploy/grafana/provisioning/dashboards/taskyard.yml')), 'providers');
    const providerPath = obj(obj(arr(providers.providers, 'providers')[0], 'provider').options, 'options').path;
    expect(targetOf(dirname(DASHBOARD_FILE))).toBe(providerPath);
    const home = str(env('grafana').GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, 'home dashboard');
    expect(home).toBe(`${text(providerPath)}/taskyard.json`);
    const datasources = obj(parseYaml(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')), 'datasources');
    const url = new URL(str(obj(arr(datasources.datasources, 'datasources')[0], 'datasource').url, 'url'));
    expect(Object.keys(services)).toContain(url.hostname);
  });
});
