/**
 * Exports through the one access rule: each format validated by its own validator (OSV schema, csaf-validator-lib
 * mandatory tests, the STIX 2.1 schemas and rules, the CVE 5 container schema); markings narrowed, never widened;
 * anonymous callers never get anything but TLP:CLEAR, un-embargoed advisories from any endpoint.
 */

import { afterAll, beforeAll, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { schemaValidator } from '../../src/formats/common/schemas.js';
import { csaf21Schema } from '../../src/formats/csaf/index.js';
import { csaf21MandatoryErrors, csafValidatorErrors } from '../../src/formats/csaf/testing/validator.js';
import { validateStixBundle } from '../../src/formats/stix/index.js';
import { describeBackends } from '../backends.js';
import { publishOnePerMarking } from '../fixtures.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';

const osvIssues = schemaValidator('osv/schema.json', '2020-12');
const cveIssues = schemaValidator('cve-5/CVE_JSON_cnaPublishedContainer_5.1.1.json', 'draft-07');
const PKG = 'exportpkg';

function body(name: string, marking: Record<string, unknown>) {
  return {
    summary: `Export test advisory ${name}`,
    details: `Details of ${name}: a flaw in ${PKG} lets an attacker run code.`,
    aliases: [`CVE-2026-${String(90000 + name.length * 7 + name.charCodeAt(0)).slice(0, 5)}`],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: PKG, purl: `pkg:pypi/${PKG}` },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
    cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
    cweIds: ['CWE-94'],
    references: [{ type: 'ADVISORY', url: 'https://example.org/advisory' }],
    credits: [{ name: 'Example finder', type: 'FINDER' }],
    marking,
  };
}

async function unzip(buf: Buffer): Promise<Map<string, string>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.fromBuffer(buf, { lazyEntries: false }, (e, z) => (e || !z ? rej(e) : res(z))),
  );
  const out = new Map<string, string>();
  await new Promise<void>((res, rej) => {
    zip.on('entry', (entry: yauzl.Entry) =>
      zip.openReadStream(entry, async (e, s) => {
        if (e || !s) return rej(e);
        const chunks: Buffer[] = [];
        for await (const c of s) chunks.push(c as Buffer);
        out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
      }),
    );
    zip.on('end', () => setTimeout(res, 20));
    zip.on('error', rej);
  });
  return out;
}

describeBackends('formats export', (backend) => {
  let t: TestApp;
  let partner: TestOrg;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp(backend);
    partner = await t.org('Partner Bank', 'infrastructure_operator', 'financial_services');
    Object.assign(ids, await publishOnePerMarking(t, partner, body));
  });
  afterAll(async () => t?.close());

  it('OSV export validates against the OSV schema and keeps the marking', async () => {
    const res = await t.req('GET', `/api/v1/advisories/${ids.clear}/osv`);
    expect(res.status).toBe(200);
    expect(osvIssues(res.body)).toEqual([]);
    expect(res.body.id).toBe(`x_${ids.clear}`);
    expect((res.body.database_specific as { clearinghouse: { tlp: string } }).clearinghouse.tlp).toBe('CLEAR');
    const amber = await t.req('GET', `/api/v1/advisories/${ids.amber}/osv`, { token: t.adminToken });
    expect(osvIssues(amber.body)).toEqual([]);
    expect((amber.body.database_specific as { clearinghouse: { tlp: string } }).clearinghouse.tlp).toBe('AMBER');
  });

  it('CSAF 2.0 export has zero csaf-validator-lib errors; AMBER+STRICT goes out as RED, CLEAR as WHITE', async () => {
    const clear = await t.req<{ document: { distribution: { tlp: { label: string } } } }>(
      'GET',
      `/api/v1/advisories/${ids.clear}/csaf`,
    );
    expect(clear.status).toBe(200);
    expect(await csafValidatorErrors(clear.body)).toEqual([]);
    expect(clear.body.document.distribution.tlp.label).toBe('WHITE');
    const strict = await t.req<{ document: { distribution: { tlp: { label: string } } } }>(
      'GET',
      `/api/v1/advisories/${ids.strict}/csaf`,
      { token: partner.token },
    );
    expect(strict.status).toBe(200);
    expect(await csafValidatorErrors(strict.body)).toEqual([]);
    expect(strict.body.document.distribution.tlp.label).toBe('RED');
  });

  it('CSAF 2.1 and csaf_vex exports validate; 2.1 keeps AMBER+STRICT as TLP 2.0 says it', async () => {
    const vex = await t.req('GET', `/api/v1/advisories/${ids.clear}/csaf?category=csaf_vex`);
    expect(vex.status).toBe(200);
    expect(await csafValidatorErrors(vex.body)).toEqual([]);
    const v21 = await t.req<{ document: { distribution: { tlp: { label: string } } } }>(
      'GET',
      `/api/v1/advisories/${ids.strict}/csaf?version=2.1`,
      { token: partner.token },
    );
    expect(v21.status).toBe(200);
    expect(csaf21Schema()(v21.body)).toEqual([]);
    expect(await csaf21MandatoryErrors(v21.body)).toEqual([]);
    expect(v21.body.document.distribution.tlp.label).toBe('AMBER+STRICT');
    expect((await t.req('GET', `/api/v1/advisories/${ids.clear}/csaf?version=3.0`)).status).toBe(400);
  });

  it('STIX 2.1 export validates (schemas and rules) and carries the TLP 2.0 marking', async () => {
    for (const name of ['clear', 'amber']) {
      const res = await t.req<{ objects: { type: string; object_marking_refs?: string[] }[] }>(
        'GET',
        `/api/v1/advisories/${ids[name]}/stix`,
        { token: t.adminToken },
      );
      expect(res.status).toBe(200);
      expect(validateStixBundle(res.body)).toEqual([]);
      const vuln = res.body.objects.find((o) => o.type === 'vulnerability')!;
      expect(vuln.object_marking_refs).toHaveLength(1);
    }
  });

  it('CVE 5 export validates against the CNA container schema; non-CLEAR advisories are refused', async () => {
    const res = await t.req('GET', `/api/v1/advisories/${ids.clear}/cve5`);
    expect(res.status).toBe(200);
    expect(cveIssues(res.body)).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d/);
    const amber = await t.req('GET', `/api/v1/advisories/${ids.amber}/cve5`, { token: t.adminToken });
    expect(amber.status).toBe(409);
  });

  it('exports of AMBER and narrower are audited', async () => {
    await t.req('GET', `/api/v1/advisories/${ids.red}/stix`, { token: partner.token });
    const rows = await t.services.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'object_id', 'actor_org_id'])
      .where('action', '=', 'advisory.export')
      .where('object_id', '=', ids.red!)
      .execute();
    expect(rows.some((r) => r.actor_org_id === partner.orgId)).toBe(true);
  });

  it('anonymous callers get only the TLP:CLEAR, un-embargoed advisory from every endpoint', async () => {
    for (const [name, id] of Object.entries(ids)) {
      for (const f of ['osv', 'csaf', 'stix', 'cve5']) {
        const res = await t.req('GET', `/api/v1/advisories/${id}/${f}`);
        expect([name, f, res.status]).toEqual([name, f, name === 'clear' ? 200 : 404]);
      }
      const v = await t.req('GET', `/v1/vulns/${id}`);
      expect([name, v.status]).toEqual([name, name === 'clear' ? 200 : 404]);
    }
    const bulk = await t.req('GET', '/api/v1/exports/osv');
    const lines = bulk.raw.split('\n').filter(Boolean);
    expect(lines.map((l) => JSON.parse(l).id)).toEqual([`x_${ids.clear}`]);
    const q = await t.req<{ vulns?: { id: string }[] }>('POST', '/v1/query', {
      body: { package: { name: PKG, ecosystem: 'PyPI' }, version: '1.0.0' },
    });
    expect(q.body.vulns?.map((v) => v.id)).toEqual([`x_${ids.clear}`]);
    const b = await t.req<{ results: { vulns?: { id: string }[] }[] }>('POST', '/v1/querybatch', {
      body: { queries: [{ package: { purl: `pkg:pypi/${PKG}@1.0.0` } }] },
    });
    expect(b.body.results[0]!.vulns?.map((v) => v.id)).toEqual([`x_${ids.clear}`]);
    // The partner sees what was shared with it, the coordinator everything.
    const p = await t.req<{ vulns?: { id: string }[] }>('POST', '/v1/query', {
      token: partner.token,
      body: { package: { name: PKG, ecosystem: 'PyPI' }, version: '1.0.0' },
    });
    expect(p.body.vulns?.length).toBeGreaterThanOrEqual(4);
  });

  it('bulk OSV export as a zip holds one valid record per visible advisory', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/exports/osv?format=zip',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    const files = await unzip(res.rawPayload);
    expect(files.size).toBe(Object.keys(ids).length);
    for (const text of files.values()) expect(osvIssues(JSON.parse(text))).toEqual([]);
  });
});
