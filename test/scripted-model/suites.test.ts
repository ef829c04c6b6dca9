/**
 * Every bundled suite against every persona, through the official `openai` client pointed at the scripted server.
 * Prints the score table (suite × persona) that the review notes quote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithReference } from '../../src/reviews/harness/compare.js';
import { toEvalLog } from '../../src/reviews/harness/evallog.js';
import { openAIChatModel } from '../../src/reviews/harness/openai-model.js';
import { runTask } from '../../src/reviews/harness/runner.js';
import { InMemoryResultStore } from '../../src/reviews/harness/store.js';
import {
  cyberKnowledgeTask,
  promptInjectionTask,
  runBundledSuites,
  startBundledCtfTasks,
} from '../../src/reviews/harness/suites/index.js';
import type { ChatModel, RunRecord } from '../../src/reviews/harness/types.js';
import { answerKey, ctfAgent, flaky, follower, guesser, hang, judge, oracle, refuser } from './personas.js';
import { type ScriptedModelServer, startScriptedModel } from './server.js';

const PERSONAS = ['oracle', 'refuser', 'follower', 'guesser', 'ctf-agent', 'flaky'] as const;
type PersonaName = (typeof PERSONAS)[number];
type Row = {
  knowledge: number;
  injectionResisted: number;
  injectionLiteral: number;
  injectionJudged: number;
  ctf: number;
  ctfByTask: Record<string, number>;
  retries: number;
};

let server: ScriptedModelServer;
const scores = new Map<PersonaName, Row>();
const runs = new Map<string, RunRecord>();
const stores = new Map<PersonaName, InMemoryResultStore>();

function model(name: string, opts: { timeoutMs?: number; maxRetries?: number } = {}): ChatModel {
  return openAIChatModel({
    baseURL: server.baseURL,
    apiKey: 'scripted',
    model: name,
    timeoutMs: opts.timeoutMs ?? 10_000,
    retry: { maxRetries: opts.maxRetries ?? 3, baseDelayMs: 1, maxDelayMs: 20 },
  });
}

const accuracy = (r: RunRecord) => r.results![0]!.metrics.accuracy.value;

beforeAll(async () => {
  const key = answerKey();
  const o = oracle(key);
  server = await startScriptedModel({
    oracle: o,
    refuser,
    follower,
    guesser: guesser(42),
    'guesser-again': guesser(42),
    'ctf-agent': ctfAgent,
    flaky: flaky(o),
    hang,
    judge,
    'hang-once': (() => {
      const seen = new Set<string>();
      return (req: Parameters<typeof o>[0]) => {
        const k = JSON.stringify(req.messages);
        if (seen.has(k)) return o(req);
        seen.add(k);
        return { hang: true as const };
      };
    })(),
    slow: async (req) => {
      await new Promise((r) => setTimeout(r, 15));
      return o(req);
    },
  });
  const judgeModel = model('judge');
  const ctfTasks = await startBundledCtfTasks();
  try {
    for (const p of PERSONAS) {
      const store = new InMemoryResultStore();
      stores.set(p, store);
      const m = model(p);
      const knowledge = await runTask(cyberKnowledgeTask(), { model: m, store, concurrency: 4 });
      const injection = await runTask(promptInjectionTask(), { model: m, judge: judgeModel, store, concurrency: 8 });
      const ctfByTask: Record<string, number> = {};
      let solved = 0;
      let total = 0;
      let retries = 0;
      for (const t of ctfTasks) {
        const r = await runTask(t.task, { model: m, store, concurrency: 2 });
        runs.set(`${p}/${t.task.name}`, r);
        ctfByTask[t.task.name] = accuracy(r);
        const samples = await store.listSamples(r.runId);
        solved += samples.filter((s) => s.scores.flag?.value === 'C').length;
        total += samples.length;
        retries += samples.reduce((a, s) => a + s.retries, 0);
      }
      for (const r of [knowledge, injection])
        retries += (await store.listSamples(r.runId)).reduce((a, s) => a + s.retries, 0);
      runs.set(`${p}/knowledge`, knowledge);
      runs.set(`${p}/injection`, injection);
      const inj = await store.listSamples(injection.runId);
      const share = (check: string) => {
        const xs = inj.filter((s) => s.metadata?.check === check);
        return xs.filter((s) => s.scores.injection_resisted?.value === 'C').length / xs.length;
      };
      scores.set(p, {
        knowledge: accuracy(knowledge),
        injectionResisted: accuracy(injection),
        injectionLiteral: share('literal'),
        injectionJudged: share('judge'),
        ctf: solved / total,
        ctfByTask,
        retries,
      });
    }
  } finally {
    await Promise.all(ctfTasks.map((t) => t.close()));
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [...scores].map(
    ([p, r]) =>
      `${p.padEnd(10)} knowledge ${pct(r.knowledge).padStart(6)} | injection resisted ${pct(r.injectionResisted).padStart(6)} (literal ${pct(r.injectionLiteral)}, judged ${pct(r.injectionJudged)}) | ctf ${pct(r.ctf).padStart(6)} ${JSON.stringify(r.ctfByTask)} | retries ${r.retries}`,
  );
  console.log(`scores per persona (accuracy):\n${lines.join('\n')}`);
}, 120_000);

afterAll(async () => server?.close());

describe('bundled suites × personas (real openai client, scripted server)', () => {
  it('the oracle scores 100% on every suite, CTFs included', () => {
    expect(scores.get('oracle')).toMatchObject({ knowledge: 1, injectionResisted: 1, ctf: 1 });
  });

  it('the refuser answers nothing right but resists every injection', () => {
    expect(scores.get('refuser')).toMatchObject({ knowledge: 0, injectionResisted: 1, ctf: 0 });
  });

  it('the instruction follower is caught by the injection suite', () => {
    const r = scores.get('follower')!;
    expect(r.injectionResisted).toBeLessThan(0.5);
    expect(r.ctf).toBe(0);
  });

  it('the seeded guesser lands near chance on multiple choice, and reproducibly', async () => {
    const r = scores.get('guesser')!;
    expect(r.knowledge).toBeGreaterThan(0);
    expect(r.knowledge).toBeLessThan(0.7);
    const again = await runTask(cyberKnowledgeTask(), {
      model: model('guesser-again'),
      store: new InMemoryResultStore(),
    });
    expect(accuracy(again)).toBe(r.knowledge);
  });

  it('the tool-calling agent captures every flag by exploring, not from a key', () => {
    const r = scores.get('ctf-agent')!;
    expect(r.ctf).toBe(1);
    expect(Object.keys(r.ctfByTask)).toHaveLength(3);
  });

  it('answers after 429 and 500 through retries, with the same scores as the oracle', () => {
    const f = scores.get('flaky')!;
    const o = scores.get('oracle')!;
    expect({ ...f, retries: 0 }).toEqual({ ...o, retries: 0 });
    expect(f.retries).toBeGreaterThan(0);
    expect(o.retries).toBe(0);
  });

  it('records a model that hangs as errored samples after its retries, and the run as error', async () => {
    const store = new InMemoryResultStore();
    const task = { ...cyberKnowledgeTask(), dataset: cyberKnowledgeTask().dataset.slice(0, 3) };
    const run = await runTask(task, { model: model('hang', { timeoutMs: 150, maxRetries: 1 }), store, concurrency: 3 });
    expect(run.status).toBe('error');
    const samples = await store.listSamples(run.runId);
    expect(samples).toHaveLength(3);
    expect(samples.every((s) => s.error && /timed out/i.test(s.error.message))).toBe(true);
    expect(server.calls.get('hang')).toBe(6); // 3 samples × (1 try + 1 retry)
  });

  it('retries a request that timed out, and then scores it', async () => {
    const store = new InMemoryResultStore();
    const task = { ...cyberKnowledgeTask(), dataset: cyberKnowledgeTask().dataset.slice(0, 4) };
    const run = await runTask(task, {
      model: model('hang-once', { timeoutMs: 150, maxRetries: 2 }),
      store,
      concurrency: 4,
    });
    expect(run.status).toBe('success');
    expect(accuracy(run)).toBe(1);
    expect((await store.listSamples(run.runId)).map((s) => s.retries)).toEqual([1, 1, 1, 1]);
  });

  it('compares a model with a reference model run the same way', () => {
    const [c] = compareWithReference(runs.get('guesser/knowledge')!, runs.get('oracle/knowledge')!);
    expect(c!.difference).toBeCloseTo(scores.get('guesser')!.knowledge - 1);
    expect(c!.ci95[1]).toBeLessThan(0); // the guesser is clearly below the reference
  });

  it('exports a CTF agent run as an EvalLog with the tool calls in its transcript', async () => {
    const run = runs.get('ctf-agent/ctf-weak-token')!;
    const log = toEvalLog(run, await stores.get('ctf-agent')!.listSamples(run.runId)) as {
      status: string;
      samples: Array<{
        messages: Array<{
          role: string;
          tool_calls?: Array<{ function: string; arguments: { headers?: Record<string, string> } }>;
        }>;
      }>;
    };
    expect(log.status).toBe('success');
    const calls = log.samples.flatMap((s) => s.messages.flatMap((m) => m.tool_calls ?? []));
    expect(
      calls.some((c) => c.function === 'http_request' && /^Bearer /.test(c.arguments.headers?.Authorization ?? '')),
    ).toBe(true);
    expect(calls.filter((c) => c.function === 'submit')).toHaveLength(log.samples.length);
  });

  it('runs all bundled suites in one call, one run per task', async () => {
    const store = new InMemoryResultStore();
    const all = await runBundledSuites({ model: model('oracle'), store, injection: { literalOnly: true } });
    expect(all.map((r) => r.task)).toEqual([
      'cyber-knowledge',
      'cyberseceval-prompt-injection-literal',
      'ctf-idor-invoices',
      'ctf-path-traversal',
      'ctf-weak-token',
    ]);
    expect(all.every((r) => r.status === 'success' && accuracy(r) === 1)).toBe(true);
  });

  it('keeps the samples in flight within the concurrency bound', async () => {
    const run = await runTask(cyberKnowledgeTask(), {
      model: model('slow'),
      store: new InMemoryResultStore(),
      concurrency: 3,
    });
    expect(accuracy(run)).toBe(1);
    expect(server.maxInFlight.get('slow')).toBe(3);
  });
});
