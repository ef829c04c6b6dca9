/**
 * The model-access gateway: `POST /gateway/v1/chat/completions` and `GET /gateway/v1/models`, OpenAI-compatible, with
 * a per-grant key as Bearer. Every call is checked (key, window open, grant active and inside its validity, variant
 * allowed, rate per minute, budget), then forwarded to the developer's endpoint with the decrypted secret, which never
 * leaves this file. Only metadata is logged (SHA-256 of request and response, token counts, latency, status).
 * The rate limit and the budget are counted in the database, so nodes sharing it share them too.
 * Closing or withdrawing a window, revoking a grant or a key aborts that scope's calls in flight on this node at once;
 * other nodes refuse the next call. Streaming is refused with a clear error (not implemented).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../db/connect.js';
import { inTx } from '../../db/tx.js';
import { hashKey } from './grant.service.js';
import type { SecretBox } from './secrets.js';
import * as repo from './windows.repository.js';

/** Every `error.code` the gateway answers with (documented in the OpenAPI document, ./gateway.openapi.ts). */
export const GATEWAY_ERROR_CODES = [
  'invalid_api_key',
  'window_not_open',
  'grant_inactive',
  'invalid_request',
  'streaming_unsupported',
  'variant_not_allowed',
  'model_not_found',
  'rate_limit_exceeded',
  'insufficient_quota',
  'access_ended',
  'upstream_error',
  'upstream_unreachable',
  'upstream_timeout',
  'not_found',
  'request_too_large',
  'client_closed',
  'internal',
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];

/** Every `error.type`, as OpenAI's API names its error classes. */
export const GATEWAY_ERROR_TYPES = [
  'invalid_request_error',
  'permission_error',
  'requests',
  'insufficient_quota',
  'api_error',
] as const;
export type GatewayErrorType = (typeof GATEWAY_ERROR_TYPES)[number];

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: GatewayErrorType,
    readonly code: GatewayErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const chatBody = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.unknown()).min(1),
  stream: z.boolean().optional(),
});

interface InFlight {
  windowId: string;
  grantId: string;
  keyId: string;
  ctrl: AbortController;
}

interface Authorized {
  key: repo.KeyRow;
  grant: repo.GrantRow;
  window: repo.WindowRow;
  variants: { variant: string; modelId: string }[];
}

export interface GatewayOptions {
  upstreamTimeoutMs: number;
}

export class Gateway {
  private readonly inflight = new Set<InFlight>();

  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly clock: () => Date,
    private readonly opts: GatewayOptions = { upstreamTimeoutMs: 300_000 },
  ) {}

  /** Abort calls in flight for a window, a grant or a key (called after the revoking transaction commits). */
  abort(f: { windowId?: string; grantId?: string; keyId?: string }): number {
    let n = 0;
    for (const c of this.inflight)
      if (c.windowId === f.windowId || c.grantId === f.grantId || c.keyId === f.keyId) {
        c.ctrl.abort(
          new GatewayError(403, 'permission_error', 'access_ended', 'access to this model ended during the call'),
        );
        n++;
      }
    return n;
  }

  get inFlightCount(): number {
    return this.inflight.size;
  }

  async authorize(authorization: string | undefined): Promise<Authorized> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m)
      throw new GatewayError(401, 'invalid_request_error', 'invalid_api_key', 'give a review gateway key as Bearer');
    const q = this.db.kysely;
    const key = await repo.findKeyByHash(q, hashKey(m[1]!));
    if (!key || key.revoked_at)
      throw new GatewayError(401, 'invalid_request_error', 'invalid_api_key', 'the key is unknown or revoked');
    const window = await repo.findWindow(q, key.window_id);
    const grant = window && (await repo.findGrant(q, key.window_id, key.grant_id));
    if (!window || !grant)
      throw new GatewayError(401, 'invalid_request_error', 'invalid_api_key', 'the key is unknown or revoked');
    const now = this.clock().toISOString();
    if (window.state !== 'open' || !window.closes_at || now >= window.closes_at)
      throw new GatewayError(
        403,
        'permission_error',
        'window_not_open',
        `the review window is ${window.state === 'open' ? 'past its closing time' : window.state}`,
      );
    if (grant.status !== 'active' || (grant.valid_until && now >= grant.valid_until))
      throw new GatewayError(
        403,
        'permission_error',
        'grant_inactive',
        `the grant is ${grant.status === 'active' ? 'expired' : grant.status}`,
      );
    if (grant.valid_from && now < grant.valid_from)
      throw new GatewayError(403, 'permission_error', 'grant_inactive', `the grant is valid from ${grant.valid_from}`);
    const offered = JSON.parse(window.variants) as { variant: string; modelId: string }[];
    const allowed = new Set(JSON.parse(grant.variants) as string[]);
    return { key, grant, window, variants: offered.filter((v) => allowed.has(v.variant)) };
  }

  /** Sliding one-minute window per grant, counted in the database so every node shares it. */
  private async checkRate(a: Authorized): Promise<void> {
    const limit = (JSON.parse(a.window.limits) as { requestsPerMinute: number }).requestsPerMinute;
    const now = this.clock();
    const call = { id: randomUUID(), windowId: a.window.id, grantId: a.grant.id };
    const freeAt = await inTx(this.db, (tx) => repo.admitCall(tx, this.db.dialect === 'postgres', call, now, limit));
    if (freeAt) {
      const retry = Math.max(1, Math.ceil((freeAt.getTime() - now.getTime()) / 1000));
      throw new GatewayError(
        429,
        'requests',
        'rate_limit_exceeded',
        `rate limit of ${limit} requests per minute reached`,
        {
          'retry-after': String(retry),
        },
      );
    }
  }

  async models(authorization: string | undefined) {
    const a = await this.authorize(authorization);
    return {
      object: 'list',
      data: a.variants.map((v) => ({ id: v.variant, object: 'model', created: 0, owned_by: 'review-window' })),
    };
  }

  /** `client`: aborted when the caller goes away, so that the upstream call is given up at once too. */
  async chat(
    authorization: string | undefined,
    rawBody: unknown,
    client?: AbortSignal,
  ): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const a = await this.authorize(authorization);
    const parsed = chatBody.safeParse(rawBody);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new GatewayError(
        400,
        'invalid_request_error',
        'invalid_request',
        `${i.path.join('.') || 'body'}: ${i.message}`,
      );
    }
    const body = parsed.data;
    if (body.stream)
      throw new GatewayError(
        400,
        'invalid_request_error',
        'streaming_unsupported',
        'streaming is not supported by this gateway; send stream: false',
      );
    const variant = a.variants.find((v) => v.variant === body.model);
    if (!variant) {
      const offered = (JSON.parse(a.window.variants) as { variant: string }[]).some((v) => v.variant === body.model);
      if (offered)
        throw new GatewayError(
          403,
          'permission_error',
          'variant_not_allowed',
          `variant ${body.model} is not in this grant`,
        );
      throw new GatewayError(
        404,
        'invalid_request_error',
        'model_not_found',
        `model ${body.model} does not exist here; see /gateway/v1/models`,
      );
    }
    await this.checkRate(a);
    if (!(await repo.reserveRequest(this.db.kysely, a.grant.id)))
      throw new GatewayError(
        429,
        'insufficient_quota',
        'insufficient_quota',
        "the grant's budget (requests, tokens or seconds) is used up",
        { 'x-should-retry': 'false' },
      );
    const secretSealed = a.window.endpoint_secret;
    if (!secretSealed)
      throw new GatewayError(403, 'permission_error', 'window_not_open', 'the review window has ended');
    const requestText = JSON.stringify(rawBody);
    const ctrl = new AbortController();
    const entry: InFlight = { windowId: a.window.id, grantId: a.grant.id, keyId: a.key.id, ctrl };
    this.inflight.add(entry);
    const timer = setTimeout(
      () =>
        ctrl.abort(new GatewayError(504, 'api_error', 'upstream_timeout', 'the model endpoint did not answer in time')),
      this.opts.upstreamTimeoutMs,
    );
    const onClientGone = () =>
      ctrl.abort(new GatewayError(499, 'api_error', 'client_closed', 'the caller closed the connection'));
    if (client?.aborted) onClientGone();
    client?.addEventListener('abort', onClientGone, { once: true });
    const started = Date.now();
    let status = 0;
    let responseText = '';
    let outcome = 'ok';
    let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    try {
      const res = await fetch(`${a.window.endpoint_base_url}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.secrets.decrypt(secretSealed, a.window.id)}`,
        },
        body: JSON.stringify({ ...body, model: variant.modelId }),
        signal: ctrl.signal,
      });
      status = res.status;
      responseText = await res.text();
      if (!res.ok) {
        outcome = 'upstream_error';
        const retryAfter = res.headers.get('retry-after');
        // The upstream's own message is not passed on: it may quote credentials or endpoint details.
        throw new GatewayError(
          res.status === 429 || res.status >= 500 ? res.status : 502,
          'api_error',
          'upstream_error',
          `the model endpoint answered HTTP ${res.status}`,
          retryAfter ? { 'retry-after': retryAfter } : {},
        );
      }
      let out: Record<string, unknown>;
      try {
        out = JSON.parse(responseText) as Record<string, unknown>;
      } catch {
        outcome = 'upstream_error';
        throw new GatewayError(502, 'api_error', 'upstream_error', 'the model endpoint did not answer with JSON');
      }
      const u = out.usage as typeof usage | undefined;
      if (u)
        usage = {
          prompt_tokens: Number(u.prompt_tokens) || 0,
          completion_tokens: Number(u.completion_tokens) || 0,
          total_tokens: Number(u.total_tokens) || 0,
        };
      return { status: 200, body: { ...out, model: variant.variant }, headers: {} };
    } catch (e) {
      if (ctrl.signal.aborted && ctrl.signal.reason instanceof GatewayError) {
        outcome = ctrl.signal.reason.code;
        throw ctrl.signal.reason;
      }
      if (e instanceof GatewayError) throw e;
      outcome = 'upstream_unreachable';
      throw new GatewayError(502, 'api_error', 'upstream_unreachable', 'the model endpoint could not be reached');
    } finally {
      clearTimeout(timer);
      client?.removeEventListener('abort', onClientGone);
      // A call stays in flight until its usage and log row are written, so "nothing in flight" means "all accounted".
      try {
        await this.account(a, variant.variant, {
          started,
          status,
          outcome,
          usage,
          requestText,
          responseText,
        });
      } finally {
        this.inflight.delete(entry);
      }
    }
  }

  private async account(
    a: Authorized,
    variant: string,
    call: {
      started: number;
      status: number;
      outcome: string;
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      requestText: string;
      responseText: string;
    },
  ): Promise<void> {
    const { started, status, outcome, usage, requestText, responseText } = call;
    const ms = Date.now() - started;
    const tokens = usage.total_tokens || usage.prompt_tokens + usage.completion_tokens;
    const q = this.db.kysely;
    const at = this.clock().toISOString();
    await repo.addUsage(q, a.grant.id, tokens, ms);
    await repo.touchKey(q, a.key.id, at);
    await repo.insertGatewayLog(q, {
      id: randomUUID(),
      window_id: a.window.id,
      grant_id: a.grant.id,
      key_id: a.key.id,
      variant,
      at,
      status,
      outcome,
      latency_ms: ms,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      request_sha256: sha(requestText),
      response_sha256: responseText ? sha(responseText) : null,
    });
  }
}

function sendError(reply: FastifyReply, e: unknown) {
  const g =
    e instanceof GatewayError
      ? e
      : (e as { statusCode?: number }).statusCode === 400 || (e as { statusCode?: number }).statusCode === 415
        ? new GatewayError(400, 'invalid_request_error', 'invalid_request', 'the body must be JSON')
        : (e as { statusCode?: number }).statusCode === 413
          ? new GatewayError(413, 'invalid_request_error', 'request_too_large', 'the request body is too large')
          : new GatewayError(500, 'api_error', 'internal', 'internal error');
  reply.status(g.status).headers(g.headers).type('application/json');
  return reply.send({ error: { message: g.message, type: g.type, param: null, code: g.code } });
}

/** The gateway routes, outside /api/v1: own key authentication, own per-grant rate limit, OpenAI's error shape. */
export async function registerGatewayRoutes(app: FastifyInstance, gateway: Gateway): Promise<void> {
  await app.register(
    async (scope) => {
      scope.setErrorHandler((err, _req, reply) => sendError(reply, err));
      scope.setNotFoundHandler((req, reply) =>
        sendError(
          reply,
          new GatewayError(
            404,
            'invalid_request_error',
            'not_found',
            `no route ${req.method} ${req.url.split('?')[0]}`,
          ),
        ),
      );
      const config = { ownAuth: true, rateLimit: false } as const;
      scope.get('/models', { config }, async (req: FastifyRequest) => gateway.models(req.headers.authorization));
      scope.post('/chat/completions', { config }, async (req: FastifyRequest, reply: FastifyReply) => {
        // The caller going away (the response closed before it was written) gives up the upstream call too.
        const gone = new AbortController();
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) gone.abort();
        });
        const out = await gateway.chat(req.headers.authorization, req.body, gone.signal);
        reply.status(out.status).headers(out.headers);
        return out.body;
      });
    },
    { prefix: '/gateway/v1' },
  );
}
