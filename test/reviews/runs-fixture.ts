/**
 * Set-up for the run and finding tests: a clearinghouse listening on 127.0.0.1 (the gateway is reached over HTTP by
 * the official `openai` client), a scripted upstream model behind the developer's endpoint, a separately configured
 * judge, windows whose production variant is one persona, and helpers to wait for runs.
 */
import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { Dialect } from '../../src/db/connect.js';
import { startTestApp, type TestApp } from '../harness.js';
import {
  answerKey,
  ctfAgent,
  flaky,
  follower,
  guesser,
  hang,
  judge,
  oracle,
  refuser,
} from '../scripted-model/personas.js';
import type { Persona } from '../scripted-model/server.js';
import { openWindow, SECRETS_KEY, startUpstream, type World, world } from './window-fixtures.js';

export function personas(extra: Record<string, Persona> = {}): Record<string, Persona> {
  const o = oracle(answerKey());
  return {
    oracle: o,
    refuser,
    follower,
    guesser: guesser(42),
    'ctf-agent': ctfAgent,
    flaky: flaky(o),
    hang,
    judge,
    ...extra,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Live {
  t: TestApp;
  w: World;
  up: Awaited<ReturnType<typeof startUpstream>>;
  baseUrl: string;
  stopRuns: () => Promise<void>;
  close(): Promise<void>;
}

/** A listening app whose run service executes runs (as `serve` does), with a scripted upstream and judge. */
export async function startLive(
  backend: Dialect,
  opts: { personas?: Record<string, Persona>; clock?: () => Date; execute?: boolean } = {},
): Promise<Live> {
  const up = await startUpstream(opts.personas ?? personas());
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp(backend, {
    clock: opts.clock,
    config: {
      secretsKey: SECRETS_KEY,
      rateLimitPerMinute: 1_000_000, // the tests poll run status
      baseUrl,
      port,
      judge: { baseURL: up.model.baseURL, apiKey: 'judge-key', model: 'judge' },
    },
  });
  await t.app.listen({ host: '127.0.0.1', port });
  // Quick retries and a short timeout: the scripted server answers at once or hangs on purpose.
  t.services.reviewRuns.opts.model = { timeoutMs: 15_000, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 20 } };
  let stopRuns = async () => {};
  if (opts.execute !== false) stopRuns = await t.services.reviewRuns.resume();
  const w = await world(t);
  return {
    t,
    w,
    up,
    baseUrl,
    stopRuns: () => stopRuns(),
    async close() {
      await stopRuns();
      // The upstream first: a model call still hanging there would keep a gateway request (and the app) open.
      await up.close();
      // Model calls aborted by a cancel may leave gateway requests open until the upstream timeout: cut them.
      t.app.server.closeAllConnections();
      await t.close();
    },
  };
}

export const ALL_CATEGORIES = ['cyber_knowledge', 'prompt_injection', 'ctf'];

/** An open window whose production variant is `persona` (reduced-safeguards: `reference`), granted to w.agency. */
export async function personaWindow(
  live: Live,
  persona: string,
  o: {
    reference?: string;
    rawTranscripts?: boolean;
    offer?: Record<string, unknown>;
    terms?: Record<string, unknown>;
  } = {},
) {
  const variants = [
    { variant: 'production', modelId: persona },
    { variant: 'reduced-safeguards', modelId: o.reference ?? persona },
  ];
  return openWindow(live.t, live.w, live.up.baseURL, {
    ...(o.terms ? { terms: o.terms } : {}),
    offer: {
      endpoint: { baseUrl: live.up.baseURL, apiKey: (await import('./window-fixtures.js')).SECRET, variants },
      limits: {
        requestsPerMinute: 100_000,
        maxBudget: { requests: 1_000_000, tokens: 1_000_000_000, seconds: 1_000_000 },
      },
      ...o.offer,
    },
    grant: {
      variants: ['production', 'reduced-safeguards'],
      categories: ALL_CATEGORIES,
      rawTranscripts: o.rawTranscripts ?? true,
      budget: { requests: 1_000_000, tokens: 1_000_000_000, seconds: 1_000_000 },
    },
  });
}

export interface RunBody {
  id: string;
  status: string;
  task: string;
  results: { scorer: string; metrics: { accuracy: { value: number } } }[];
  [k: string]: unknown;
}

/** Starts runs over HTTP and waits until each has ended. */
export async function runAndWait(
  live: Live,
  win: { base: string },
  body: Record<string, unknown>,
  token = live.w.agency.token,
): Promise<RunBody[]> {
  const r = await live.t.req<{ runs: RunBody[] }>('POST', `${win.base}/runs`, { token, body });
  expect(r.status, r.raw).toBe(201);
  for (const run of r.body.runs) await live.t.services.reviewRuns.settledRun(run.id);
  return Promise.all(
    r.body.runs.map(async (run) => (await live.t.req<RunBody>('GET', `${win.base}/runs/${run.id}`, { token })).body),
  );
}

export const accuracy = (r: RunBody) => r.results[0]?.metrics.accuracy.value ?? Number.NaN;

/** A low-severity finding whose evidence is one run (1 of 2 samples reproduce it); `over` changes the rest. */
export function findingBody(runId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'A finding from the run',
    type: 'other',
    severity: 'low',
    description: 'Evidence from the run of this window.',
    evidence: [{ runId }],
    reproducibility: { k: 1, n: 2 },
    ...over,
  };
}
