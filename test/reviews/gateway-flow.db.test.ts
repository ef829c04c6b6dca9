/**
 * The model-access gateway end to end: the official `openai` client pointed at a listening clearinghouse, which
 * forwards to a scripted upstream model. Offer → terms → consent → open → grant → key → chat completion; then what
 * must be refused: other variants, used-up budgets, the rate limit, streaming, bad keys, and every key after close or
 * withdrawal, including a call in flight.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAIChatModel } from '../../src/reviews/harness/openai-model.js';
import { Gateway } from '../../src/reviews/windows/gateway.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { textOf } from '../scripted-model/server.js';
import { DAY, openWindow, SECRET, SECRETS_KEY, startUpstream, type World, world } from './window-fixtures.js';

describeBackends('review gateway', (backend) => {
  let t: TestApp;
  let w: World;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let gatewayURL: string;
  const client = (apiKey: string) => new OpenAI({ baseURL: gatewayURL, apiKey, maxRetries: 0, timeout: 10_000 });
  /** The harness's own model client on the gateway: up to 3 retries, delays capped at 5 ms and recorded, not slept. */
  const harnessModel = (apiKey: string) => {
    const sleeps: number[] = [];
    const model = openAIChatModel({
      baseURL: gatewayURL,
      apiKey,
      model: 'production',
      retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return { model, sleeps };
  };

  beforeAll(async () => {
    up = await startUpstream({
      echo: (req) => ({ content: `echo: ${textOf(req.messages.at(-1))}` }),
      hang: () => ({ hang: true }),
    });
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    const addr = await t.app.listen({ port: 0, host: '127.0.0.1' });
    gatewayURL = `${addr}/gateway/v1`;
    w = await world(t);
  }, 120_000); // a shared machine and database can be slow to set up
  afterAll(async () => {
    await t.close();
    await up.close();
  });

  it('offer → consent → open → grant → key → chat completion through the openai client', async () => {
    const win = await openWindow(t, w, up.baseURL);
    expect(win.key).toMatch(/^chgw_/);
    const ai = client(win.key);
    const models = await ai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['production']);
    const before = up.seen.length;
    const out = await ai.chat.completions.create({
      model: 'production',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(out.choices[0]!.message.content).toBe('echo: hello');
    expect(out.model).toBe('production'); // the upstream model id is not revealed
    expect(out.usage?.total_tokens).toBeGreaterThan(0);
    // The upstream got the decrypted secret and its own model id; the caller's gateway key never reached it.
    const seen = up.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.parse(seen[0]!.body).model).toBe('echo');
    expect(seen[0]!.body).not.toContain(win.key);
    // Metered, and logged as metadata only.
    const grant = await t.req<{ used: { requests: number; tokens: number } }>(
      'GET',
      `${win.base}/grants/${win.grantId}`,
      {
        token: w.agency.token,
      },
    );
    expect(grant.body.used.requests).toBe(1);
    expect(grant.body.used.tokens).toBe(out.usage!.total_tokens);
    const log = await t.req<{ items: Record<string, unknown>[] }>('GET', `${win.base}/gateway-log`, {
      token: w.dev.token,
    });
    expect(log.body.items).toHaveLength(1);
    const entry = log.body.items[0]!;
    expect(entry).toMatchObject({ status: 200, outcome: 'ok', variant: 'production', grantId: win.grantId });
    expect(entry.requestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.responseSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(log.body)).not.toContain('hello');
    // The reviewer cannot read the log (it is the developer's and coordinators').
    expect((await t.req('GET', `${win.base}/gateway-log`, { token: w.agency.token })).status).toBe(403);
  });

  it('refuses a variant outside the grant, an unknown model, streaming, and bad keys (OpenAI error shape)', async () => {
    const win = await openWindow(t, w, up.baseURL);
    const ai = client(win.key);
    const refused = await ai.chat.completions
      .create({ model: 'reduced-safeguards', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(refused.code).toBe('variant_not_allowed');
    const unknown = await ai.chat.completions
      .create({ model: 'gpt-x', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const stream = await ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e) => e);
    expect(stream).toBeInstanceOf(OpenAI.BadRequestError);
    expect(stream.code).toBe('streaming_unsupported');
    const bad = await client('chgw_not-a-key')
      .models.list()
      .catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);
    // An API token of the clearinghouse is not a gateway key either.
    const apiToken = await client(w.agency.token)
      .models.list()
      .catch((e) => e);
    expect(apiToken).toBeInstanceOf(OpenAI.AuthenticationError);
    const raw = await fetch(`${gatewayURL}/chat/completions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } });
  });

  it('stops at the request budget: the upstream sees exactly the budgeted calls', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      grant: { budget: { requests: 2, tokens: 100_000, seconds: 600 } },
    });
    const ai = client(win.key);
    const before = up.seen.length;
    for (let i = 0; i < 2; i++)
      await ai.chat.completions.create({ model: 'production', messages: [{ role: 'user', content: `q${i}` }] });
    const third = await ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'q3' }] })
      .catch((e) => e);
    expect(third).toBeInstanceOf(OpenAI.RateLimitError);
    expect(third.code).toBe('insufficient_quota');
    expect(third.headers.get('x-should-retry')).toBe('false');
    expect(up.seen.length - before).toBe(2);
  });

  it("the harness's model client retries the gateway's rate limit (429 with Retry-After) up to its limit", async () => {
    const win = await openWindow(t, w, up.baseURL, {
      offer: { limits: { requestsPerMinute: 1, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } } },
      grant: { budget: { requests: 2, tokens: 100_000, seconds: 600 } },
    });
    const { model, sleeps } = harnessModel(win.key);
    const ask = () => model.generate({ messages: [{ role: 'user', content: 'q' }] });
    const before = up.seen.length;
    expect((await ask()).retries).toBe(0);
    // One request per minute: the next call meets the rate limit (429, retried with Retry-After, capped here), and
    // gives up after its retries without reaching the upstream.
    await expect(ask()).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(sleeps).toEqual([5, 5, 5]);
    expect(up.seen.length - before).toBe(1);
  });

  it("the harness's model client does not retry when the grant's budget is used up", async () => {
    const win = await openWindow(t, w, up.baseURL, {
      grant: { budget: { requests: 1, tokens: 100_000, seconds: 600 } },
    });
    const { model, sleeps } = harnessModel(win.key);
    const before = up.seen.length;
    await model.generate({ messages: [{ role: 'user', content: 'q1' }] });
    await expect(model.generate({ messages: [{ role: 'user', content: 'q2' }] })).rejects.toMatchObject({
      status: 429,
      code: 'insufficient_quota',
    });
    expect(sleeps).toEqual([]); // no retry
    expect(up.seen.length - before).toBe(1);
  });

  it('concurrent calls cannot overspend the request budget (atomic reservation)', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      grant: { budget: { requests: 5, tokens: 100_000, seconds: 600 } },
    });
    const ai = client(win.key);
    const before = up.seen.length;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ai.chat.completions
          .create({ model: 'production', messages: [{ role: 'user', content: `c${i}` }] })
          .then(() => 'ok')
          .catch((e: { code?: string }) => e.code ?? 'error'),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'insufficient_quota')).toHaveLength(15);
    expect(up.seen.length - before).toBe(5);
  });

  it('stops at the token budget once it is spent', async () => {
    const win = await openWindow(t, w, up.baseURL, { grant: { budget: { requests: 100, tokens: 5, seconds: 600 } } });
    const ai = client(win.key);
    await ai.chat.completions.create({
      model: 'production',
      messages: [{ role: 'user', content: 'a long enough question' }],
    });
    const next = await ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'again' }] })
      .catch((e) => e);
    expect(next.code).toBe('insufficient_quota');
  });

  it('applies the per-grant rate limit with Retry-After', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      offer: { limits: { requestsPerMinute: 2, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } } },
    });
    const ai = client(win.key);
    for (let i = 0; i < 2; i++)
      await ai.chat.completions.create({ model: 'production', messages: [{ role: 'user', content: 'r' }] });
    const third = await ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'r' }] })
      .catch((e) => e);
    expect(third).toBeInstanceOf(OpenAI.RateLimitError);
    expect(third.code).toBe('rate_limit_exceeded');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('nodes sharing the database share the rate limit (one sliding minute per grant, counted in the database)', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      offer: { limits: { requestsPerMinute: 3, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } } },
    });
    // A second node: its own gateway (its own memory) on the same database.
    const other = new Gateway(t.services.db, t.services.reviews.windows.secrets, () => new Date());
    const body = { model: 'production', messages: [{ role: 'user', content: 'n' }] };
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? 'error',
      );
    const before = up.seen.length;
    // Calls at once, spread over both nodes: exactly the limit gets through.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        outcome(
          i % 2 === 0
            ? t.services.reviews.gateway.chat(`Bearer ${win.key}`, body)
            : other.chat(`Bearer ${win.key}`, body),
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === 'rate_limit_exceeded')).toHaveLength(5);
    expect(up.seen.length - before).toBe(3);
    // Over HTTP too, with Retry-After.
    const next = await client(win.key)
      .chat.completions.create({ model: 'production', messages: [{ role: 'user', content: 'n' }] })
      .catch((e) => e);
    expect(next.code).toBe('rate_limit_exceeded');
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses every key after the developer closes the window', async () => {
    const win = await openWindow(t, w, up.baseURL);
    const ai = client(win.key);
    await ai.chat.completions.create({ model: 'production', messages: [{ role: 'user', content: 'before' }] });
    const closed = await t.req<{ state: string }>('POST', `${win.base}/close`, { token: w.dev.token });
    expect(closed.body.state).toBe('closed');
    const after = await ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'after' }] })
      .catch((e) => e);
    expect(after).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await ai.models.list().catch((e) => e)).status).toBe(401);
    // No new key can be made either.
    const k = await t.req('POST', `${win.base}/grants/${win.grantId}/keys`, { token: w.agency.token, body: {} });
    expect(k.status).toBe(409);
  });

  it('withdrawal aborts a call in flight at once and refuses the key afterwards', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      offer: {
        endpoint: { baseUrl: up.baseURL, apiKey: SECRET, variants: [{ variant: 'production', modelId: 'hang' }] },
      },
    });
    const ai = client(win.key);
    const started = Date.now();
    const pending = ai.chat.completions
      .create({ model: 'production', messages: [{ role: 'user', content: 'wait' }] })
      .catch((e) => e);
    while (t.services.reviews.gateway.inFlightCount === 0) await new Promise((r) => setTimeout(r, 10));
    const withdrawn = await t.req<{ state: string }>('POST', `${win.base}/withdraw`, { token: w.dev.token });
    expect(withdrawn.body.state).toBe('withdrawn');
    const err = await pending;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe('access_ended');
    expect(Date.now() - started).toBeLessThan(10_000); // ended by the withdrawal, not by the client's timeout
    expect(t.services.reviews.gateway.inFlightCount).toBe(0);
    const again = await ai.models.list().catch((e) => e);
    expect(again).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('a caller that goes away ends the upstream call too (it is not held until the upstream timeout)', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      offer: {
        endpoint: { baseUrl: up.baseURL, apiKey: SECRET, variants: [{ variant: 'production', modelId: 'hang' }] },
      },
    });
    const gone = new AbortController();
    const pending = client(win.key)
      .chat.completions.create(
        { model: 'production', messages: [{ role: 'user', content: 'wait' }] },
        { signal: gone.signal, maxRetries: 0 },
      )
      .catch((e) => e);
    while (t.services.reviews.gateway.inFlightCount === 0) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    gone.abort();
    await pending;
    while (t.services.reviews.gateway.inFlightCount > 0 && Date.now() - started < 10_000)
      await new Promise((r) => setTimeout(r, 10));
    expect(t.services.reviews.gateway.inFlightCount).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const log = await t.services.db.kysely
      .selectFrom('review_gateway_log')
      .select('outcome')
      .where('window_id', '=', win.id)
      .execute();
    expect(log.map((l) => l.outcome)).toContain('client_closed');
  });

  it('refuses a grant outside its validity even with a live key', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      grant: {
        validFrom: new Date(Date.now() + 2 * DAY).toISOString(),
        validUntil: new Date(Date.now() + 3 * DAY).toISOString(),
      },
    });
    // The key exists (validity is checked at every call), but the grant has not started yet.
    const ai = client(win.key);
    const early = await ai.models.list().catch((e) => e);
    expect(early).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(early.code).toBe('grant_inactive');
  });
});
