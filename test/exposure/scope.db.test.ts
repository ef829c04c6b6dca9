/**
 * An advisory change reconciles only the findings of its alias groups (before and after the change) on the touched
 * assets: a merge and a split by the advisory's aliases still give one finding per flaw, and findings of other
 * groups on the same asset are left exactly as they were; a group renamed by a merge is renamed on every asset, also
 * those the changed advisory does not touch. A model an SBOM lists twice is one component.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, findings, publish, upload } from './helpers.js';

describeBackends('exposure: advisory changes reconcile their alias groups', (backend) => {
  let t: TestApp;
  let a: TestOrg;
  const now = new Date('2026-11-26T12:00:00.000Z');
  const on = (pkg: string, version: string, over: Record<string, unknown> = {}) =>
    advisoryBody({ affected: [{ package: { ecosystem: 'npm', name: pkg }, versions: [version] }], ...over });
  const rows = async () =>
    (await t.services.db.kysely
      .selectFrom('exposure_findings' as never)
      .selectAll()
      .where('org_id' as never, '=', a.orgId as never)
      .orderBy('id' as never)
      .execute()) as unknown as {
      id: string;
      advisory_ids: string;
      group_key: string;
      resolved_at: string | null;
      updated_at: string;
    }[];

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => now });
    a = await t.org('Community Bank A', 'infrastructure_operator', 'financial_services');
    expect((await upload(t, a, 'core', cdx(['pkg:npm/merge-me@1.0.0', 'pkg:npm/bystander@1.0.0']))).status).toBe(201);
  });
  afterAll(() => t.close());

  it('merges by a shared alias, splits when the alias is dropped, and leaves other groups untouched', async () => {
    const other = await publish(t, on('bystander', '1.0.0', { summary: 'Unrelated flaw' }));
    const first = await publish(t, on('merge-me', '1.0.0', { summary: 'First record', aliases: ['CVE-2099-8101'] }));
    const bystander = (await rows()).find((r) => JSON.parse(r.advisory_ids).includes(other))!;

    const second = await publish(t, on('merge-me', '1.0.0', { summary: 'Second record', aliases: ['CVE-2099-8101'] }));
    let open = (await findings(t, a.token, 'status=open')).filter((f) => f.component.name === 'merge-me');
    expect(open).toHaveLength(1);
    expect(open[0]!.advisories.map((x) => x.id).sort()).toEqual([first, second].sort());

    // Dropping the shared alias splits the group: one finding per record again.
    const patch = await t.req('PATCH', `/api/v1/advisories/${second}`, { token: t.adminToken, body: { aliases: [] } });
    expect(patch.status, patch.raw).toBe(200);
    open = (await findings(t, a.token, 'status=open')).filter((f) => f.component.name === 'merge-me');
    expect(open.map((f) => f.advisories.map((x) => x.id)).sort()).toEqual([[first], [second]].sort());

    // The finding of the other group on the same asset was not rewritten by any of these changes.
    const after = (await rows()).find((r) => r.id === bystander.id)!;
    expect(after).toEqual(bystander);
  });

  it('an alias added to an older advisory renames the group of the other record on an asset it does not touch', async () => {
    const older = await publish(t, on('alias-left', '1.0.0', { summary: 'Older record' }));
    const newer = await publish(t, on('alias-right', '1.0.0', { summary: 'Newer record', aliases: ['CVE-2099-8102'] }));
    expect((await upload(t, a, 'right only', cdx(['pkg:npm/alias-right@1.0.0']))).status).toBe(201);
    const groupOnRight = async () =>
      (await rows())
        .filter((r) => r.resolved_at === null && JSON.parse(r.advisory_ids).includes(newer))
        .map((r) => r.group_key);
    expect(await groupOnRight()).toEqual([newer]);
    const patch = await t.req('PATCH', `/api/v1/advisories/${older}`, {
      token: t.adminToken,
      body: { aliases: ['CVE-2099-8102'] },
    });
    expect(patch.status, patch.raw).toBe(200);
    // The group is now named by the older record, on the asset that holds only the newer one's package too.
    expect(await groupOnRight()).toEqual([older]);
    const assetIds = (await t.services.db.kysely.selectFrom('exposure_assets').select('id').execute()).map((x) => x.id);
    const wanted = assetIds.flatMap((id) => t.services.exposure.index.desired(id).map((d) => d.groupKey));
    expect(wanted.filter((g) => g === newer)).toEqual([]);
  });

  it('a model listed twice in an SBOM is one finding, and an advisory change leaves it one', async () => {
    const model = await publish(
      t,
      advisoryBody({
        summary: 'Poisoned weights',
        affected: [{ package: { ecosystem: 'Hugging Face', name: 'acme/twice' }, versions: ['abc1234'] }],
      }),
    );
    const sbom = cdx(
      [],
      [
        ['acme/twice', 'abc1234'],
        ['acme/twice', 'abc1234'],
      ],
    );
    const res = await upload(t, a, 'model host', sbom);
    expect(res.status, res.raw).toBe(201);
    const mine = async () => (await findings(t, a.token, 'status=open')).filter((f) => f.asset.name === 'model host');
    const before = await mine();
    expect(before.map((f) => f.advisories.map((x) => x.id))).toEqual([[model]]);
    const patch = await t.req('PATCH', `/api/v1/advisories/${model}`, {
      token: t.adminToken,
      body: { summary: 'Poisoned weights (all revisions)' },
    });
    expect(patch.status, patch.raw).toBe(200);
    expect((await mine()).map((f) => f.id)).toEqual(before.map((f) => f.id));
  });
});
