// The framework's own cost: a NestJS application on Fastify with one POST route that does no
// work (no guards, pipes, interceptors or database), on a free loopback port.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class BareController {
  @Post('bare')
  @HttpCode(201)
  bare(@Body() body: unknown): { ok: boolean; fields: number } {
    return { ok: true, fields: body && typeof body === 'object' ? Object.keys(body).length : 0 };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'started', port })}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
