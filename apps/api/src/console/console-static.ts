import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../http/api-exception.filter';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Taskyard</title>
<h1>Taskyard API is running</h1><p>The web console is not built. Run <code>npm run build:console</code> and restart the API.</p>`;

/**
 * Serves the built console at `/`: its files as static routes, and `index.html` for every
 * other GET outside `/api` (deep links such as `/tasks/<id>`). Unknown `/api` GETs keep the
 * 404 envelope. Without a build, `/` explains how to make one.
 */
export async function serveConsole(fastify: FastifyInstance, distDir: string): Promise<void> {
  const indexFile = join(distDir, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    // One route per built file (wildcard: false), so API routes are never shadowed.
    await fastify.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: false, index: false, decorateReply: false, maxAge: '1h' });
  }
  const index = built ? readFileSync(indexFile) : null;
  const fallback = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url === '/api' || req.url.startsWith('/api/')) {
      const { status, body } = errorBody(Object.assign(new Error('not found'), { statusCode: 404 }), req.id);
      return reply.status(status).send({ ...body, err: `route not found: GET ${req.url.split('?')[0]}` });
    }
    // A missing build file (stale hash after a rebuild) is a 404, not the SPA page.
    if (/\.[a-z0-9]{1,8}$/i.test(req.url.split('?')[0])) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('not found');
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(index ?? NOT_BUILT);
  };
  fastify.get('/', fallback);
  fastify.get('/*', fallback);
}
