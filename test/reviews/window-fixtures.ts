/**
 * Shared set-up for the review window tests: organisations, a window offered and opened on a scripted upstream model,
 * a government grant and its gateway key; and an upstream front that records what reaches the developer's endpoint.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TestApp, TestOrg } from '../harness.js';
import { type Persona, startScriptedModel } from '../scripted-model/server.js';

export const SECRET = `sk-upstream-${randomBytes(12).toString('hex')}`;
export const SECRETS_KEY = randomBytes(32).toString('base64');
export const DAY = 86_400_000;
export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export const TERMS_TEXT =
  'The developer offers this model snapshot for a voluntary cyber-capability review. Results are shared with the ' +
  'developer before release. The review never decides whether the model may be released.';

/** A scripted OpenAI-compatible model behind a front that records headers and bodies reaching the upstream. */
export async function startUpstream(personas: Record<string, Persona>) {
  const model = await startScriptedModel(personas);
  const seen: { authorization: string | undefined; body: string }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ authorization: req.headers.authorization, body });
      if (req.headers.authorization !== `Bearer ${SECRET}`) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}` } }));
        return;
      }
      const ac = new AbortController();
      res.on('close', () => ac.abort());
      try {
        const up = await fetch(`${model.baseURL}${req.url?.replace(/^\/v1/, '')}`, {
          method: req.method,
          headers: { 'content-type': 'application/json' },
          body: req.method === 'POST' ? body : undefined,
          signal: ac.signal,
        });
        res.writeHead(up.status, { 'content-type': 'application/json' });
        res.end(await up.text());
      } catch {
        res.destroy();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    seen,
    model,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await model.close();
    },
  };
}

export interface World {
  dev: TestOrg;
  agency: TestOrg;
  otherAgency: TestOrg;
  partner: TestOrg;
  coordinatorToken: string;
}

export async function world(t: TestApp): Promise<World> {
  return {
    dev: await t.org('Frontier Lab', 'ai_developer'),
    agency: await t.org('Cyber Agency', 'federal_agency'),
    otherAgency: await t.org('Other Agency', 'federal_agency'),
    partner: await t.org('Partner Co', 'vendor'),
    coordinatorToken: t.adminToken,
  };
}

export function offerBody(baseURL: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    modelName: 'Frontier-1',
    snapshotId: 'frontier-1-2026-11-20',
    trustedPartnerDate: new Date(Date.now() + 60 * DAY).toISOString(),
    publicDate: new Date(Date.now() + 90 * DAY).toISOString(),
    endpoint: {
      baseUrl: baseURL,
      apiKey: SECRET,
      variants: [
        { variant: 'production', modelId: 'echo' },
        { variant: 'reduced-safeguards', modelId: 'echo' },
      ],
    },
    limits: { requestsPerMinute: 1000, maxBudget: { requests: 1000, tokens: 1_000_000, seconds: 3600 } },
    covered: { designationRef: 'DSG-0001' },
    attachments: [
      {
        kind: 'model_card',
        filename: 'card.md',
        contentType: 'text/markdown',
        contentBase64: Buffer.from('# Frontier-1 model card').toString('base64'),
      },
    ],
    ...over,
  };
}

export function termsBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    audience: 'government',
    scope: { agencies: [], categories: ['cyber_knowledge', 'prompt_injection', 'ctf'], partnersAllowed: true },
    confidentiality: 'Transcripts stay inside the clearinghouse; findings are TLP:AMBER by default.',
    retentionDays: 90,
    onWithdrawal: 'keep',
    tlpDefault: 'AMBER',
    text: TERMS_TEXT,
    ...over,
  };
}

export function grantBody(granteeOrgId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    granteeOrgId,
    role: 'government_reviewer',
    variants: ['production'],
    categories: ['cyber_knowledge'],
    rawTranscripts: true,
    budget: { requests: 100, tokens: 100_000, seconds: 600 },
    ...over,
  };
}

async function ok<T = Record<string, unknown>>(
  p: Promise<{ status: number; body: unknown; raw: string }>,
  status = 200,
): Promise<T> {
  const r = await p;
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.raw}`);
  return r.body as T;
}

/** A window offered by w.dev, terms signed, opened, with a government grant for w.agency and a key. */
export async function openWindow(
  t: TestApp,
  w: World,
  upstreamURL: string,
  opts: { offer?: Record<string, unknown>; terms?: Record<string, unknown>; grant?: Record<string, unknown> } = {},
) {
  const win = await ok<{ id: string }>(
    t.req('POST', '/api/v1/reviews/windows', { token: w.dev.token, body: offerBody(upstreamURL, opts.offer) }),
    201,
  );
  const base = `/api/v1/reviews/windows/${win.id}`;
  const terms = await ok<{ id: string; textSha256: string }>(
    t.req('POST', `${base}/terms`, { token: w.dev.token, body: termsBody(opts.terms) }),
    201,
  );
  await ok(
    t.req('POST', `${base}/consents`, {
      token: w.dev.token,
      body: { termsId: terms.id, termsSha256: terms.textSha256 },
    }),
    201,
  );
  await ok(t.req('POST', `${base}/offer`, { token: w.dev.token }));
  const opened = await ok<{ closesAt: string; state: string }>(t.req('POST', `${base}/open`, { token: w.dev.token }));
  const grant = await ok<{ id: string }>(
    t.req('POST', `${base}/grants`, { token: w.dev.token, body: grantBody(w.agency.orgId, opts.grant) }),
    201,
  );
  const key = await ok<{ id: string; secret: string }>(
    t.req('POST', `${base}/grants/${grant.id}/keys`, { token: w.agency.token, body: { label: 'test' } }),
    201,
  );
  return {
    id: win.id,
    base,
    termsId: terms.id,
    grantId: grant.id,
    key: key.secret,
    keyId: key.id,
    closesAt: opened.closesAt,
  };
}
