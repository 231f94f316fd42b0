import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@taskyard/config';
import { configureLogging, Logger } from '@taskyard/observability';
import { ApiConfig, checkApiConfig } from './api.config';
import { ApiModule } from './api.module';

async function main(): Promise<void> {
  const config = loadConfig(ApiConfig, process.env, checkApiConfig);
  configureLogging(config.LOG_LEVEL);
  const logger = new Logger('api');
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: ['error', 'warn'],
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
