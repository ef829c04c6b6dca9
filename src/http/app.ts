/**
 * buildApp(services) makes the Fastify instance without listening (tests use inject() or listen on 127.0.0.1:0).
 * Every request: authenticate (Bearer or Basic, for TAXII clients) -> rate limit per token -> route -> problem+json.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { isMigrated } from '../db/migrate.js';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';
import type { Caller, Principal } from '../participants/principal.js';
import { sessionCaller } from '../portal/session.js';
import type { Services } from '../services.js';
import { registerApiRoutes } from './api.js';
import { PROBLEM_BASE, sendProblem } from './problem.js';
import { RouteRegistry } from './route.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** The route authenticates its callers itself (e.g. the review gateway's per-grant keys): no API-token check. */
    ownAuth?: boolean;
  }
}

export const API_VERSION = '0.1.0';

function bearerSecret(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) throw new AppError('token_invalid', 'malformed Authorization header');
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    // TAXII clients often speak Basic only: the password (or a lone user name) is the API token.
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const secret = i < 0 ? decoded : decoded.slice(i + 1) || decoded.slice(0, i);
    if (!secret) throw new AppError('token_invalid', 'empty Basic credentials');
    return secret;
  }
  throw new AppError('token_invalid', `unsupported authorization scheme ${scheme}`);
}

export interface AppOptions {
  logger?: boolean;
  /**
   * CLI local mode only (never `serve`): the console operator's principal, used for requests without credentials.
   */
  localCaller?: Principal;
}

export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: opts.logger ? { level: config.logLevel } : false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
  });
  app.decorateRequest('caller', null);

  app.setErrorHandler((err, req, reply) => sendProblem(req, reply, err));
  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, new AppError('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`)),
  );

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.ownAuth) return;
    const secret = bearerSecret(req.headers.authorization);
    // A token wins; otherwise the portal's session cookie (CSRF-checked for changes, src/portal/session.ts).
    req.caller = secret
      ? await services.participants.authenticate(secret)
      : ((await sessionCaller(req, services)) ?? opts.localCaller ?? null);
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) =>
      req.caller?.tokenId ? `t:${req.caller.tokenId}` : req.caller ? `m:${req.caller.viewer.memberId}` : `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `rate limit of ${ctx.max} requests per minute exceeded; retry after ${ctx.after}`),
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz',
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (req, reply) => {
    try {
      if (!(await isMigrated(services.db))) throw new AppError('unavailable', 'migrations are not applied');
      return { status: 'ready', database: services.db.dialect };
    } catch (e) {
      return sendProblem(req, reply, e instanceof AppError ? e : new AppError('unavailable', 'database unreachable'));
    }
  });
  app.get(`${PROBLEM_BASE}:slug`, async (req, reply) => {
    const slug = (req.params as { slug: string }).slug;
    const code = slug.replace(/-/g, '_') as ErrorCode;
    const meta = ERROR_CODES[code];
    if (!meta) return sendProblem(req, reply, new AppError('not_found', `no problem type ${slug}`));
    return { type: req.url, code, title: meta.title, status: meta.status };
  });

  const registry = new RouteRegistry();
  await registerApiRoutes(app, registry, services);
  app.get('/api/v1/openapi.json', async () =>
    registry.openapi({ title: 'Clearinghouse API', version: API_VERSION, serverUrl: config.baseUrl }),
  );
  app.get('/api/v1/docs', async (_req, reply) => reply.type('text/html').send(apiReferencePage(registry)));
  return app;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain API reference page generated from the same registry as the OpenAPI document. */
function apiReferencePage(registry: RouteRegistry): string {
  const rows = registry.routes
    .map(
      (r) =>
        `<tr><td><code>${r.method}</code></td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(r.summary)}</td><td>${r.public ? 'public (TLP:CLEAR when anonymous)' : 'token'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Clearinghouse API reference</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:left}</style></head>
<body><h1>Clearinghouse API reference</h1><p>Machine-readable: <a href="/api/v1/openapi.json">OpenAPI 3.1</a>. Authenticate with <code>Authorization: Bearer TOKEN</code>. Errors are RFC 9457 problem details.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Access</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}
