/**
 * Serves the built web app (dist/web, made by `npm run build`) at `/`: its files, and index.html for any other path
 * that is not an API surface, so that client-side routes (/advisories/…) load the app. API prefixes keep their
 * problem+json 404. The HTML carries a strict Content-Security-Policy (scripts and styles from this origin only).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import { projectRoot } from '../paths.js';

export const API_PREFIXES = ['/api', '/taxii2', '/gateway', '/.well-known', '/v1'];

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function webRoot(): string {
  return join(projectRoot(), 'dist', 'web');
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

function htmlHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cache-control', 'no-cache');
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clearinghouse</title></head>
<body><main><h1>Clearinghouse</h1><p>The web portal is not built. Run <code>npm run build</code> and restart the
server. The API is at <a href="/api/v1/docs">/api/v1/docs</a>.</p></main></body></html>`;

export async function registerStatic(app: FastifyInstance, root = webRoot()): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      index: false,
      setHeaders(res, path) {
        if (path.endsWith('.html')) {
          res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
          res.setHeader('cache-control', 'no-cache');
        } else if (path.includes(`${join('dist', 'web', 'assets')}`))
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }
  const page = async (path: string, reply: FastifyReply) => {
    if (isApiPath(path)) throw new AppError('not_found', `no route for GET ${path}`);
    // Paths that name a file (an extension in the last segment) and were not found are 404, not the app.
    if (/\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '')) throw new AppError('not_found', `no file ${path}`);
    htmlHeaders(reply);
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.sendFile('index.html', { cacheControl: false });
  };
  app.get('/', async (_req, reply) => page('/', reply));
  app.get('/*', async (req, reply) => page(req.url.split('?')[0] ?? '/', reply));
}
