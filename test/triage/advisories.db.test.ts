/**
 * Triage against published advisories, and the warm engine across server processes: a report that describes a
 * published advisory joins that advisory's cluster (with the advisory named), and a process whose in-memory engine is
 * stale (another process placed reports since) notices and rebuilds before it places anything.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TriageService } from '../../src/vulnerabilities/triage/triage.service.js';
import { describeBackends } from '../backends.js';
import { reportBody, startTestApp, type TestApp, type TestOrg } from '../harness.js';

const TEXT =
  'The render_template_string helper of tinyweb/templating/engine.py evaluates user supplied expressions from the ' +
  'X-Preview header inside the sandbox-free Jinja environment, so any visitor can run arbitrary Python on the server ' +
  'through POST /api/v1/preview. The expression is passed to Environment.from_string without the sandbox, and the ' +
  'result is returned in the response body, giving remote code execution. Versions before 3.4.2 are affected.';

describeBackends('triage against advisories and across processes', (backend) => {
  let t: TestApp;
  let lab: TestOrg;
  let other: TestOrg;
  let advisoryId = '';
  beforeAll(async () => {
    t = await startTestApp(backend);
    lab = await t.org('Lab', 'ai_developer');
    other = await t.org('Other Lab', 'ai_developer');
    const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', {
      token: t.adminToken,
      body: {
        summary: 'Server-side template injection in tinyweb preview endpoint',
        details: TEXT,
        aliases: ['CVE-2099-4242'],
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'tinyweb' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.4.2' }] }],
          },
        ],
        marking: { tlp: 'CLEAR' },
      },
    });
    expect(res.status, res.raw).toBe(201);
    advisoryId = res.body.id;
  });
  afterAll(async () => t?.close());

  // Duplicates come from different organisations (one organisation's near-identical reports are discounted as siblings).
  const submit = async (over: Record<string, unknown>, by: TestOrg = lab) => {
    const r = await t.req<{ id: string }>('POST', '/api/v1/reports', { token: by.token, body: reportBody(over) });
    expect(r.status, r.raw).toBe(201);
    return r.body.id;
  };
  const clusterOf = async (reportId: string) => {
    const list = await t.req<{ items: { id: string; reportIds: string[] }[] }>(
      'GET',
      '/api/v1/triage/clusters?minSize=1&limit=200',
      { token: t.adminToken },
    );
    expect(list.status, list.raw).toBe(200);
    return list.body.items.find((c) => c.reportIds.includes(reportId))?.id;
  };

  it('a report that describes a published advisory joins its cluster, which names the advisory', async () => {
    const r1 = await submit({
      title: 'RCE via template injection in tinyweb preview',
      description: `${TEXT} Reproduced with a one-line curl.`,
      affected: [{ purl: 'pkg:pypi/tinyweb@3.4.1' }],
    });
    const unrelated = await submit({
      title: 'Open redirect in the login page of othersite',
      description: 'The next parameter of the othersite login form is not checked, so a link can send users anywhere.',
      affected: [{ purl: 'pkg:npm/othersite' }],
    });
    const run = await t.req<{ processed: number; matchedAdvisories: number }>('POST', '/api/v1/triage/run', {
      token: t.adminToken,
      body: {},
    });
    expect(run.status, run.raw).toBe(200);
    expect(run.body).toMatchObject({ processed: 2, matchedAdvisories: 1 });
    const c1 = await clusterOf(r1);
    expect(c1).toBeTruthy();
    const view = await t.req<{
      advisoryId: string | null;
      reports: { id: string; membership: { matchedAdvisoryId: string | null; evidence: unknown[] } }[];
    }>('GET', `/api/v1/triage/clusters/${c1}`, { token: t.adminToken });
    expect(view.status, view.raw).toBe(200);
    expect(view.body.advisoryId).toBe(advisoryId);
    expect(view.body.reports.find((r) => r.id === r1)?.membership.matchedAdvisoryId).toBe(advisoryId);
    expect(view.body.reports.find((r) => r.id === r1)?.membership.evidence.length).toBeGreaterThan(0);
    expect(await clusterOf(unrelated)).not.toBe(c1);

    // A second report of the same flaw lands in the same (now stored) advisory cluster.
    const r2 = await submit(
      {
        title: 'Template injection in tinyweb /api/v1/preview',
        description: `${TEXT} Found by an automated scan.`,
        affected: [{ purl: 'pkg:pypi/tinyweb@3.0.0' }],
      },
      other,
    );
    await t.req('POST', '/api/v1/triage/run', { token: t.adminToken, body: {} });
    expect(await clusterOf(r2)).toBe(c1);
  });

  it('a second process with a stale warm engine rebuilds before placing (no duplicate left alone)', async () => {
    // "Process B": its own TriageService on the same database, warmed up now.
    const s = t.services;
    const nodeB = new TriageService(s.db, s.audit, s.reports, s.clock);
    await submit({ title: 'Warm-up report', description: 'Something unrelated to warm the engine of process B up.' });
    expect((await nodeB.run('system')).processed).toBe(1);
    // Process A places a new report...
    const first = await submit({
      title: 'Heap overflow in pixmill PNG decoder',
      description:
        'decode_chunk in pixmill/png/decoder.c trusts the IHDR length field, so a crafted PNG overflows the row ' +
        'buffer during the copy loop and crashes the parser or runs code. Fuzzing the parse entry point finds it ' +
        'within minutes; a proof of concept image is attached. Versions before 1.9.0 are affected by this.',
      affected: [{ purl: 'pkg:cargo/pixmill@1.8.0' }],
    });
    await t.req('POST', '/api/v1/triage/run', { token: t.adminToken, body: {} });
    // ...then process B places its duplicate: it must see A's placement.
    const dup = await submit(
      {
        title: 'Heap overflow in pixmill PNG decoder (again)',
        description:
          'decode_chunk in pixmill/png/decoder.c trusts the IHDR length field, so a crafted PNG overflows the row ' +
          'buffer during the copy loop and crashes the parser or runs code. Fuzzing the parse entry point finds it ' +
          'within minutes; a proof of concept image is attached. Versions before 1.9.0 are affected by this. Again.',
        affected: [{ purl: 'pkg:cargo/pixmill@1.8.0' }],
      },
      other,
    );
    const res = await nodeB.run('system');
    expect(res.processed).toBe(1);
    expect(res.attached).toBe(1);
    expect(await clusterOf(dup)).toBe(await clusterOf(first));
  });

  it('the inbox shows how many registered inventories hold the package a report names', async () => {
    const sbom = (comps: [string, string][]) =>
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        components: comps.map(([n, purl], i) => ({ type: 'library', 'bom-ref': `c${i}`, name: n, purl })),
      });
    const upload = async (by: TestOrg, asset: string, body: string) => {
      const r = await t.req('POST', `/api/v1/assets/${asset}/sboms`, { token: by.token, body });
      expect(r.status, r.raw).toBe(201);
    };
    await upload(lab, 'web', sbom([['TinyWeb', 'pkg:pypi/TinyWeb@3.0.0']]));
    await upload(other, 'api', sbom([['tinyweb', 'pkg:pypi/tinyweb@2.0.0']]));
    await upload(other, 'old', sbom([['tinyweb', 'pkg:pypi/tinyweb@1.0.0']]));
    // A newer SBOM of "old" no longer holds it: only current inventories count.
    await upload(other, 'old', sbom([['requests', 'pkg:pypi/requests@2.0.0']]));
    const id = await submit({
      title: 'Denial of service in tinyweb multipart parser',
      description: 'A crafted multipart body makes tinyweb loop forever in parse_multipart of tinyweb/forms.py.',
      affected: [{ purl: 'pkg:pypi/tinyweb@3.4.0' }],
    });
    const none = await submit({
      title: 'Crash in nobodyuses',
      description: 'A crafted header crashes nobodyuses in parse_header of nobodyuses/http.py.',
      affected: [{ purl: 'pkg:npm/nobodyuses@1.0.0' }],
    });
    const inbox = await t.req<{
      items: { reportId: string; signals: { name: string; value: number; reason: string }[] }[];
    }>('GET', '/api/v1/triage/inbox?limit=500', { token: t.adminToken });
    expect(inbox.status, inbox.raw).toBe(200);
    const sig = (rid: string) =>
      inbox.body.items.find((i) => i.reportId === rid)?.signals.find((x) => x.name === 'exposure');
    expect(sig(id)).toMatchObject({ value: 2 });
    expect(sig(id)?.reason).toContain('2 registered inventories');
    expect(sig(none)).toMatchObject({ value: 0 });
  });
});
