/**
 * The read-only scan (POST /api/v1/exposure/scan) on each backend: findings name purl, version, advisory and aliases;
 * only advisories the caller may see are reported (an AMBER one only to its audience, alias-group members hidden
 * from others); the asset's tags set the priority; nothing is stored; bad input is refused naming the field.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSbom } from '../../src/exposure/sbom/parse.js';
import { projectRoot } from '../../src/paths.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, counts, fixture, publish } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON the API wrote
type Loose = Record<string, any>;

const components = [
  { ref: 'a', name: 'left-padder', purl: 'pkg:npm/left-padder@1.0.0', kind: 'library' },
  { ref: 'b', name: 'right-padder', purl: 'pkg:npm/right-padder@2.0.0', kind: 'library' },
  { ref: 'c', name: 'left-padder', purl: 'pkg:npm/left-padder@1.0.1', kind: 'library' },
  { ref: 'd', name: 'no-purl', version: '1.0', kind: 'library' },
  { ref: 'e', name: 'jinja2', purl: 'pkg:pypi/Jinja2@2.10', kind: 'library' },
];

describeBackends('read-only scan', (backend) => {
  let t: TestApp;
  let op: TestOrg;
  let partner: TestOrg;
  let advLeft: string;
  let advAmber: string;
  let advAlias: string;

  const scan = (token: string | null, body: unknown) => t.req<Loose>('POST', '/api/v1/exposure/scan', { token, body });

  beforeAll(async () => {
    t = await startTestApp(backend);
    op = await t.org('Scan Operator', 'infrastructure_operator', 'energy');
    partner = await t.org('Scan Partner', 'infrastructure_operator', 'energy');
    advLeft = await publish(t, advisoryBody({ aliases: ['CVE-2099-0401'] }));
    advAmber = await publish(
      t,
      advisoryBody({
        summary: 'Embargo-grade flaw in right-padder',
        aliases: ['CVE-2099-0402'],
        affected: [
          {
            package: { ecosystem: 'npm', name: 'right-padder' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '3.0.0' }] }],
          },
        ],
        marking: { tlp: 'AMBER', sharedWithOrgIds: [partner.orgId] },
      }),
    );
    // A second, AMBER record of the same flaw as advLeft (same CVE): op must not learn its id through the group.
    advAlias = await publish(
      t,
      advisoryBody({
        summary: 'Heap overflow in left-padder (vendor record)',
        aliases: ['CVE-2099-0401', 'GHSA-zzzz-yyyy-xxxx'],
        marking: { tlp: 'AMBER', sharedWithOrgIds: [partner.orgId] },
      }),
    );
    await publish(
      t,
      advisoryBody({
        summary: 'Sandbox escape in Jinja2',
        aliases: ['CVE-2019-10906'],
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'jinja2' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.10.1' }] }],
          },
        ],
        cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      }),
    );
  }, 240_000);
  afterAll(() => t?.close());

  it('reports findings with purl, version, advisory id and aliases; stores nothing', async () => {
    const before = await counts(t);
    const r = await scan(op.token, { components });
    expect(r.status, r.raw).toBe(200);
    expect(r.body.components).toBe(5);
    expect(r.body.skipped).toEqual([{ ref: 'd', name: 'no-purl', reason: 'no purl' }]);
    const byPurl = new Map((r.body.findings as Loose[]).map((f) => [f.component.purl, f]));
    expect([...byPurl.keys()].sort()).toEqual(['pkg:npm/left-padder@1.0.0', 'pkg:pypi/Jinja2@2.10']);
    expect(byPurl.get('pkg:npm/left-padder@1.0.0')).toMatchObject({
      component: { name: 'left-padder', version: '1.0.0', ref: 'a', ecosystem: 'npm' },
      advisory: { id: advLeft, aliases: ['CVE-2099-0401'] },
      priority: 'P3',
    });
    // CVSS 4.0 critical, no SSVC: P2 on a medium asset.
    expect(byPurl.get('pkg:pypi/Jinja2@2.10')).toMatchObject({
      component: { version: '2.10' },
      advisory: { aliases: ['CVE-2019-10906'], cvssSeverity: 'CRITICAL' },
      priority: 'P2',
    });
    expect(r.body.counts).toEqual({ P1: 0, P2: 1, P3: 1, P4: 0 });
    expect(await counts(t)).toEqual(before);
  });

  it('who must NOT learn of an advisory: the AMBER one and the hidden group member stay out for others', async () => {
    const mine = await scan(op.token, { components });
    expect(mine.raw).not.toContain(advAmber);
    expect(mine.raw).not.toContain(advAlias);
    expect(mine.raw).not.toContain('CVE-2099-0402');
    expect(mine.raw).not.toContain('GHSA-zzzz-yyyy-xxxx');
    const theirs = await scan(partner.token, { components });
    const ids = (theirs.body.findings as Loose[]).map((f) => f.advisory.id);
    expect(ids).toContain(advAmber);
    const left = (theirs.body.findings as Loose[]).find((f) => f.component.purl === 'pkg:npm/left-padder@1.0.0')!;
    // One flaw, one finding: the group reported through its first visible member, the others as aliases.
    expect(left.advisory.id).toBe([advLeft, advAlias].sort()[0]);
    expect(left.advisory.aliases).toEqual(
      expect.arrayContaining(['CVE-2099-0401', 'GHSA-zzzz-yyyy-xxxx', [advLeft, advAlias].sort()[1]]),
    );
    // The partner's read of AMBER advisories through the scan is audited.
    const audit = await t.services.audit.list({ objectId: advAmber, action: 'advisory.read', limit: 5 });
    expect(audit.some((a) => a.actorOrgId === partner.orgId)).toBe(true);
    expect((await scan(null, { components })).status).toBe(401);
  });

  it("the asset's tags set the priority as for a stored inventory", async () => {
    const r = await scan(op.token, { components, criticality: 'critical', internetFacing: true });
    const pr = (r.body.findings as Loose[]).map((f) => [f.component.name, f.priority]).sort();
    expect(pr).toEqual([
      ['jinja2', 'P1'],
      ['left-padder', 'P2'],
    ]);
  });

  it('matches AI models against advisories that name them (Hugging Face ecosystem)', async () => {
    const adv = await publish(
      t,
      advisoryBody({
        summary: 'Backdoored weights in example-org/chat-7b',
        aliases: ['CVE-2099-0405'],
        affected: [
          { package: { ecosystem: 'Hugging Face', name: 'example-org/chat-7b' }, versions: ['0123456789abcdef'] },
        ],
      }),
    );
    const model = (version: string) => ({
      ref: 'm',
      name: 'example-org/chat-7b',
      version,
      kind: 'machine-learning-model',
    });
    const hit = await scan(op.token, { components: [model('0123456789abcdef')] });
    expect(hit.status, hit.raw).toBe(200);
    expect(hit.body.findings).toHaveLength(1);
    expect(hit.body.findings[0]).toMatchObject({
      component: { name: 'example-org/chat-7b', version: '0123456789abcdef', ecosystem: null },
      advisory: { id: adv, aliases: ['CVE-2099-0405'] },
    });
    const miss = await scan(op.token, { components: [model('fedcba9876543210')] });
    expect(miss.body.findings).toEqual([]);
  });

  it('accepts every component parseSbom gives for the real SBOM fixtures (CycloneDX 1.4-1.6, SPDX 2.3)', async () => {
    for (const name of readdirSync(join(projectRoot(), 'fixtures', 'sbom')).filter((f) => f.endsWith('.json'))) {
      const parsed = parseSbom(fixture(name), { fileName: name });
      if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.issues)}`);
      const r = await scan(op.token, { components: parsed.value.components });
      expect(r.status, `${name}: ${r.raw.slice(0, 300)}`).toBe(200);
      expect(r.body.components).toBe(parsed.value.components.length);
    }
  });

  it('bad input: 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'components'],
      [{ components: 'x' }, 'components'],
      [{ components: [{ purl: 'pkg:npm/a@1' }] }, 'components.0.name'],
      [{ components: [{ name: 'a', kind: 'rock' }] }, 'components.0.kind'],
      [{ components: [], criticality: 'extreme' }, 'criticality'],
      [{ components: [], sbom: 'x' }, ''],
    ];
    for (const [body, field] of cases) {
      const r = await scan(op.token, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      if (field) expect((r.body.issues as { path: string }[]).map((i) => i.path)).toContain(field);
    }
  });
});
