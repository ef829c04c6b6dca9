/**
 * Advisory changes keep findings current in the advisory's own transaction: publish creates, an update that narrows
 * the range resolves, withdrawal resolves, aliases merge two advisories into one finding; KEV/SSVC changes change the
 * priority. Outbox events go to the finding's organisation only when it may see the advisory; an embargoed advisory's
 * findings are announced by the sweep once the embargo ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, findings, publish, upload } from './helpers.js';

interface EventRow {
  org_id: string;
  type: string;
  subject: string;
  payload: string;
}

describeBackends('exposure: advisory changes and notifications', (backend) => {
  let t: TestApp;
  let a: TestOrg;
  let b: TestOrg;
  let now = new Date('2026-11-26T12:00:00.000Z');
  const events = async (
    org: TestOrg,
  ): Promise<{ type: string; subject: string; payload: Record<string, unknown> }[]> => {
    const rows = (await t.services.db.kysely
      .selectFrom('notify_events' as never)
      .selectAll()
      .where('org_id' as never, '=', org.orgId as never)
      .orderBy('created_at' as never)
      .execute()) as unknown as EventRow[];
    return rows.map((r) => ({ type: r.type, subject: r.subject, payload: JSON.parse(r.payload) }));
  };
  const subscribe = async (org: TestOrg) => {
    const res = await t.req('POST', '/api/v1/webhooks', {
      token: org.token,
      body: { url: 'https://93.184.215.14/hook', eventTypes: ['exposure.*'] },
    });
    expect(res.status, res.raw).toBe(201);
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => now });
    a = await t.org('Community Bank A', 'infrastructure_operator', 'financial_services');
    b = await t.org('Rural Utility B', 'infrastructure_operator', 'energy');
    await subscribe(a);
    await subscribe(b);
    await upload(t, a, 'core-banking', cdx(['pkg:npm/left-padder@1.0.0', 'pkg:pypi/Requests@2.30.0']));
    await upload(t, b, 'scada-gw', cdx(['pkg:npm/left-padder@0.9.0']));
  });
  afterAll(() => t.close());

  it('publish creates findings for every holder, announced to each organisation', async () => {
    const id = await publish(t, advisoryBody({ aliases: ['CVE-2099-2001'] }));
    const fa = await findings(t, a.token);
    const fb = await findings(t, b.token);
    expect(fa.map((f) => [f.advisoryId, f.component.version, f.status])).toEqual([[id, '1.0.0', 'open']]);
    expect(fb.map((f) => [f.advisoryId, f.component.version, f.status])).toEqual([[id, '0.9.0', 'open']]);
    const ea = await events(a);
    expect(ea).toHaveLength(1);
    expect(ea[0]).toMatchObject({ type: 'exposure.finding.created', subject: fa[0]!.id });
    expect(ea[0]!.payload).toMatchObject({ asset: 'core-banking', advisoryIds: [id] });
    // B's event names B's asset only.
    expect(JSON.stringify(await events(b))).not.toContain('core-banking');
  });

  it('an update that narrows the range resolves the finding it no longer covers', async () => {
    const id = await publish(
      t,
      advisoryBody({
        summary: 'Header injection in requests',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'requests' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.31.0' }] }],
          },
        ],
      }),
    );
    const [open] = (await findings(t, a.token)).filter((f) => f.advisoryId === id);
    expect(open).toMatchObject({ status: 'open', component: { name: 'requests', version: '2.30.0' } });
    const patch = await t.req('PATCH', `/api/v1/advisories/${id}`, {
      token: t.adminToken,
      body: {
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'requests' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { fixed: '2.29.0' }] }],
          },
        ],
      },
    });
    expect(patch.status, patch.raw).toBe(200);
    const after = (await findings(t, a.token)).find((f) => f.id === open!.id);
    expect(after).toMatchObject({ status: 'resolved', resolution: 'no_longer_affected' });
    expect((await events(a)).filter((e) => e.subject === open!.id).map((e) => e.type)).toEqual([
      'exposure.finding.created',
      'exposure.finding.resolved',
    ]);
  });

  it('an SSVC decision on update raises the priority (a changed event); withdrawal resolves', async () => {
    const id = await publish(
      t,
      advisoryBody({
        summary: 'Path traversal in left-padder',
        affected: [{ package: { ecosystem: 'npm', name: 'left-padder' }, versions: ['0.9.0'] }],
      }),
    );
    const [f] = (await findings(t, b.token)).filter((x) => x.advisoryId === id);
    expect(f!.priority).toBe('P3');
    const patch = await t.req('PATCH', `/api/v1/advisories/${id}`, {
      token: t.adminToken,
      body: {
        ssvc: { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionAndWellBeing: 'high' },
        affected: [{ package: { ecosystem: 'npm', name: 'left-padder' }, versions: ['0.9.0'] }],
      },
    });
    expect(patch.status, patch.raw).toBe(200);
    const [g] = (await findings(t, b.token)).filter((x) => x.id === f!.id);
    expect(g).toMatchObject({ status: 'open', priority: 'P1', ssvc: 'Act' });
    expect((await events(b)).filter((e) => e.subject === f!.id).map((e) => e.type)).toContain(
      'exposure.finding.changed',
    );

    const w = await t.req('POST', `/api/v1/advisories/${id}/withdraw`, {
      token: t.adminToken,
      body: { reason: 'not a flaw' },
    });
    expect(w.status, w.raw).toBe(200);
    const [h] = (await findings(t, b.token)).filter((x) => x.id === f!.id);
    expect(h).toMatchObject({ status: 'resolved', resolution: 'advisory_withdrawn' });
  });

  it('aliases: two advisories of one flaw are one finding', async () => {
    const first = await publish(
      t,
      advisoryBody({
        summary: 'Flaw X in left-padder',
        aliases: ['CVE-2099-3001'],
        affected: [{ package: { ecosystem: 'npm', name: 'left-padder' }, versions: ['1.0.0'] }],
      }),
    );
    const second = await publish(
      t,
      advisoryBody({
        summary: 'Flaw X again, other source',
        aliases: ['CVE-2099-3001'],
        affected: [{ package: { ecosystem: 'npm', name: 'left-padder' }, versions: ['1.0.0'] }],
      }),
    );
    const mine = (await findings(t, a.token, 'status=open')).filter((f) =>
      f.advisories.some((x) => x.id === first || x.id === second),
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]!.advisories.map((x) => x.id).sort()).toEqual([first, second].sort());
  });

  describe('markings', () => {
    it("an AMBER advisory's findings only for its audience, and events only to it", async () => {
      const id = await publish(
        t,
        advisoryBody({
          summary: 'Memory corruption in left-padder (AMBER)',
          affected: [
            {
              package: { ecosystem: 'npm', name: 'left-padder' },
              ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
            },
          ],
          marking: { tlp: 'AMBER', sharedWithOrgIds: [b.orgId] },
        }),
      );
      // Both hold an affected version; only B is in the audience.
      expect((await findings(t, b.token)).some((f) => f.advisoryId === id)).toBe(true);
      expect(JSON.stringify(await findings(t, a.token))).not.toContain(id);
      expect(JSON.stringify(await events(a))).not.toContain(id);
      expect(JSON.stringify(await events(b))).toContain(id);
      // A's finding exists (stored) but is not readable by A, even by id.
      const rows = await t.services.db.kysely
        .selectFrom('exposure_findings')
        .select(['id'])
        .where('org_id', '=', a.orgId)
        .where('advisory_id', '=', id)
        .execute();
      expect(rows).toHaveLength(1);
      expect((await t.req('GET', `/api/v1/findings/${rows[0]!.id}`, { token: a.token })).status).toBe(404);
      // The coordinator sees it (AMBER reaches coordinators); another organisation's member never.
      expect((await t.req('GET', `/api/v1/findings/${rows[0]!.id}`, { token: t.adminToken })).status).toBe(200);
      expect((await t.req('GET', `/api/v1/findings/${rows[0]!.id}`, { token: b.token })).status).toBe(404);
    });

    it('an embargoed advisory: hidden and unannounced until the embargo ends, then announced once by the sweep', async () => {
      const until = new Date(now.getTime() + 3600_000).toISOString();
      const id = await publish(
        t,
        advisoryBody({
          summary: 'Embargoed flaw in left-padder',
          affected: [{ package: { ecosystem: 'npm', name: 'left-padder' }, versions: ['1.0.0'] }],
          marking: { tlp: 'CLEAR', embargoUntil: until },
        }),
      );
      expect(JSON.stringify(await findings(t, a.token))).not.toContain(id);
      expect(JSON.stringify(await events(a))).not.toContain(id);
      expect(await t.services.exposure.sweep()).toBe(0);
      now = new Date(now.getTime() + 2 * 3600_000);
      const visible = (await findings(t, a.token)).filter((f) => f.advisoryId === id);
      expect(visible).toHaveLength(1);
      expect(await t.services.exposure.sweep()).toBeGreaterThanOrEqual(1);
      expect(await t.services.exposure.sweep()).toBe(0);
      const sent = (await events(a)).filter((e) => e.subject === visible[0]!.id);
      expect(sent.map((e) => e.type)).toEqual(['exposure.finding.created']);
    });
  });
});
