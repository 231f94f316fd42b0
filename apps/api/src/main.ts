import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@taskyard/config';
import { configureLogging, Logger } from '@taskyard/observability';
import { ApiConfig, checkApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { serveConsole } from './console/console-static';
import { hardenFastify, limitJsonDepth } from './http/http-hardening';
import { traceIdOf } from './http/trace-id';

async function main(): Promise<void> {
  const config = loadConfig(ApiConfig, process.env, checkApiConfig);
  configureLogging(config.LOG_LEVEL);
  const logger = new Logger('api');
  const adapter = new FastifyAdapter({
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    genReqId: (req: IncomingMessage) => traceIdOf(req.headers),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, { logger: ['error', 'warn'] });
  const fastify = app.getHttpAdapter().getInstance();
  hardenFastify(fastify);
  limitJsonDepth(fastify, config.API_JSON_MAX_DEPTH);
  // Same-origin by default; cross-origin callers only when listed explicitly.
  if (config.CORS_ORIGINS?.length) {
    app.enableCors({ origin: config.CORS_ORIGINS, credentials: false, allowedHeaders: ['authorization', 'content-type', 'x-request-id'], exposedHeaders: ['x-trace-id'], maxAge: 600 });
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Taskyard API').setVersion('1').addBearerAuth().build(),
  );
  const sendDocument = async (_: unknown, reply: { send(body: unknown): unknown }) => reply.send(document);
  fastify.get('/api/docs', sendDocument);
  fastify.get('/api/docs-json', sendDocument);
  await serveConsole(fastify, config.CONSOLE_DIST_DIR ?? join(__dirname, '..', '..', 'console', 'dist'));

  // Drain on shutdown: idle keep-alive sockets close at once, in-flight requests get until
  // SHUTDOWN_TIMEOUT_MS, then every remaining connection is closed so the process exits.
  fastify.addHook('preClose', async () => {
    fastify.server.closeIdleConnections();
    setTimeout(() => fastify.server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
  });
  app.enableShutdownHooks();
  await app.listen(config.API_PORT, config.API_HOST);
  const address = app.getHttpServer().address();
  logger.announce('started', { port: typeof address === 'object' && address ? address.port : config.API_PORT, pid: process.pid });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
