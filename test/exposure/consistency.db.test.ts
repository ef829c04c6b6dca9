/**
 * The index and the database agree after a sequence of changes: a seeded random run of SBOM uploads and advisory
 * publications, updates and withdrawals (with aliases) through the API, then the stored open findings are compared
 * with (1) this node's index, (2) a fresh index loaded from the database, (3) the spec-literal matcher B0 run over the
 * stored advisories and inventories. A rolled-back advisory change is healed by the consistency check.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inTx } from '../../src/db/tx.js';
import { ExposureService } from '../../src/exposure/exposure.service.js';
import { SEP } from '../../src/exposure/exposure-index.js';
import { importedAdvisory } from '../../src/formats/csaf/testing/samples.js';
import { type ComponentInput, matchSpecLiteral } from '../../src/matching/index.js';
import type { AdvisoryDoc } from '../../src/vulnerabilities/advisory.model.js';
import { describeBackends } from '../backends.js';
import { marking } from '../fixtures.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, publish, upload } from './helpers.js';

/** A small deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKAGES = ['left-padder', 'right-padder', 'json-tiny', 'yaml-lite'];
const VERSIONS = ['0.9.0', '1.0.0', '1.0.1', '1.2.0', '2.0.0'];

describeBackends('exposure: index and database agree', (backend) => {
  let t: TestApp;
  let orgs: TestOrg[];
  beforeAll(async () => {
    t = await startTestApp(backend);
    orgs = [
      await t.org('Operator One', 'infrastructure_operator', 'energy'),
      await t.org('Operator Two', 'infrastructure_operator', 'financial_services'),
    ];
  });
  afterAll(() => t.close());

  type Row = { asset_id: string; component_key: string; group_key: string; advisory_ids: string };
  const openRows = async (): Promise<string[]> => {
    const rows = (await t.services.db.kysely
      .selectFrom('exposure_findings')
      .select(['asset_id', 'component_key', 'group_key', 'advisory_ids'])
      .where('resolved_at', 'is', null)
      .execute()) as Row[];
    return rows.map((r) => `${r.asset_id} ${r.component_key} ${r.group_key} ${r.advisory_ids}`).sort();
  };
  const fromIndex = (s: ExposureService, assets: string[]): string[] =>
    assets
      .flatMap((id) =>
        s.index.desired(id).map((d) => `${id} ${d.componentKey} ${d.groupKey} ${JSON.stringify(d.advisoryIds)}`),
      )
      .sort();

  it('after 60 random changes: stored findings = this index = a fresh index = B0', async () => {
    const r = rng(Number(process.env.EXPOSURE_SEED ?? 20261126));
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    const advisories: string[] = [];
    const assetNames = ['h1', 'h2', 'h3'];
    const range = () => {
      const lo = pick(VERSIONS);
      const hi = pick(VERSIONS.filter((v) => v > lo).concat(['9.9.9']));
      return r() < 0.3
        ? { versions: [pick(VERSIONS)] }
        : { ranges: [{ type: 'SEMVER', events: [{ introduced: r() < 0.3 ? '0' : lo }, { fixed: hi }] }] };
    };
    for (let step = 0; step < 60; step++) {
      const op = r();
      if (op < 0.35) {
        const comps = PACKAGES.filter(() => r() < 0.6).map((p) => `pkg:npm/${p}@${pick(VERSIONS)}`);
        const res = await upload(t, pick(orgs), pick(assetNames), cdx(comps));
        expect(res.status, res.raw).toBe(201);
      } else if (op < 0.65 || advisories.length === 0) {
        const alias = r() < 0.4 ? [`CVE-2099-${4000 + Math.floor(r() * 4)}`] : [];
        const pkg = pick(PACKAGES);
        advisories.push(
          await publish(
            t,
            advisoryBody({
              summary: `Flaw number ${step}`,
              aliases: alias,
              affected: [{ package: { ecosystem: 'npm', name: pkg }, ...range() }],
            }),
          ),
        );
      } else if (op < 0.9) {
        const id = pick(advisories);
        const res = await t.req('PATCH', `/api/v1/advisories/${id}`, {
          token: t.adminToken,
          body: { affected: [{ package: { ecosystem: 'npm', name: pick(PACKAGES) }, ...range() }] },
        });
        expect([200, 409]).toContain(res.status);
      } else {
        const id = pick(advisories);
        await t.req('POST', `/api/v1/advisories/${id}/withdraw`, {
          token: t.adminToken,
          body: { reason: 'random withdrawal' },
        });
      }
    }

    const assets = await t.services.db.kysely.selectFrom('exposure_assets').selectAll().execute();
    const assetIds = assets.map((a) => a.id);
    const stored = await openRows();
    expect(stored.length).toBeGreaterThan(3);
    expect(fromIndex(t.services.exposure, assetIds)).toEqual(stored);

    const fresh = new ExposureService(t.services.db, t.services.audit, t.services.clock, {
      outbox: () => undefined,
      bus: () => undefined,
      maxSbomBytes: 1_000_000,
    });
    await fresh.ensureLoaded();
    expect(fromIndex(fresh, assetIds)).toEqual(stored);

    // B0 over what is stored: every (asset, component) and its advisory ids.
    const docs = (await t.services.db.kysely.selectFrom('advisories').select('document').execute()).map(
      (x) => JSON.parse(x.document) as AdvisoryDoc,
    );
    const inventories: [string, ComponentInput[]][] = [];
    for (const a of assets) {
      if (!a.current_inventory_id) continue;
      const comps = await t.services.db.kysely
        .selectFrom('exposure_components')
        .select('purl')
        .where('inventory_id', '=', a.current_inventory_id)
        .execute();
      inventories.push([a.id, comps.map((c) => ({ purl: c.purl! }))]);
    }
    const oracle = matchSpecLiteral(docs, inventories)
      .map(
        (f) =>
          `${f.inventoryId} ${f.component.ecosystem}${SEP}${f.component.name}${SEP}${f.component.version} ${f.groupId} ${JSON.stringify(f.advisoryIds)}`,
      )
      .sort();
    expect(oracle).toEqual(stored);
  });

  it('an advisory change that rolls back after the index saw it is healed by the consistency check', async () => {
    const org = orgs[0]!;
    await upload(t, org, 'heal', cdx(['pkg:npm/heal-me@1.0.0']));
    let fail = true;
    t.services.advisories.onChange(async () => {
      if (fail) throw new Error('a later listener failed');
    });
    const res = await t.req('POST', '/api/v1/advisories', {
      token: t.adminToken,
      body: advisoryBody({
        summary: 'Flaw in heal-me',
        affected: [{ package: { ecosystem: 'npm', name: 'heal-me' }, versions: ['1.0.0'] }],
      }),
    });
    fail = false;
    expect(res.status).toBe(500);
    const asset = await t.services.db.kysely
      .selectFrom('exposure_assets')
      .select('id')
      .where('name', '=', 'heal')
      .executeTakeFirstOrThrow();
    // The index saw the advisory that never committed.
    expect(t.services.exposure.index.desired(asset.id)).toHaveLength(1);
    expect(await t.services.exposure.checkConsistency()).toBe(0); // first sighting: could still be in flight
    expect(await t.services.exposure.checkConsistency()).toBe(1);
    expect(t.services.exposure.index.desired(asset.id)).toEqual([]);
    expect(await openRows()).toEqual(
      fromIndex(t.services.exposure, [asset.id])
        .concat(await openRowsExcept(asset.id))
        .sort(),
    );
  });

  it('a change no listener heard (an imported advisory) is applied by the consistency check, findings included', async () => {
    const org = orgs[1]!;
    await upload(t, org, 'imported', cdx(['pkg:npm/imported-lib@2.0.0']));
    const at = new Date().toISOString();
    const doc = importedAdvisory({
      aliases: ['GHSA-imp0-rted-0001'],
      summary: 'Flaw in imported-lib',
      affected: [{ package: { ecosystem: 'npm', name: 'imported-lib' }, versions: ['2.0.0'] }],
      published: at,
      modified: at,
    });
    const { id } = await inTx(t.services.db, (tx) =>
      t.services.advisories.importDocument(
        tx,
        { orgId: null, memberId: null },
        'test:imported-1',
        doc,
        marking(t.coordinatorOrgId),
      ),
    );
    // Whether or not a listener heard it, two checks later the finding exists.
    await t.services.exposure.checkConsistency();
    await t.services.exposure.checkConsistency();
    const mine = await t.req<{ items: { advisoryId: string; asset: { name: string } }[] }>('GET', '/api/v1/findings', {
      token: org.token,
    });
    expect(mine.body.items.filter((f) => f.asset.name === 'imported').map((f) => f.advisoryId)).toEqual([id]);
  });

  const openRowsExcept = async (assetId: string) => (await openRows()).filter((r) => !r.startsWith(`${assetId} `));
});
