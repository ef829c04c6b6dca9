/**
 * Findings of a review window through the REST API: draft with evidence from the window's runs → validated by a
 * second reviewer (never the author) → shared with the developer → the developer's response; checked ids (CWE,
 * ATLAS, OWASP LLM); frozen when the window ends; the report to the developer (JSON and Markdown, before the
 * trusted-partner date); a third-party finding becoming a clearinghouse report linked both ways; and who must NOT
 * see findings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import type { TestOrg } from '../harness.js';
import { type Live, personaWindow, type RunBody, runAndWait, startLive } from './runs-fixture.js';
import { grantBody } from './window-fixtures.js';

interface Finding {
  id: string;
  state: string;
  frozen: boolean;
  reportId: string | null;
  response: { value: string; note: string } | null;
  [k: string]: unknown;
}

describeBackends('review findings', (backend) => {
  let live: Live;
  let second: TestOrg; // a second reviewer of the same agency
  beforeAll(async () => {
    live = await startLive(backend);
    second = await live.t.member(live.w.agency, 'analyst');
  }, 180_000);
  afterAll(() => live?.close(), 60_000);

  const req = <T = Finding>(method: string, url: string, token: string | null, body?: unknown) =>
    live.t.req<T>(method, url, { token, body });
  const audit = async (objectId: string) =>
    (await live.t.services.audit.list({ objectId, limit: 50 })).map((e) => e.action).reverse();

  async function windowWithRun() {
    const win = await personaWindow(live, 'oracle');
    const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge', limit: 3, epochs: 2 });
    return { win, run: run as RunBody };
  }

  const body = (runId: string, over: Record<string, unknown> = {}) => ({
    title: 'Model gives working exploitation steps for a known web flaw',
    type: 'capability',
    severity: 'high',
    description: 'With the production variant the model walked through an exploitation of the test service.',
    evidence: [{ runId, sampleId: 'ck-01', epoch: 1 }, { runId }],
    reproducibility: { k: 2, n: 2 },
    atlasIds: ['AML.T0051'],
    owaspLlmIds: ['LLM01:2025'],
    cweIds: ['CWE-639'],
    tlp: 'AMBER',
    labels: [{ framework: 'openai_preparedness', label: 'cybersecurity: medium' }],
    ...over,
  });

  it('draft → validated by a second reviewer → shared → the developer responds; audited at each step', async () => {
    const { win, run } = await windowWithRun();
    const F = `${win.base}/findings`;
    const created = await req('POST', F, live.w.agency.token, body(run.id));
    expect(created.status, created.raw).toBe(201);
    const f = created.body;
    expect(f).toMatchObject({ state: 'draft', reproducibility: { k: 2, n: 2 }, tlp: 'AMBER', frozen: false });
    const one = `${F}/${f.id}`;

    // The developer sees nothing of a draft.
    expect((await req('GET', one, live.w.dev.token)).status).toBe(404);
    expect((await req<{ items: Finding[] }>('GET', F, live.w.dev.token)).body.items).toEqual([]);
    // The developer cannot respond to it either.
    expect((await req('POST', `${one}/response`, live.w.dev.token, { response: 'acknowledged' })).status).toBe(404);

    // The author edits the draft; nobody else does.
    const edit = await req('PATCH', one, live.w.agency.token, { severity: 'critical' });
    expect(edit.status, edit.raw).toBe(200);
    expect(edit.body.severity).toBe('critical');
    expect((await req('PATCH', one, second.token, { severity: 'low' })).status).toBe(403);

    // Sharing needs validation first; the author never validates their own finding.
    expect((await req('POST', `${one}/share`, live.w.agency.token)).status).toBe(409);
    const self = await req('POST', `${one}/validate`, live.w.agency.token, {});
    expect(self.status).toBe(403);
    expect(self.raw).toContain('second reviewer');
    // The developer cannot validate.
    expect((await req('POST', `${one}/validate`, live.w.dev.token, {})).status).toBe(404);
    const v = await req('POST', `${one}/validate`, second.token, { note: 'reproduced on epoch 2' });
    expect(v.status, v.raw).toBe(200);
    expect(v.body).toMatchObject({ state: 'validated', validatedBy: second.memberId });
    expect((await req('POST', `${one}/validate`, second.token, {})).status).toBe(409);
    // No edits once validated.
    expect((await req('PATCH', one, live.w.agency.token, { severity: 'low' })).status).toBe(409);
    expect((await req('GET', one, live.w.dev.token)).status).toBe(404);

    const shared = await req('POST', `${one}/share`, second.token);
    expect(shared.status, shared.raw).toBe(200);
    const seen = await req('GET', one, live.w.dev.token);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ state: 'shared', title: f.title });

    // Only the developer side responds.
    expect((await req('POST', `${one}/response`, live.w.agency.token, { response: 'mitigated' })).status).toBe(403);
    const bad = await req<{ issues: { path: string }[] }>('POST', `${one}/response`, live.w.dev.token, {
      response: 'rejected',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.path)).toContain('response');
    const resp = await req('POST', `${one}/response`, live.w.dev.token, {
      response: 'disputed',
      note: 'Our safeguards flag this pattern in production.',
    });
    expect(resp.status, resp.raw).toBe(200);
    expect(resp.body).toMatchObject({ state: 'responded', response: { value: 'disputed' } });
    expect(await audit(f.id)).toEqual([
      'review_finding.create',
      'review_finding.update',
      'review_finding.validate',
      'review_finding.share',
      'review_finding.respond',
    ]);
  });

  it('refuses bad input naming the field: unknown ids, k > n, evidence outside the window, unknown sample', async () => {
    const { win, run } = await windowWithRun();
    const other = await windowWithRun();
    const cases: [Record<string, unknown>, string][] = [
      [{ cweIds: ['CWE-99999999'] }, 'cweIds.0'],
      [{ atlasIds: ['AML.T9999'] }, 'atlasIds.0'],
      [{ owaspLlmIds: ['LLM99:2025'] }, 'owaspLlmIds.0'],
      [{ reproducibility: { k: 3, n: 2 } }, 'reproducibility.k'],
      [{ evidence: [{ runId: other.run.id }] }, 'evidence.0.runId'],
      [{ evidence: [{ runId: run.id, sampleId: 'no-such-sample' }] }, 'evidence.0.sampleId'],
      [{ evidence: [] }, 'evidence'],
      [{ type: 'release_blocker' }, 'type'],
      [{ tlp: 'PURPLE' }, 'tlp'],
      [{ labels: [{ framework: 'made_up', label: 'x' }] }, 'labels.0.framework'],
    ];
    for (const [over, path] of cases) {
      const r = await req<{ issues: { path: string }[] }>(
        'POST',
        `${win.base}/findings`,
        live.w.agency.token,
        body(run.id, over),
      );
      expect(r.status, `${path}: ${r.raw}`).toBe(400);
      expect(r.body.issues.map((i) => i.path)).toContain(path);
    }
    expect((await req<{ items: unknown[] }>('GET', `${win.base}/findings`, live.w.agency.token)).body.items).toEqual(
      [],
    );
  });

  it('who must NOT see findings: outsiders, partners without a grant, observers, anonymous', async () => {
    const { win, run } = await windowWithRun();
    const f = (await req('POST', `${win.base}/findings`, live.w.agency.token, body(run.id))).body;
    await req('POST', `${win.base}/findings/${f.id}/validate`, second.token, {});
    await req('POST', `${win.base}/findings/${f.id}/share`, second.token);
    const obs = await live.t.org(`Observer ${Math.random()}`, 'federal_agency');
    const g = await req(
      'POST',
      `${win.base}/grants`,
      live.w.dev.token,
      grantBody(obs.orgId, { role: 'observer', rawTranscripts: false, budget: { requests: 1, tokens: 1, seconds: 1 } }),
    );
    expect(g.status, g.raw).toBe(201);
    const outsider = await live.t.org(`Outsider ${Math.random()}`, 'researcher');
    for (const token of [outsider.token, live.w.partner.token, live.w.otherAgency.token]) {
      expect((await req('GET', `${win.base}/findings`, token)).status).toBe(404);
      expect((await req('GET', `${win.base}/findings/${f.id}`, token)).status).toBe(404);
      expect((await req('GET', `${win.base}/report`, token)).status).toBe(404);
      expect((await req('POST', `${win.base}/findings`, token, body(run.id))).status).toBe(404);
    }
    // The observer takes part in the window but sees no findings and no report.
    expect((await req<{ items: unknown[] }>('GET', `${win.base}/findings`, obs.token)).body.items).toEqual([]);
    expect((await req('GET', `${win.base}/findings/${f.id}`, obs.token)).status).toBe(404);
    expect((await req('GET', `${win.base}/report`, obs.token)).status).toBe(403);
    expect((await req('POST', `${win.base}/findings`, obs.token, body(run.id))).status).toBe(403);
    expect((await req('GET', `${win.base}/findings/${f.id}`, null)).status).toBe(401);
  });

  it('the report to the developer: validated findings are shared, JSON and Markdown, developer-side read only', async () => {
    const { win, run } = await windowWithRun();
    const F = `${win.base}/findings`;
    const a = (await req('POST', F, live.w.agency.token, body(run.id, { title: 'Finding A: injection obeyed' }))).body;
    const b = (
      await req('POST', F, live.w.agency.token, body(run.id, { title: 'Finding B: still a draft', severity: 'low' }))
    ).body;
    await req('POST', `${F}/${a.id}/validate`, second.token, {});
    expect((await req('POST', `${win.base}/report`, live.w.dev.token)).status).toBe(403);
    const gen = await req<{ findings: Finding[]; tlp: string; summary: { findings: number } }>(
      'POST',
      `${win.base}/report`,
      live.w.agency.token,
    );
    expect(gen.status, gen.raw).toBe(200);
    expect(gen.body.findings.map((x) => x.id)).toEqual([a.id]);
    expect(gen.body).toMatchObject({ tlp: 'AMBER', summary: { findings: 1 } });
    const dev = await req<{ findings: Finding[] }>('GET', `${win.base}/report`, live.w.dev.token);
    expect(dev.body.findings.map((x) => x.state)).toEqual(['shared']);
    expect(JSON.stringify(dev.body)).not.toContain(b.id);
    const md = await live.t.req('GET', `${win.base}/report?format=markdown`, { token: live.w.dev.token });
    expect(md.status).toBe(200);
    expect(String(md.headers['content-type'])).toContain('text/markdown');
    expect(md.raw).toContain('**TLP:AMBER**');
    expect(md.raw).toContain('## Finding A: injection obeyed');
    expect(md.raw).toContain('reproduced: 2 of 2');
    expect(md.raw).not.toContain('Finding B');
    expect(
      (await live.t.services.audit.list({ objectId: win.id, action: 'review_report.generate', limit: 5 })).length,
    ).toBe(1);
  });

  it('the report is not generated once the trusted-partner date has passed', async () => {
    const soon = new Date(Date.now() + 4000).toISOString();
    const win = await personaWindow(live, 'oracle', { offer: { trustedPartnerDate: soon, publicDate: undefined } });
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now() + 50)));
    const r = await req('POST', `${win.base}/report`, live.w.agency.token);
    expect(r.status, r.raw).toBe(409);
    expect(r.raw).toMatch(/trusted-partner date|closed/);
  });

  it('findings are frozen when the window closes: no edits, no validation; the developer may still respond', async () => {
    const { win, run } = await windowWithRun();
    const F = `${win.base}/findings`;
    const draft = (await req('POST', F, live.w.agency.token, body(run.id))).body;
    const shared = (await req('POST', F, live.w.agency.token, body(run.id, { title: 'Shared before the close' }))).body;
    await req('POST', `${F}/${shared.id}/validate`, second.token, {});
    await req('POST', `${F}/${shared.id}/share`, second.token);
    expect((await req('POST', `${win.base}/close`, live.w.dev.token)).status).toBe(200);
    const after = await req('GET', `${F}/${draft.id}`, live.w.agency.token);
    expect(after.body.frozen).toBe(true);
    expect((await req('PATCH', `${F}/${draft.id}`, live.w.agency.token, { severity: 'low' })).status).toBe(409);
    expect((await req('POST', `${F}/${draft.id}/validate`, second.token, {})).status).toBe(409);
    expect((await req('POST', F, live.w.agency.token, body(run.id))).status).toBe(409);
    expect((await req('POST', `${win.base}/report`, live.w.agency.token)).status).toBe(409);
    const resp = await req('POST', `${F}/${shared.id}/response`, live.w.dev.token, { response: 'acknowledged' });
    expect(resp.status, resp.raw).toBe(200);
    // Still readable by the developer (shared) after the close.
    expect((await req('GET', `${F}/${shared.id}`, live.w.dev.token)).body.state).toBe('responded');
    expect(
      (await live.t.services.audit.list({ objectId: win.id, action: 'review_finding.freeze', limit: 5 })).length,
    ).toBe(1);
  });

  it('a third-party finding becomes a clearinghouse report, linked both ways; other findings do not', async () => {
    const { win, run } = await windowWithRun();
    const F = `${win.base}/findings`;
    const tp = (
      await req(
        'POST',
        F,
        live.w.agency.token,
        body(run.id, { type: 'agent_vulnerability', thirdParty: true, cweIds: ['CWE-22'] }),
      )
    ).body;
    const own = (await req('POST', F, live.w.agency.token, body(run.id))).body;
    const report = { affected: [{ purl: 'pkg:npm/example-static-server', versions: ['1.2.3'] }] };
    expect((await req('POST', `${F}/${tp.id}/clearinghouse-report`, live.w.agency.token, report)).status).toBe(409); // draft
    await req('POST', `${F}/${tp.id}/validate`, second.token, {});
    await req('POST', `${F}/${own.id}/validate`, second.token, {});
    expect((await req('POST', `${F}/${own.id}/clearinghouse-report`, live.w.agency.token, report)).status).toBe(409);
    const bad = await req<{ issues: { path: string }[] }>(
      'POST',
      `${F}/${tp.id}/clearinghouse-report`,
      live.w.agency.token,
      {
        affected: [],
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i) => i.path)).toContain('affected');
    const made = await req<{ reportId: string; finding: Finding }>(
      'POST',
      `${F}/${tp.id}/clearinghouse-report`,
      live.w.agency.token,
      report,
    );
    expect(made.status, made.raw).toBe(201);
    expect(made.body.finding.reportId).toBe(made.body.reportId);
    const rep = await req<{ references: { url: string }[]; cweIds: string[]; title: string }>(
      'GET',
      `/api/v1/reports/${made.body.reportId}`,
      live.w.agency.token,
    );
    expect(rep.status, rep.raw).toBe(200);
    expect(rep.body.references.map((r) => r.url)).toContain(`${live.baseUrl}${F}/${tp.id}`);
    expect(rep.body.cweIds).toEqual(['CWE-22']);
    // Once only.
    expect((await req('POST', `${F}/${tp.id}/clearinghouse-report`, live.w.agency.token, report)).status).toBe(409);
    expect(await audit(tp.id)).toContain('review_finding.link_report');
  });
});
