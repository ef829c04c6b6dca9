/**
 * Gateway benchmark (npm run bench:gateway [-- --calls N --concurrency C]). An in-memory SQLite clearinghouse listens
 * on 127.0.0.1 in front of the scripted OpenAI-compatible model. The official `openai` client makes N calls
 * directly to the upstream and N calls through the gateway (key lookup, window and grant checks, budget reservation,
 * forwarding with the decrypted secret, usage and metadata log), one at a time: median and p95 latency and the
 * overhead the gateway adds (the two alternate call by call). Then N calls through the gateway, C at a time: calls/s, wall and CPU time (the machine
 * may be shared).
 */
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { openRuntime } from '../../src/main.js';
import { startScriptedModel } from '../../test/scripted-model/server.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const N = Number(opt('calls', '500'));
const C = Number(opt('concurrency', '16'));

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
const msg = (i: number) => [{ role: 'user' as const, content: `benchmark question ${i}: what is 2 + 2?` }];

const upstream = await startScriptedModel({ echo: () => ({ content: 'ANSWER: 4' }) });
const token = `chk_bench_${randomBytes(16).toString('hex')}`;
const config = {
  ...loadConfig({ CLEARINGHOUSE_ADMIN_TOKEN: token, CLEARINGHOUSE_LOG_LEVEL: 'silent' }),
  databaseUrl: 'sqlite::memory:',
  secretsKey: randomBytes(32).toString('base64'),
};
const runtime = await openRuntime(config, { db: openDb('sqlite::memory:') });
const s = runtime.services;
const app = await buildApp(s);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
try {
  const admin = await s.participants.authenticate(token);
  const devOrg = await s.participants.createOrg(admin, {
    name: 'Bench lab',
    kind: 'ai_developer',
    admin: { email: 'a@lab.test', name: 'A' },
  });
  const agencyOrg = await s.participants.createOrg(admin, {
    name: 'Bench agency',
    kind: 'federal_agency',
    admin: { email: 'a@ag.test', name: 'B' },
  });
  const dev = await s.participants.authenticate(devOrg.secret!);
  const agency = await s.participants.authenticate(agencyOrg.secret!);
  const big = { requests: 10_000_000, tokens: 10_000_000_000, seconds: 10_000_000 };
  const win = await s.reviews.windows.create(dev, {
    modelName: 'Bench model',
    snapshotId: 'bench-1',
    trustedPartnerDate: new Date(Date.now() + 20 * 86_400_000).toISOString(),
    endpoint: { baseUrl: upstream.baseURL, apiKey: 'sk-bench', variants: [{ variant: 'production', modelId: 'echo' }] },
    limits: { requestsPerMinute: 100_000, maxBudget: big },
    attachments: [],
  });
  const terms = await s.reviews.terms.addTerms(dev, win.id, {
    audience: 'government',
    scope: { agencies: [], categories: ['bench'], partnersAllowed: false },
    confidentiality: 'bench',
    retentionDays: 1,
    onWithdrawal: 'keep',
    tlpDefault: 'AMBER',
    text: 'bench terms',
  });
  await s.reviews.terms.consent(dev, win.id, { termsId: terms.id, termsSha256: terms.textSha256 });
  await s.reviews.windows.act(dev, win.id, 'offer');
  await s.reviews.windows.act(dev, win.id, 'open');
  const grant = await s.reviews.grants.create(dev, win.id, {
    granteeOrgId: agency.viewer.orgId,
    role: 'government_reviewer',
    variants: ['production'],
    categories: ['bench'],
    rawTranscripts: false,
    budget: big,
  });
  const key = await s.reviews.grants.createKey(agency, win.id, grant.id, 'bench');

  const direct = new OpenAI({ baseURL: upstream.baseURL, apiKey: 'sk-bench', maxRetries: 0 });
  const gateway = new OpenAI({ baseURL: `${address}/gateway/v1`, apiKey: key.secret, maxRetries: 0 });
  // Direct and gateway calls alternate, so that both see the same load on a shared machine.
  const d: number[] = [];
  const g: number[] = [];
  const cpu = { direct: 0, gateway: 0 };
  const timed = async (xs: number[], which: 'direct' | 'gateway', f: () => Promise<unknown>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu[which] += (c.user + c.system) / 1000;
  };
  for (let i = 0; i < 20; i++) {
    await direct.chat.completions.create({ model: 'echo', messages: msg(i) }); // warm-up of both paths
    await gateway.chat.completions.create({ model: 'production', messages: msg(i) });
  }
  for (let i = 0; i < N; i++) {
    await timed(d, 'direct', () => direct.chat.completions.create({ model: 'echo', messages: msg(i) }));
    await timed(g, 'gateway', () => gateway.chat.completions.create({ model: 'production', messages: msg(i) }));
  }
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(10)} median ${pct(xs, 0.5).toFixed(2)} ms   p95 ${pct(xs, 0.95).toFixed(2)} ms`;
  console.log(`one call at a time, ${N} calls each, direct and gateway alternating`);
  console.log(row('direct', d));
  console.log(row('gateway', g));
  console.log(
    `CPU per call (this process: client, gateway and upstream): direct ${(cpu.direct / N).toFixed(2)} ms, gateway ${(cpu.gateway / N).toFixed(2)} ms`,
  );
  console.log(
    `gateway overhead: median +${(pct(g, 0.5) - pct(d, 0.5)).toFixed(2)} ms, p95 +${(pct(g, 0.95) - pct(d, 0.95)).toFixed(2)} ms`,
  );

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const i = next++;
        await gateway.chat.completions.create({ model: 'production', messages: msg(i) });
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpuAll = process.cpuUsage(cpu0);
  console.log(
    `${N} calls through the gateway, ${C} at a time: ${(N / wall).toFixed(0)} calls/s (wall ${wall.toFixed(2)} s, CPU ${((cpuAll.user + cpuAll.system) / 1e6).toFixed(2)} s incl. the scripted upstream in this process)`,
  );
  const used = await s.reviews.grants.get(agency, win.id, grant.id);
  console.log(`metered: ${used.used.requests} requests, ${used.used.tokens} tokens`);
} finally {
  await app.close();
  await runtime.close();
  await upstream.close();
}
