/**
 * Every bundled suite, end to end, for every scripted persona: a reviewer starts the runs over the REST API, the run
 * service calls the model through our gateway with a grant-bound key (official `openai` client, app listening on
 * 127.0.0.1), the gateway forwards to the developer's endpoint (the scripted upstream), the judge is configured apart.
 * Prints the score table quoted in docs/reviews.md ("Scores per persona"). On SQLite the 251 CyberSecEval cases run
 * in full; on PostgreSQL the first 12 (the table is printed from SQLite).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { accuracy, type Live, personaWindow, type RunBody, runAndWait, startLive } from './runs-fixture.js';

const PERSONAS = ['oracle', 'refuser', 'follower', 'guesser', 'ctf-agent', 'flaky'] as const;

interface Row {
  knowledge: number;
  injection: number;
  literal: number;
  judged: number;
  injectionSamples: number;
  ctf: number;
  ctfSamples: number;
  retries: number;
  gatewayRequests: number;
}

interface RawSample {
  scores: Record<string, { value: string }>;
  metadata?: { check?: string };
  retries: number;
}

describeBackends('e2e: every bundled suite per persona through the gateway', (backend) => {
  let live: Live;
  const table = new Map<string, Row>();
  const injectionLimit = backend === 'sqlite' ? undefined : 12;

  beforeAll(async () => {
    live = await startLive(backend);
  }, 180_000);
  afterAll(() => live?.close(), 60_000);

  const samples = async (win: { base: string }, run: RunBody) =>
    (
      await live.t.req<{ transcripts: boolean; items: RawSample[] }>('GET', `${win.base}/runs/${run.id}/samples`, {
        token: live.w.agency.token,
      })
    ).body;

  for (const persona of PERSONAS)
    it(`${persona}: purplellama, cyber-knowledge and ctf`, { timeout: 600_000 }, async () => {
      const win = await personaWindow(live, persona);
      const before = live.up.seen.length;
      const [injection] = await runAndWait(live, win, {
        suite: 'purplellama',
        ...(injectionLimit ? { limit: injectionLimit } : {}),
      });
      const [knowledge] = await runAndWait(live, win, { suite: 'cyber-knowledge' });
      const ctf = await runAndWait(live, win, { suite: 'ctf' });
      for (const r of [injection!, knowledge!, ...ctf])
        expect(r.status, `${r.task}: ${String(r.error)}`).toBe('success');
      expect(ctf.map((r) => r.task).sort()).toEqual(['ctf-idor-invoices', 'ctf-path-traversal', 'ctf-weak-token']);

      const inj = await samples(win, injection!);
      expect(inj.transcripts).toBe(true);
      expect(inj.items).toHaveLength(injectionLimit ?? 251);
      const share = (check: string) => {
        const xs = inj.items.filter((s) => s.metadata?.check === check);
        return xs.length ? xs.filter((s) => s.scores.injection_resisted?.value === 'C').length / xs.length : Number.NaN;
      };
      const ctfItems = (await Promise.all(ctf.map((r) => samples(win, r)))).flatMap((x) => x.items);
      const all = [...inj.items, ...(await samples(win, knowledge!)).items, ...ctfItems];
      table.set(persona, {
        knowledge: accuracy(knowledge!),
        injection: accuracy(injection!),
        literal: share('literal'),
        judged: share('judge'),
        injectionSamples: inj.items.length,
        ctf: ctfItems.filter((s) => s.scores.flag?.value === 'C').length / ctfItems.length,
        ctfSamples: ctfItems.length,
        retries: all.reduce((a, s) => a + s.retries, 0),
        gatewayRequests: live.up.seen.length - before,
      });
      // Every model call of these runs went through the gateway to the upstream with the developer's secret.
      expect(live.up.seen.length - before).toBeGreaterThanOrEqual(all.length);
    });

  it('scores are what each persona is built to do', () => {
    const r = (p: string) => table.get(p)!;
    expect(r('oracle')).toMatchObject({ knowledge: 1, injection: 1, ctf: 1, retries: 0 });
    expect(r('refuser')).toMatchObject({ knowledge: 0, injection: 1, ctf: 0 });
    expect(r('follower').injection).toBeLessThan(0.3);
    expect(r('follower').ctf).toBe(0);
    expect(r('guesser').knowledge).toBeGreaterThan(0);
    expect(r('guesser').knowledge).toBeLessThan(1);
    expect(r('ctf-agent').ctf).toBe(1);
    // The flaky model (429, then 500, then the oracle's answer) scores as the oracle once retried through the gateway.
    expect(r('flaky')).toMatchObject({ knowledge: 1, injection: 1, ctf: 1 });
    expect(r('flaky').retries).toBeGreaterThan(0);
    const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1).replace(/\.0$/, '')}%`);
    const lines = [
      `Scores per persona through the gateway [${backend}] (injection cases: ${r('oracle').injectionSamples})`,
      '| persona | knowledge (20) | injection resisted (literal / judged) | CTF (6) | retries | upstream requests |',
      '| --- | --- | --- | --- | --- | --- |',
      ...PERSONAS.map((p) => {
        const x = r(p);
        return `| ${p} | ${pct(x.knowledge)} | ${pct(x.injection)} (${pct(x.literal)} / ${pct(x.judged)}) | ${pct(x.ctf)} | ${x.retries} | ${x.gatewayRequests} |`;
      }),
    ];
    console.log(lines.join('\n'));
  });
});
