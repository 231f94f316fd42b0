import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/**
 * The body of `/health/ready`: ready when every dependency check is true; `missing` names the
 * ones that are not (e.g. `["redis"]`).
 */
export function readinessReport(checks: Record<string, boolean>): { ok: boolean; body: { status: string; checks: Record<string, boolean>; missing: string[] } } {
  const missing = Object.keys(checks).filter((name) => !checks[name]);
  return { ok: missing.length === 0, body: { status: missing.length ? 'unavailable' : 'ok', checks, missing } };
}

/**
 * The tiny HTTP server of worker and scheduler processes: `/metrics`, `/health/live`,
 * `/health/ready`. It listens before the process has booted (while it waits for its
 * dependencies) and serves the real registry and checks once {@link serve} hands them over;
 * until then `/metrics` answers 503.
 */
export class OpsServer {
  private server?: Server;

  constructor(
    private registry: Registry | undefined,
    private ready: ReadinessCheck,
  ) {}

  /** Switches to the booted process's metrics and readiness checks. */
  serve(registry: Registry, ready: ReadinessCheck): void {
    this.registry = registry;
    this.ready = ready;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      void this.handle(req.url ?? '/', req.method ?? 'GET').then(({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  private async handle(url: string, method: string): Promise<{ status: number; type: string; body: string }> {
    const path = url.split('?')[0];
    if (method !== 'GET') return { status: 405, type: 'text/plain', body: 'method not allowed' };
    if (path === '/metrics') {
      if (!this.registry) return { status: 503, type: 'text/plain', body: 'starting: waiting for dependencies' };
      return { status: 200, type: this.registry.contentType, body: await this.registry.metrics() };
    }
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      const { ok, body } = readinessReport(await this.ready().catch(() => ({ checks: false })));
      return json(ok ? 200 : 503, body);
    }
    return json(404, { status: 'not found' });
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function json(status: number, body: unknown) {
  return { status, type: 'application/json', body: JSON.stringify(body) };
}
