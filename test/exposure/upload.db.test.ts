/**
 * SBOM uploads through the REST API: real CycloneDX 1.4/1.5/1.6 and SPDX 2.3 documents produce findings against
 * advisories that name their components; a new upload replaces the inventory (history kept) and resolves what is gone;
 * every kind of bad SBOM is refused naming the component, with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, counts, findings, fixture, publish, upload } from './helpers.js';

const range = (introduced: string, fixed: string) => [{ type: 'ECOSYSTEM', events: [{ introduced }, { fixed }] }];

describeBackends('exposure: SBOM uploads', (backend) => {
  let t: TestApp;
  let a: TestOrg;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp(backend, { config: { bodyLimitBytes: 400_000 } });
    a = await t.org('Rural Water Co-op', 'infrastructure_operator', 'water_and_wastewater_systems');
    ids.brick = await publish(
      t,
      advisoryBody({
        summary: 'Integer overflow in brick/math',
        aliases: ['CVE-2099-1001'],
        affected: [{ package: { ecosystem: 'Packagist', name: 'brick/math' }, ranges: range('0', '0.9.4') }],
      }),
    );
    ids.tomcat = await publish(
      t,
      advisoryBody({
        summary: 'Request smuggling in a modified Tomcat Catalina',
        affected: [
          {
            package: { ecosystem: 'Maven', name: 'com.acme:tomcat-catalina' },
            ranges: range('9.0.0', '9.0.16'),
          },
        ],
      }),
    );
    ids.acme = await publish(
      t,
      advisoryBody({
        summary: 'Prototype pollution in acme component',
        affected: [{ package: { ecosystem: 'npm', name: 'acme/component' }, ranges: range('0', '1.0.1') }],
      }),
    );
    ids.tokio = await publish(
      t,
      advisoryBody({
        summary: 'Data race in tokio',
        affected: [{ package: { ecosystem: 'crates.io', name: 'tokio' }, ranges: range('1.8.0', '1.20.1') }],
      }),
    );
    ids.model = await publish(
      t,
      advisoryBody({
        summary: 'Backdoored weights in a diffusion model',
        affected: [{ package: { ecosystem: 'Hugging Face', name: 'compvis/Stable-Diffusion' }, versions: ['1.4'] }],
      }),
    );
  });
  afterAll(() => t.close());

  describe('each format produces findings', () => {
    const cases: [string, string, string, string][] = [
      ['CycloneDX 1.4', 'laravel-7.12.0.cdx-1.4.json', 'brick', 'pkg:composer/brick/math@0.9.3'],
      ['CycloneDX 1.5', 'valid-bom.cdx-1.5.json', 'acme', 'pkg:npm/acme/component@1.0.0'],
      ['CycloneDX 1.6', 'valid-bom.cdx-1.6.json', 'tomcat', 'pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar'],
      ['SPDX 2.3', 'example11.spdx-2.3.json', 'tokio', 'pkg:cargo/tokio@1.19.2'],
    ];
    for (const [label, file, adv, purl] of cases) {
      it(`${label}: ${file}`, async () => {
        const asset = `asset-${adv}`;
        const res = await upload(t, a, asset, fixture(file), `?fileName=${file}`);
        expect(res.status, res.raw).toBe(201);
        expect((res.body.findings as { created: number }).created).toBeGreaterThanOrEqual(1);
        const mine = await findings(t, a.token, `asset=${asset}`);
        expect(mine.map((f) => [f.advisoryId, f.component.purl, f.status])).toContainEqual([ids[adv], purl, 'open']);
        // Components that no advisory names give nothing.
        expect(mine.every((f) => f.advisoryId === ids[adv])).toBe(true);
      });
    }

    it('an AI model (CycloneDX machine-learning-model) matches an advisory that names the model', async () => {
      const res = await upload(t, a, 'diffusion', fixture('valid-machine-learning.cdx-1.6.json'));
      expect(res.status, res.raw).toBe(201);
      const [f] = await findings(t, a.token, 'asset=diffusion');
      expect(f).toMatchObject({
        advisoryId: ids.model,
        component: { name: 'CompVis/stable-diffusion', version: '1.4', kind: 'machine-learning-model' },
      });
      // Another revision of the model is not affected.
      const other = await upload(t, a, 'diffusion-2', cdx([], [['CompVis/stable-diffusion', '2.0']]));
      expect(other.status).toBe(201);
      expect(await findings(t, a.token, 'asset=diffusion-2')).toEqual([]);
    });
  });

  it('a new upload replaces the inventory: gone components resolve, history is kept, kept ones stay open', async () => {
    const first = await upload(t, a, 'web', cdx(['pkg:npm/acme/component@1.0.0', 'pkg:crates.io/x@1']));
    expect(first.status, first.raw).toBe(201);
    const [open] = await findings(t, a.token, 'asset=web');
    expect(open!.status).toBe('open');
    const same = await upload(t, a, 'web', cdx(['pkg:npm/acme/component@1.0.0']));
    expect(same.body.findings).toEqual({ created: 0, resolved: 0, changed: 0 });
    const [still] = await findings(t, a.token, 'asset=web');
    expect(still!.id).toBe(open!.id);

    const fixed = await upload(t, a, 'web', cdx(['pkg:npm/acme/component@1.0.1']));
    expect(fixed.body.findings).toMatchObject({ created: 0, resolved: 1 });
    const [after] = await findings(t, a.token, 'asset=web&status=all');
    expect(after).toMatchObject({ id: open!.id, status: 'resolved', resolution: 'component_removed' });

    const asset = await t.req<{ inventories: { id: string; replacedAt: string | null }[]; currentInventoryId: string }>(
      'GET',
      '/api/v1/assets/web',
      { token: a.token },
    );
    expect(asset.status).toBe(200);
    expect(asset.body.inventories).toHaveLength(3);
    expect(asset.body.inventories[0]!.id).toBe(asset.body.currentInventoryId);
    expect(asset.body.inventories[0]!.replacedAt).toBeNull();
    expect(asset.body.inventories.slice(1).every((i) => i.replacedAt !== null)).toBe(true);

    // It comes back: a new finding, first seen now.
    await upload(t, a, 'web', cdx(['pkg:npm/acme/component@1.0.0']));
    const all = await findings(t, a.token, 'asset=web&status=all');
    expect(all.map((f) => f.status).sort()).toEqual(['open', 'resolved']);
  });

  it('asset tags change priority: critical and internet facing raise it', async () => {
    await upload(t, a, 'portal', cdx(['pkg:npm/acme/component@1.0.0']));
    const [before] = await findings(t, a.token, 'asset=portal');
    const put = await t.req('PUT', '/api/v1/assets/portal', {
      token: a.token,
      body: { criticality: 'critical', internetFacing: true },
    });
    expect(put.status, put.raw).toBe(200);
    const [after] = await findings(t, a.token, 'asset=portal');
    expect(after!.id).toBe(before!.id);
    expect(after!.priority < before!.priority).toBe(true);
  });

  describe('bad SBOMs are refused with the component named, and nothing is stored', () => {
    const laravel = fixture('laravel-7.12.0.cdx-1.4.json');
    const refused = async (body: string, status = 400) => {
      const before = await counts(t);
      const res = await upload(t, a, 'refused-asset', body);
      expect(res.status, res.raw).toBe(status);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      expect(await counts(t)).toEqual(before);
      expect((await t.req('GET', '/api/v1/assets/refused-asset', { token: a.token })).status).toBe(404);
      return res.body as { detail: string; issues?: { path: string; message: string }[] };
    };

    it('truncated JSON', async () => {
      const p = await refused(laravel.slice(0, laravel.indexOf('"bom-ref": "doctrine/lexer') + 60));
      expect(JSON.stringify(p)).toContain('doctrine/lexer-1.2.3.0');
    });

    it('wrong schema', async () => {
      const doc = JSON.parse(laravel);
      doc.components[5].type = 'spaceship';
      const p = await refused(JSON.stringify(doc));
      expect(p.issues?.[0]?.path).toBe('sbom.components.5.type');
      expect(p.issues?.[0]?.message).toContain(`bom-ref ${doc.components[5]['bom-ref']}`);
    });

    it('a purl that does not parse', async () => {
      const doc = JSON.parse(laravel);
      doc.components[7].purl = 'pkg:composer/%zz@1';
      const p = await refused(JSON.stringify(doc));
      expect(p.issues?.[0]?.message).toContain(`component 7 (bom-ref ${doc.components[7]['bom-ref']})`);
    });

    it('huge: over the body limit (413)', async () => {
      const doc = JSON.parse(laravel);
      doc.components[0].description = 'x'.repeat(400_000);
      await refused(JSON.stringify(doc), 413);
    });

    it('not an SBOM, and an SPDX package without a name', async () => {
      await refused(JSON.stringify({ hello: 'world' }));
      const spdx = JSON.parse(fixture('example11.spdx-2.3.json'));
      delete spdx.packages[3].name;
      const p = await refused(JSON.stringify(spdx));
      expect(JSON.stringify(p)).toContain(spdx.packages[3].SPDXID);
    });

    it('a failure after the inventory was written rolls it back and leaves the index as it was', async () => {
      await upload(t, a, 'rollback', cdx(['pkg:npm/acme/component@1.0.0']));
      const before = await counts(t);
      const beforeInv = t.services.exposure.index.inventoryOf((await assetId(t, a, 'rollback'))!);
      const audit = t.services.audit;
      const original = audit.record.bind(audit);
      audit.record = async (tx, e) => {
        if (e.action === 'sbom.upload') throw new Error('audit store failed');
        return original(tx, e);
      };
      try {
        const res = await upload(t, a, 'rollback', cdx(['pkg:npm/acme/component@1.0.1']));
        expect(res.status).toBe(500);
      } finally {
        audit.record = original;
      }
      expect(await counts(t)).toEqual(before);
      const id = (await assetId(t, a, 'rollback'))!;
      expect(t.services.exposure.index.inventoryOf(id)).toBe(beforeInv);
      expect(t.services.exposure.index.desired(id).map((d) => d.advisoryIds)).toEqual([[ids.acme]]);
    });
  });

  it("anonymous callers get 401; another organisation cannot read or write this one's assets", async () => {
    expect((await upload(t, '', 'x', cdx([]))).status).toBe(401);
    expect((await t.req('GET', '/api/v1/assets', {})).status).toBe(401);
    const b = await t.org('Other Bank', 'infrastructure_operator', 'financial_services');
    expect((await t.req('GET', '/api/v1/assets/web', { token: b.token })).status).toBe(404);
    expect((await t.req('GET', `/api/v1/assets/web?org=${a.orgId}`, { token: b.token })).status).toBe(403);
    expect((await upload(t, b, 'web', cdx([]), `?org=${a.orgId}`)).status).toBe(403);
    const list = await t.req<{ items: unknown[] }>('GET', '/api/v1/assets', { token: b.token });
    expect(list.body.items).toEqual([]);
    // Coordinators may look at any organisation's assets.
    const coord = await t.req<{ name: string }>('GET', `/api/v1/assets/web?org=${a.orgId}`, { token: t.adminToken });
    expect(coord.status).toBe(200);
    expect(coord.body.name).toBe('web');
  });
});

async function assetId(t: TestApp, org: TestOrg, name: string): Promise<string | undefined> {
  const r = await t.req<{ id: string }>('GET', `/api/v1/assets/${name}`, { token: org.token });
  return r.status === 200 ? r.body.id : undefined;
}
