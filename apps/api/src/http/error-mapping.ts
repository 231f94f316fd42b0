import { HttpException } from '@nestjs/common';
import { isTransientDbError } from '@taskyard/tasks';
import { ApiHttpError } from './api-http.error';

export interface MappedError {
  status: number;
  /** Envelope code: `E` + digits starting with the HTTP status. */
  code: string;
  message: string;
}

/**
 * Domain error codes (the `code` of TaskDomainError, AuthDomainError and the API's own errors)
 * to HTTP status and envelope code. Envelope codes are part of the REST contract.
 */
const DOMAIN_CODES: Record<string, [number, string]> = {
  INVALID_TASK_OPTIONS: [400, 'E4003'],
  UNKNOWN_ROLE: [400, 'E4004'],
  TASK_TYPE_NOT_REGISTERED: [400, 'E4005'],
  UNAUTHENTICATED: [401, 'E4010'],
  INVALID_CREDENTIALS: [401, 'E4011'],
  FORBIDDEN: [403, 'E4030'],
  INVALID_SIGNATURE: [403, 'E4031'],
  TASK_NOT_FOUND: [404, 'E4040'],
  FILE_NOT_FOUND: [404, 'E4040'],
  SCHEDULE_NOT_FOUND: [404, 'E4041'],
  INVALID_TRANSITION: [409, 'E4090'],
  SCHEDULE_DISABLED: [409, 'E4091'],
  USERNAME_TAKEN: [409, 'E4092'],
  RATE_LIMITED: [429, 'E4290'],
  DEPENDENCY_UNAVAILABLE: [503, 'E5030'],
};

const REDIS_DOWN = /Connection is closed|Stream isn't writeable|ECONNREFUSED|ETIMEDOUT|MaxRetriesPerRequest|Reached the max retries|connect ECONN|ENOTFOUND/i;

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'MaxRetriesPerRequestError' || REDIS_DOWN.test(err.message);
}

/** Maps anything thrown while serving a request to a status, envelope code and message. */
export function mapError(err: unknown): MappedError {
  if (err instanceof ApiHttpError) return { status: err.getStatus(), code: err.code, message: err.message };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return { status, code: `E${status}0`, message: status === 404 ? 'not found' : err.message };
  }
  const code = errorCode(err);
  if (code && DOMAIN_CODES[code] && err instanceof Error) {
    const [status, envelope] = DOMAIN_CODES[code];
    return { status, code: envelope, message: err.message };
  }
  // Fastify's own errors (body parsing, size limit, media type) carry a 4xx statusCode.
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && err instanceof Error) {
    const message = code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'request body is not valid JSON' : err.message;
    return { status: statusCode, code: `E${statusCode}0`, message };
  }
  if (isTransientDbError(err)) return { status: 503, code: 'E5030', message: 'postgres is unavailable' };
  if (isRedisUnavailable(err)) return { status: 503, code: 'E5031', message: 'redis is unavailable' };
  return { status: 500, code: 'E5000', message: 'internal server error' };
}
