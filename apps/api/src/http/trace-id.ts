import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace id of a request: a valid incoming `x-request-id`, else the trace id of a W3C
 * `traceparent`, else a new random one. Becomes Fastify's `request.id`.
 */
export function traceIdOf(headers: IncomingHttpHeaders): string {
  const requestId = headers['x-request-id'];
  if (typeof requestId === 'string' && REQUEST_ID.test(requestId)) return requestId;
  const traceparent = headers.traceparent;
  const match = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim()) : null;
  if (match && !/^0+$/.test(match[1])) return match[1];
  return randomUUID().replace(/-/g, '');
}
