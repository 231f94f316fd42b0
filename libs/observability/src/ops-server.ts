import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<Record<string, boolean>>;

/**
 * The tiny HTTP server of worker and scheduler processes: `/metrics`, `/health/live`,
 * `/health/ready`. Ready means every dependency check answered true.
 */
export class OpsServer {
  private server?: Server;

  constructor(
    private readonly registry: Registry,
    private readonly ready: ReadinessCheck,
  ) {}

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
      return { status: 200, type: this.registry.contentType, body: await this.registry.metrics() };
    }
    if (path === '/health/live') return json(200, { status: 'ok' });
    if (path === '/health/ready') {
      const checks = await this.ready().catch(() => ({ checks: false }));
      const ok = Object.values(checks).every(Boolean);
      return json(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
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
