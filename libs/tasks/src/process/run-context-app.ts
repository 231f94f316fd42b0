import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import type { RedisClient, RedisConnections } from '../queue/redis-connections';
import { DataSource } from 'typeorm';
import { configureLogging, Logger, OpsServer, type TaskMetrics } from '@taskyard/observability';
import type { TasksConfig } from '../tasks.config';
import { REDIS_COMMANDS, REDIS_CONNECTIONS, TASK_METRICS } from '../tokens';
import { DependencyGate, dependencyProbes } from './dependency-gate';

/** Time past the drain deadline that closing connections and flushing buffers may take. */
const SHUTDOWN_MARGIN_MS = 10_000;

export interface ContextAppOptions {
  name: string;
  module: Type | DynamicModule;
  config: TasksConfig;
  port: number;
}

/** Readiness of this process's dependencies, for `/health/ready`. */
export async function checkDependencies(app: INestApplicationContext): Promise<Record<string, boolean>> {
  const ds = app.get(DataSource);
  const redis = app.get<RedisClient>(REDIS_COMMANDS);
  const connections = app.get<RedisConnections>(REDIS_CONNECTIONS);
  const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
  const [postgres, redisOk] = await Promise.all([
    timeout(ds.query('SELECT 1')).then(() => true, () => false),
    timeout(connections.reachable(redis)).catch(() => false),
  ]);
  return { postgres, redis: redisOk };
}

/**
 * Boots a worker or scheduler: the ops HTTP server (`/metrics`, `/health/*`) listens at once,
 * the process waits for PostgreSQL and Redis (ready 503 naming what is missing, "waiting for
 * Redis at ..." in the log) and then builds the Nest application context, with graceful
 * shutdown on SIGTERM/SIGINT. A failure at boot is logged with its reason and exits non-zero
 * (no crash loop of half-started processes).
 */
export async function runContextApp(options: ContextAppOptions): Promise<{ app: INestApplicationContext; ops: OpsServer; port: number; shutdown: () => Promise<void> }> {
  configureLogging(options.config.LOG_LEVEL);
  const logger = new Logger(options.name);
  const gate = new DependencyGate(dependencyProbes({ DATABASE_URL: options.config.DATABASE_URL, redis: options.config.redis }), logger);
  const ops = new OpsServer(undefined, async () => ({ ...gate.checks }));
  const port = await ops.listen(options.port);
  logger.announce('listening', { port, pid: process.pid });
  const stopWhileWaiting = () => {
    gate.stop();
    void ops.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stopWhileWaiting);
  process.once('SIGINT', stopWhileWaiting);
  await gate.waitAll();
  process.removeListener('SIGTERM', stopWhileWaiting);
  process.removeListener('SIGINT', stopWhileWaiting);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(options.module, { logger: ['error', 'warn'], abortOnError: false });
  } catch (err) {
    logger.error('failed to start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  const metrics = app.get<TaskMetrics>(TASK_METRICS);
  ops.serve(metrics.registry, () => checkDependencies(app));
  logger.announce('started', { port, pid: process.pid });

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      // The drain has its own deadline; this one catches whatever else never settles (a Redis
      // client stuck on a node that came back empty, say), so a SIGTERM always ends the process
      // with a line that says why instead of waiting for the orchestrator's SIGKILL.
      const hardDeadlineMs = options.config.SHUTDOWN_TIMEOUT_MS + SHUTDOWN_MARGIN_MS;
      setTimeout(() => {
        logger.error('shutdown did not finish in time; exiting', { deadline_ms: hardDeadlineMs });
        process.exit(1);
      }, hardDeadlineMs).unref();
      await app.close();
      await ops.close();
      logger.announce('stopped');
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
          process.exit(1);
        },
      );
    });
  }
  return { app, ops, port, shutdown };
}
