/**
 * What an organisation may not see leaves no trace in what it is told: the upload answer counts only findings whose
 * advisory the uploader may see, and a finding's priority comes only from the advisories its organisation may see,
 * recomputed by the sweep when one of them becomes visible.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, findings, publish, upload } from './helpers.js';

describeBackends('exposure: hidden advisories', (backend) => {
  let t: TestApp;
  let a: TestOrg;
  let now = new Date('2026-11-26T12:00:00.000Z');
  const hour = 3600_000;

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => now });
    a = await t.org('Community Bank A', 'infrastructure_operator', 'financial_services');
  });
  afterAll(() => t.close());

  it('the upload answer does not count findings of an embargoed advisory; they appear once the embargo ends', async () => {
    const until = new Date(now.getTime() + hour).toISOString();
    const hidden = await publish(
      t,
      advisoryBody({
        summary: 'Embargoed flaw in tiny-hidden',
        affected: [{ package: { ecosystem: 'npm', name: 'tiny-hidden' }, versions: ['1.0.0'] }],
        marking: { tlp: 'CLEAR', embargoUntil: until },
      }),
    );
    const open = await publish(
      t,
      advisoryBody({
        summary: 'Public flaw in tiny-open',
        affected: [{ package: { ecosystem: 'npm', name: 'tiny-open' }, versions: ['2.0.0'] }],
      }),
    );
    const res = await upload(t, a, 'branch-web', cdx(['pkg:npm/tiny-hidden@1.0.0', 'pkg:npm/tiny-open@2.0.0']));
    expect(res.status, res.raw).toBe(201);
    // Two findings are stored, but the uploader may see only the public one.
    expect(res.body.findings).toEqual({ created: 1, resolved: 0, changed: 0 });
    const stored = await t.services.db.kysely
      .selectFrom('exposure_findings' as never)
      .select(['advisory_id' as never])
      .where('org_id' as never, '=', a.orgId as never)
      .execute();
    expect(stored.map((r) => (r as { advisory_id: string }).advisory_id).sort()).toEqual([hidden, open].sort());
    expect((await findings(t, a.token)).map((f) => f.advisoryId)).toEqual([open]);

    // Removing both components: only the visible finding is counted as resolved.
    const gone = await upload(t, a, 'branch-web', cdx(['pkg:npm/unrelated@1.0.0']));
    expect(gone.status, gone.raw).toBe(201);
    expect(gone.body.findings).toEqual({ created: 0, resolved: 1, changed: 0 });

    // Back again while embargoed: one created; after the embargo: the listing shows it and the sweep announces it.
    const back = await upload(t, a, 'branch-web', cdx(['pkg:npm/tiny-hidden@1.0.0', 'pkg:npm/tiny-open@2.0.0']));
    expect(back.body.findings).toEqual({ created: 1, resolved: 0, changed: 0 });
    now = new Date(now.getTime() + 2 * hour);
    const visible = (await findings(t, a.token, 'status=open')).map((f) => f.advisoryId).sort();
    expect(visible).toEqual([hidden, open].sort());
    expect(await t.services.exposure.sweep()).toBe(1);
    // Once visible, the upload answer counts it.
    const again = await upload(t, a, 'branch-web', cdx(['pkg:npm/unrelated@1.0.0']));
    expect(again.body.findings).toEqual({ created: 0, resolved: 2, changed: 0 });
  });

  it('priority comes from the advisories the organisation may see; the sweep recomputes it when an embargo ends', async () => {
    const alias = 'CVE-2099-7001';
    const pub = await publish(
      t,
      advisoryBody({
        summary: 'Public flaw in tiny-alias',
        aliases: [alias],
        affected: [{ package: { ecosystem: 'npm', name: 'tiny-alias' }, versions: ['3.0.0'] }],
      }),
    );
    const hidden = await publish(
      t,
      advisoryBody({
        summary: 'Embargoed analysis of the same flaw, exploited',
        aliases: [alias],
        affected: [{ package: { ecosystem: 'npm', name: 'tiny-alias' }, versions: ['3.0.0'] }],
        ssvc: { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionAndWellBeing: 'high' },
        marking: { tlp: 'CLEAR', embargoUntil: new Date(now.getTime() + hour).toISOString() },
      }),
    );
    const res = await upload(t, a, 'branch-alias', cdx(['pkg:npm/tiny-alias@3.0.0']));
    expect(res.status, res.raw).toBe(201);
    const before = (await findings(t, a.token, 'status=open')).filter((f) => f.asset.name === 'branch-alias');
    expect(before).toHaveLength(1);
    expect(before[0]!.advisories.map((x) => x.id)).toEqual([pub]);
    // The embargoed advisory's SSVC decision (Act) does not show through the priority.
    expect(before[0]).toMatchObject({ priority: 'P3', ssvc: null });

    // Still embargoed: the sweep leaves it as it is.
    await t.services.exposure.sweep();
    expect((await findings(t, a.token, 'status=open')).find((f) => f.id === before[0]!.id)).toMatchObject({
      priority: 'P3',
    });

    now = new Date(now.getTime() + 2 * hour);
    await t.services.exposure.sweep();
    const after = (await findings(t, a.token, 'status=open')).find((f) => f.id === before[0]!.id);
    expect(after!.advisories.map((x) => x.id).sort()).toEqual([pub, hidden].sort());
    expect(after).toMatchObject({ priority: 'P1', ssvc: 'Act' });
  });
});
