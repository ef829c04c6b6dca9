/**
 * GET /api/v1/advisories/statistics on every backend: counts by month and by ATLAS tactic (techniques mapped with the
 * bundled ATLAS release, one count per advisory and tactic), and only over advisories the caller may see.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';

interface Stats {
  total: number;
  byMonth: { month: string; count: number }[];
  byTactic: { tactic: string; name: string; count: number }[];
  withoutTactic: number;
}

describeBackends('advisory statistics', (backend) => {
  let t: TestApp;
  let partner: TestOrg;
  let outsider: TestOrg;
  let now = Date.parse('2026-10-15T10:00:00Z');

  async function publish(summary: string, atlasIds: string[], marking?: Record<string, unknown>) {
    const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', {
      token: t.adminToken,
      body: { summary, atlasIds, ...(marking ? { marking } : {}) },
    });
    expect(res.status, res.raw).toBe(201);
    return res.body.id;
  }

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => new Date(now) });
    partner = await t.org('Stats Partner', 'vendor');
    outsider = await t.org('Stats Outsider', 'vendor');
    // October: one advisory with a technique and its own sub-technique (both Execution: counted once).
    await publish('Prompt injection through retrieved documents', ['AML.T0051', 'AML.T0051.000']);
    now = Date.parse('2026-11-20T10:00:00Z');
    // November: a jailbreak (two tactics), an AMBER exfiltration shared with the partner only, one without ATLAS ids.
    await publish('Jailbreak by role play in the system prompt', ['AML.T0054']);
    await publish('Training data leaks through the inference API', ['AML.T0024', 'AML.T0057'], {
      tlp: 'AMBER',
      sharedWithOrgIds: [partner.orgId],
    });
    await publish('Sampler crash on empty prompt', []);
    const gone = await publish('Adversarial patch against the vision encoder', ['AML.T0043']);
    const w = await t.req('POST', `/api/v1/advisories/${gone}/withdraw`, {
      token: t.adminToken,
      body: { reason: 'duplicate of an earlier advisory' },
    });
    expect(w.status, w.raw).toBe(200);
    now = Date.parse('2026-11-26T10:00:00Z');
  });
  afterAll(async () => t?.close());

  const stats = async (token: string | null, query = '') => {
    const res = await t.req<Stats>('GET', `/api/v1/advisories/statistics${query}`, { token });
    expect(res.status, res.raw).toBe(200);
    return res.body;
  };
  const tactic = (s: Stats, id: string) => s.byTactic.find((x) => x.tactic === id)?.count ?? 0;

  it('counts by month and by ATLAS tactic for a caller who sees everything', async () => {
    const s = await stats(partner.token);
    expect(s.total).toBe(4);
    expect(s.byMonth).toEqual([
      { month: '2026-10', count: 1 },
      { month: '2026-11', count: 3 },
    ]);
    expect(s.byTactic).toEqual([
      { tactic: 'AML.TA0005', name: 'Execution', count: 1 },
      { tactic: 'AML.TA0007', name: 'Defense Evasion', count: 1 },
      { tactic: 'AML.TA0010', name: 'Exfiltration', count: 1 },
      { tactic: 'AML.TA0012', name: 'Privilege Escalation', count: 1 },
    ]);
    expect(s.withoutTactic).toBe(1);
  });

  it('does not count an AMBER advisory for an organisation it is not shared with, nor for anonymous callers', async () => {
    for (const token of [outsider.token, null]) {
      const s = await stats(token);
      expect(s.total).toBe(3);
      expect(tactic(s, 'AML.TA0010')).toBe(0);
      expect(tactic(s, 'AML.TA0005')).toBe(1);
      expect(s.byMonth).toEqual([
        { month: '2026-10', count: 1 },
        { month: '2026-11', count: 2 },
      ]);
    }
  });

  it('leaves withdrawn advisories out unless asked, and limits the months', async () => {
    const all = await stats(t.adminToken, '?withdrawn=include');
    expect(all.total).toBe(5);
    expect(tactic(all, 'AML.TA0001')).toBe(1);
    expect(tactic(await stats(t.adminToken), 'AML.TA0001')).toBe(0);
    expect((await stats(t.adminToken, '?months=1')).byMonth).toEqual([{ month: '2026-11', count: 3 }]);
  });

  it('refuses a bad query naming the field', async () => {
    const res = await t.req<{ issues: { path: string }[] }>('GET', '/api/v1/advisories/statistics?months=0');
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i) => i.path)).toContain('query.months');
  });
});
