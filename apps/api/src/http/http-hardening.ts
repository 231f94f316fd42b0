import type { FastifyInstance } from 'fastify';
import { ApiHttpError } from './api-http.error';

/**
 * Content-Security-Policy that lets the built console run (own scripts, Ant Design's inline
 * styles, same-origin XHR/SSE) and nothing else.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy': CONTENT_SECURITY_POLICY,
};

/**
 * Trace id and security headers on every response. (Errors Fastify raises before a handler
 * runs, such as invalid JSON or a too-large body, reach Nest's global exception filter.)
 */
export function hardenFastify(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (req, reply) => {
    reply.header('x-trace-id', req.id);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

/** How deeply `value` nests objects and arrays (a scalar is 0), counted without recursion. */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAbove) return deepest;
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Refuses request bodies nested deeper than `maxDepth` with 400 `E4006` before any handler or
 * validation pipe sees them: class-transformer and class-validator walk a body recursively and
 * overflow the call stack on a few thousand levels, which would surface as a 500.
 */
export function limitJsonDepth(fastify: FastifyInstance, maxDepth: number): void {
  fastify.addHook('preValidation', async (req) => {
    if (req.body !== null && typeof req.body === 'object' && jsonDepth(req.body, maxDepth) > maxDepth) {
      throw new ApiHttpError(400, 'E4006', `request body is nested too deeply (more than ${maxDepth} levels of objects and arrays)`);
    }
  });
}
