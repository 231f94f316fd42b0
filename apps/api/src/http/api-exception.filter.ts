import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError } from '@taskyard/contracts';
import { Logger } from '@taskyard/observability';
import { mapError } from './error-mapping';

const logger = new Logger('api');

/** Renders any error as the error envelope; 5xx are logged with their cause. */
export function errorBody(err: unknown, traceId: string): { status: number; body: ApiError } {
  const mapped = mapError(err);
  if (mapped.status >= 500) logger.error('request failed', { trace_id: traceId, status: mapped.status, error: err instanceof Error ? err : String(err) });
  return { status: mapped.status, body: { code: mapped.code, err: mapped.message, trace_id: traceId } };
}

/** One filter for every error: domain errors by `code`, framework errors by status. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const { status, body } = errorBody(exception, req.id);
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    if (status === 429 && exception instanceof Error && 'retryAfterSeconds' in exception) reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
