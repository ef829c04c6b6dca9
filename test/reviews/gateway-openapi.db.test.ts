/**
 * The gateway's routes in the served OpenAPI document: both paths, with the gateway-key security scheme (not the API
 * token), and schemas that real gateway answers satisfy: the model list, a completion, and each refusal (checked with
 * Ajv against the documented response of that status).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { openWindow, SECRETS_KEY, startUpstream, type World, world } from './window-fixtures.js';

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
}
interface Doc {
  security: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
}

describeBackends('review gateway in the OpenAPI document', (backend) => {
  let t: TestApp;
  let w: World;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let origin: string;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });

  beforeAll(async () => {
    up = await startUpstream({ echo: () => ({ content: 'ok' }) });
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
    w = await world(t);
    const r = await t.req<Doc>('GET', '/api/v1/openapi.json', { token: null });
    expect(r.status).toBe(200);
    doc = r.body;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await up?.close();
  });

  const op = (path: string, method: string) => {
    const o = doc.paths[path]?.[method];
    if (!o) throw new Error(`${method} ${path} is not documented`);
    return o;
  };
  const responseValidator = (path: string, method: string, status: number): ValidateFunction => {
    const r = op(path, method).responses[String(status)] ?? op(path, method).responses.default;
    const schema = r?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`${method} ${path}: no JSON schema for ${status}`);
    return ajv.compile(schema as object);
  };
  /** A real gateway call over HTTP; its body must match what the document says for its status. */
  const call = async (method: 'GET' | 'POST', path: string, key: string | null, body?: unknown) => {
    const res = await fetch(`${origin}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Record<string, unknown>;
    const validate = responseValidator(path, method.toLowerCase(), res.status);
    expect(validate(json), `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    return { status: res.status, body: json, headers: res.headers };
  };

  it('documents both gateway routes with the gateway key as their only security scheme', () => {
    const chat = op('/gateway/v1/chat/completions', 'post');
    const models = op('/gateway/v1/models', 'get');
    expect(Object.keys(doc.paths['/gateway/v1/chat/completions']!)).toEqual(['post']);
    expect(Object.keys(doc.paths['/gateway/v1/models']!)).toEqual(['get']);
    for (const o of [chat, models]) expect(o.security).toEqual([{ gatewayKey: [] }]);
    expect(doc.components.securitySchemes.gatewayKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    // The API's own token scheme is still the document's default.
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(chat.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '429']));
    expect(Object.keys(chat.responses['429']!.headers ?? {})).toEqual(['Retry-After', 'x-should-retry']);
    // Every schema in them compiles as JSON Schema 2020-12.
    for (const o of [chat, models]) {
      for (const r of Object.values(o.responses))
        for (const c of Object.values(r.content ?? {})) expect(() => ajv.compile(c.schema as object)).not.toThrow();
    }
  });

  it('real answers match the documented schemas: model list, completion and every refusal', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      grant: { budget: { requests: 1, tokens: 100_000, seconds: 60 } },
    });
    const request = { model: 'production', messages: [{ role: 'user', content: 'hello' }] };
    const validRequest = ajv.compile(
      op('/gateway/v1/chat/completions', 'post').requestBody!.content['application/json']!.schema as object,
    );
    expect(validRequest(request)).toBe(true);
    expect(validRequest({ model: 'production', messages: [] })).toBe(false);

    const models = await call('GET', '/gateway/v1/models', win.key);
    expect(models.status).toBe(200);
    expect(models.body).toMatchObject({ object: 'list', data: [{ id: 'production' }] });
    const done = await call('POST', '/gateway/v1/chat/completions', win.key, request);
    expect(done.status).toBe(200);
    expect(done.body.model).toBe('production');

    const refusals: [number, string][] = [];
    for (const [key, body] of [
      ['chgw_unknown', request],
      [win.key, { ...request, model: 'reduced-safeguards' }],
      [win.key, { ...request, model: 'no-such-model' }],
      [win.key, { ...request, stream: true }],
      [win.key, request], // the budget of one request is used up
    ] as const) {
      const r = await call('POST', '/gateway/v1/chat/completions', key, body);
      refusals.push([r.status, String((r.body.error as { code: string }).code)]);
      if (r.status === 429) expect(r.headers.get('x-should-retry')).toBe('false');
    }
    expect(refusals).toEqual([
      [401, 'invalid_api_key'],
      [403, 'variant_not_allowed'],
      [404, 'model_not_found'],
      [400, 'streaming_unsupported'],
      [429, 'insufficient_quota'],
    ]);
    expect((await call('GET', '/gateway/v1/models', null)).status).toBe(401);
  });

  it('the documented error schema refuses what the gateway never sends (the check can fail)', () => {
    const validate = responseValidator('/gateway/v1/chat/completions', 'post', 403);
    expect(validate({ error: { message: 'm', type: 'permission_error', param: null, code: 'window_not_open' } })).toBe(
      true,
    );
    expect(validate({ error: { message: 'm', type: 'permission_error', param: null, code: 'made_up' } })).toBe(false);
    expect(validate({ type: 'about:blank', title: 'Forbidden', status: 403 })).toBe(false); // not problem+json
  });
});
