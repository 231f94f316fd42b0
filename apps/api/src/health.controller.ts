import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { readinessReport, type TaskMetrics } from '@taskyard/observability';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, TASK_METRICS, type RedisClient, type RedisConnections } from '@taskyard/tasks';
import { Public } from '@taskyard/auth';

/** `/metrics` and `/health/*` on the api port (outside the `/api` envelope). */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS_COMMANDS) private readonly redis: RedisClient,
    @Inject(REDIS_CONNECTIONS) private readonly connections: RedisConnections,
    @Inject(TASK_METRICS) private readonly metrics: TaskMetrics,
  ) {}

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }

  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
    const [postgres, redis] = await Promise.all([
      within(this.dataSource.query('SELECT 1')).then(() => true, () => false),
      within(this.connections.reachable(this.redis)).catch(() => false),
    ]);
    const { ok, body } = readinessReport({ postgres, redis });
    await reply.status(ok ? 200 : 503).send(body);
  }
}
