/**
 * VEX statements through the REST API on each backend: history, justification vocabularies, audit and outbox in the
 * same transaction, bad input refused with the field named and nothing stored, who may and who must NOT read or
 * write, and the OpenVEX / CycloneDX exports (schema-valid, own organisation only, per asset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { vexOpen } from '../../src/exposure/vex.repository.js';
import { cycloneDx16Schema, openVex020Schema } from '../../src/formats/vex/index.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, type FindingView, findings, publish, upload } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON documents the API wrote
type Loose = Record<string, any>;

const base = loadConfig({ CLEARINGHOUSE_LOG_LEVEL: 'silent' });

describeBackends('VEX statements on findings', (backend) => {
  let t: TestApp;
  let op: TestOrg;
  let opViewer: TestOrg;
  let opAnalyst: TestOrg;
  let other: TestOrg;
  let fLeft: FindingView; // op, asset web, left-padder
  let fRight: FindingView; // op, asset db, right-padder
  let fOther: FindingView; // other org, left-padder
  let advLeft: string;

  const vex = (token: string | null, id: string, body: unknown) =>
    t.req<Loose>('POST', `/api/v1/findings/${id}/vex`, { token, body });
  const history = (token: string | null, id: string) =>
    t.req<{ items: Loose[] }>('GET', `/api/v1/findings/${id}/vex`, { token });
  const rows = () => t.services.db.kysely.selectFrom('exposure_vex_statements').selectAll().execute();

  beforeAll(async () => {
    t = await startTestApp(backend, { config: { webhooks: { ...base.webhooks, allowPrivate: true } } });
    op = await t.org('Vex Utility', 'infrastructure_operator', 'energy');
    opViewer = await t.member(op, 'viewer');
    opAnalyst = await t.member(op, 'analyst');
    other = await t.org('Other Utility', 'infrastructure_operator', 'water_and_wastewater_systems');
    advLeft = await publish(t, advisoryBody({ aliases: ['CVE-2099-0101'] }));
    await publish(
      t,
      advisoryBody({
        summary: 'Path traversal in right-padder',
        aliases: ['CVE-2099-0102'],
        affected: [
          {
            package: { ecosystem: 'npm', name: 'right-padder' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '3.0.0' }] }],
          },
        ],
      }),
    );
    for (const [org, asset, sbom] of [
      [op, 'web', cdx(['pkg:npm/left-padder@1.0.0'])],
      [op, 'db', cdx(['pkg:npm/right-padder@2.0.0'])],
      [other, 'web', cdx(['pkg:npm/left-padder@1.0.0'])],
    ] as const) {
      const r = await upload(t, org, asset, sbom);
      expect(r.status, r.raw).toBe(201);
    }
    const mine = await findings(t, op.token);
    fLeft = mine.find((f) => f.component.name === 'left-padder')!;
    fRight = mine.find((f) => f.component.name === 'right-padder')!;
    fOther = (await findings(t, other.token))[0]!;
    expect([fLeft, fRight, fOther].every(Boolean)).toBe(true);
    // A webhook subscription so that the outbox keeps the events meant for op.
    const hook = await t.req('POST', '/api/v1/webhooks', {
      token: op.token,
      body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['exposure.finding.changed'] },
    });
    expect(hook.status, hook.raw).toBe(201);
  }, 240_000);
  afterAll(() => t?.close());

  it('records a statement in either vocabulary, keeps the history, audits and announces it in the same change', async () => {
    const first = await vex(op.token, fLeft.id, {
      status: 'not_affected',
      justification: 'protected_at_perimeter',
      impactStatement: 'The padder endpoint is only reachable behind the WAF rule 942.',
    });
    expect(first.status, first.raw).toBe(201);
    expect(first.body).toMatchObject({
      findingId: fLeft.id,
      seq: 1,
      status: 'not_affected',
      justification: 'inline_mitigations_already_exist',
      cyclonedxJustification: 'protected_at_perimeter',
      current: true,
    });
    const second = await vex(opAnalyst.token, fLeft.id, { status: 'under_investigation' });
    expect(second.status, second.raw).toBe(201);
    const third = await vex(op.token, fLeft.id, {
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    expect(third.body).toMatchObject({ seq: 3, cyclonedxJustification: 'code_not_reachable' });

    const h = await history(op.token, fLeft.id);
    expect(h.status).toBe(200);
    expect(h.body.items.map((s) => [s.seq, s.status, s.current])).toEqual([
      [1, 'not_affected', false],
      [2, 'under_investigation', false],
      [3, 'not_affected', true],
    ]);
    const audit = await t.services.audit.list({ objectId: fLeft.id, action: 'finding.vex', limit: 10 });
    expect(audit.map((a) => JSON.parse(a.details).seq)).toEqual([3, 2, 1]);
    const events = await t.services.db.kysely
      .selectFrom('notify_events')
      .selectAll()
      .where('type', '=', 'exposure.finding.changed')
      .where('subject', '=', fLeft.id)
      .execute();
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.org_id === op.orgId)).toBe(true);
  });

  it('a not_affected or fixed finding stays stored and listed; the finding is never deleted', async () => {
    const r = await vex(op.token, fRight.id, { status: 'fixed', actionStatement: 'Upgraded to 3.0.0 on 2026-11-20.' });
    expect(r.status, r.raw).toBe(201);
    const listed = await findings(t, op.token);
    expect(listed.map((f) => f.id)).toEqual(expect.arrayContaining([fLeft.id, fRight.id]));
    expect((await t.req('GET', `/api/v1/findings/${fRight.id}`, { token: op.token })).status).toBe(200);
    // Out of the open set (vexOpen), and back in when the statement says affected again.
    const open = async () =>
      (
        await t.services.db.kysely
          .selectFrom('exposure_findings as f')
          .select('f.id')
          .where('f.resolved_at', 'is', null)
          .where(vexOpen())
          .execute()
      ).map((x) => x.id);
    expect(await open()).toEqual([fOther.id]);
    await vex(op.token, fLeft.id, { status: 'affected', actionStatement: 'Upgrade left-padder to 1.0.1.' });
    expect((await open()).sort()).toEqual([fLeft.id, fOther.id].sort());
    await vex(op.token, fLeft.id, { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' });
    expect(await open()).toEqual([fOther.id]);
  });

  describe('bad input: 400 naming the field, nothing stored', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['not_affected without justification', { status: 'not_affected' }, 'justification'],
      [
        'justification on affected',
        { status: 'affected', justification: 'code_not_present', actionStatement: 'x' },
        'justification',
      ],
      ['affected without action statement', { status: 'affected' }, 'actionStatement'],
      ['unknown status', { status: 'maybe' }, 'status'],
      ['unknown justification', { status: 'not_affected', justification: 'trust_me' }, 'justification'],
      [
        'empty impact statement',
        { status: 'not_affected', justification: 'code_not_present', impactStatement: '  ' },
        'impactStatement',
      ],
      ['unknown field', { status: 'fixed', severity: 'low' }, ''],
      ['huge statement', { status: 'fixed', actionStatement: 'x'.repeat(5000) }, 'actionStatement'],
    ];
    for (const [name, body, field] of cases)
      it(name, async () => {
        const before = (await rows()).length;
        const r = await vex(op.token, fLeft.id, body);
        expect(r.status, r.raw).toBe(400);
        expect(String(r.headers['content-type'])).toContain('application/problem+json');
        if (field) expect((r.body.issues as { path: string }[]).map((i) => i.path)).toContain(field);
        expect((await rows()).length).toBe(before);
      });
  });

  it('who must NOT: another organisation (404), a coordinator (403 on write), a viewer token, anonymous', async () => {
    const before = (await rows()).length;
    const body = { status: 'fixed' };
    expect((await vex(other.token, fLeft.id, body)).status).toBe(404);
    expect((await history(other.token, fLeft.id)).status).toBe(404);
    expect((await vex(op.token, fOther.id, body)).status).toBe(404);
    expect((await history(op.token, fOther.id)).status).toBe(404);
    expect((await vex(t.adminToken, fLeft.id, body)).status).toBe(403);
    expect((await vex(opViewer.token, fLeft.id, body)).status).toBe(403);
    expect((await vex(null, fLeft.id, body)).status).toBe(401);
    expect((await history(null, fLeft.id)).status).toBe(401);
    expect((await vex(op.token, 'no-such-finding', body)).status).toBe(404);
    expect((await rows()).length).toBe(before);
    // Who may read: the organisation (any role) and coordinators.
    expect((await history(opViewer.token, fLeft.id)).status).toBe(200);
    expect((await history(t.adminToken, fLeft.id)).body.items.length).toBeGreaterThan(0);
  });

  it('exports OpenVEX 0.2.0: schema-valid, only its own statements, current ones, marking carried', async () => {
    const secret = 'Other Utility internal: compensating control C-77';
    expect(
      (
        await vex(other.token, fOther.id, {
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          impactStatement: secret,
        })
      ).status,
    ).toBe(201);
    const r = await t.req<Loose>('GET', '/api/v1/exposure/vex?format=openvex', { token: op.token });
    expect(r.status, r.raw).toBe(200);
    expect(openVex020Schema()(r.body)).toEqual([]);
    expect(r.body.author).toBe('Vex Utility');
    expect(r.headers['clearinghouse-tlp']).toBe('AMBER+STRICT');
    const statements = r.body.statements as Loose[];
    expect(statements).toHaveLength(2);
    const left = statements.find((s) => s.products[0]['@id'] === 'pkg:npm/left-padder@1.0.0')!;
    expect(left).toMatchObject({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      vulnerability: { name: 'CVE-2099-0101', aliases: [advLeft] },
    });
    const right = statements.find((s) => s.products[0]['@id'] === 'pkg:npm/right-padder@2.0.0')!;
    expect(right.status).toBe('fixed');
    expect(r.raw).not.toContain(secret);
    // The other organisation's export has its statement and none of op's.
    const o = await t.req<Loose>('GET', '/api/v1/exposure/vex', { token: other.token });
    expect(o.status).toBe(200);
    expect(o.body.statements).toHaveLength(1);
    expect(o.raw).toContain(secret);
    expect(o.raw).not.toContain('right-padder');
    // Exports are audited.
    expect((await t.services.audit.list({ action: 'vex.export', objectId: op.orgId, limit: 5 })).length).toBe(1);
  });

  it("the organisation's export bundle carries its statements, current and past, and none of another's", async () => {
    const r = await t.req<Loose>('GET', `/api/v1/organisations/${other.orgId}/export`, { token: other.token });
    expect(r.status, r.raw).toBe(200);
    const mine = r.body.exposureVexStatements as Loose[];
    expect(mine.map((s) => [s.findingId, s.status])).toEqual([[fOther.id, 'not_affected']]);
    const ops = await t.req<Loose>('GET', `/api/v1/organisations/${op.orgId}/export`, { token: op.token });
    const all = ops.body.exposureVexStatements as Loose[];
    expect(all.length).toBeGreaterThanOrEqual(6);
    expect(new Set(all.map((s) => s.findingId))).toEqual(new Set([fLeft.id, fRight.id]));
  });

  it('exports CycloneDX 1.6 VEX: schema-valid, a CycloneDX justification kept as given; per asset', async () => {
    await vex(op.token, fLeft.id, {
      status: 'not_affected',
      justification: 'protected_at_perimeter',
      impactStatement: 'Behind the WAF.',
    });
    const r = await t.req<Loose>('GET', '/api/v1/exposure/vex?format=cyclonedx&asset=web', { token: op.token });
    expect(r.status, r.raw).toBe(200);
    expect(String(r.headers['content-type'])).toContain('application/vnd.cyclonedx+json');
    expect(cycloneDx16Schema()(r.body)).toEqual([]);
    const vulns = r.body.vulnerabilities as Loose[];
    expect(vulns).toHaveLength(1);
    expect(vulns[0]!.id).toBe('CVE-2099-0101');
    expect(vulns[0]!.analysis).toMatchObject({
      state: 'not_affected',
      justification: 'protected_at_perimeter',
      detail: 'Behind the WAF.',
    });
    const db = await t.req<Loose>('GET', '/api/v1/exposure/vex?format=cyclonedx&asset=db', { token: op.token });
    expect(db.body.vulnerabilities.map((v: Loose) => v.analysis.state)).toEqual(['resolved']);
    // An asset with no statements, or one of another organisation: nothing to export.
    expect((await t.req('GET', '/api/v1/exposure/vex?asset=nope', { token: op.token })).status).toBe(404);
    expect((await t.req('GET', '/api/v1/exposure/vex?format=xml', { token: op.token })).status).toBe(400);
    expect((await t.req('GET', '/api/v1/exposure/vex', { token: null })).status).toBe(401);
  });
});
