import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { loadConfig } from '@taskyard/config';
import { configureLogging, Logger, readinessReport } from '@taskyard/observability';
import { DependencyGate, dependencyProbes } from '@taskyard/tasks';
import { ApiConfig, checkApiConfig } from './api.config';
import { ApiModule } from './api.module';
import { serveConsole } from './console/console-static';
import { hardenFastify, limitJsonDepth } from './http/http-hardening';
import { traceIdOf } from './http/trace-id';

async function main(): Promise<void> {
  const config = loadConfig(ApiConfig, process.env, checkApiConfig);
  configureLogging(config.LOG_LEVEL);
  const logger = new Logger('api');
  // The port answers at once: while PostgreSQL or Redis is unreachable the api cannot boot, and
  // says so (ready 503 naming what is missing, every other route 503) instead of refusing
  // connections; the same server then carries the application.
  const gate = new DependencyGate(dependencyProbes({ DATABASE_URL: config.DATABASE_URL, redis: config.redis }), logger);
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  let handle: Handler = (req, res) => answerWhileBooting(gate, req, res);
  const server = createServer((req, res) => handle(req, res));
  const port = await listen(server, config.API_PORT, config.API_HOST);
  logger.announce('listening', { port, pid: process.pid });
  const stopWhileWaiting = () => {
    gate.stop();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stopWhileWaiting);
  process.once('SIGINT', stopWhileWaiting);
  await gate.waitAll();
  process.removeListener('SIGTERM', stopWhileWaiting);
  process.removeListener('SIGINT', stopWhileWaiting);

  let appHandler: Handler | undefined;
  const adapter = new FastifyAdapter({
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    genReqId: (req: IncomingMessage) => traceIdOf(req.headers),
    serverFactory: (handler: Handler) => {
      appHandler = handler;
      return server;
    },
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
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS).unref();
  });
  // Fastify did not open the server (it came from serverFactory), so it does not close it.
  fastify.addHook('onClose', (_instance, done) => {
    server.close(() => done());
  });
  app.enableShutdownHooks();
  await app.init();
  await fastify.ready();
  if (!appHandler) throw new Error('fastify did not take the http server');
  handle = appHandler;
  logger.announce('started', { port, pid: process.pid });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Answers while the api waits for its dependencies: live, not ready, everything else 503. */
function answerWhileBooting(gate: DependencyGate, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...(status === 503 ? { 'retry-after': '2' } : {}) });
    res.end(JSON.stringify(body));
  };
  if (path === '/health/live') return send(200, { status: 'ok' });
  const { body } = readinessReport({ ...gate.checks });
  if (path === '/health/ready') return send(503, body);
  const code = gate.missing().includes('postgres') ? 'E5030' : 'E5031';
  send(503, { code, err: `the api is starting: waiting for ${gate.waitingFor() || 'its dependencies'}` });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
