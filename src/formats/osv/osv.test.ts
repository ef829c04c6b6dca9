import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AdvisoryDoc } from '../../vulnerabilities/advisory.model.js';
import { packageRoot } from '../common/root.js';
import { schemaValidator } from '../common/schemas.js';
import { advisoryDoc } from '../common/testing/advisory.arb.js';
import { trackingOf } from '../csaf/parts.js';
import { decodeOsv, type OsvImport } from './decode.js';
import { encodeOsv, encodeOsvBatch, osvIdOf } from './encode.js';

const FIX = join(packageRoot(), 'fixtures', 'osv');
const lines = (f: string) =>
  readFileSync(join(FIX, f), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const validOsv = schemaValidator('osv/schema.json', '2020-12');

function decoded(input: unknown): OsvImport {
  const r = decodeOsv(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function asDoc(v: OsvImport, n = 1): AdvisoryDoc {
  const { marking: _m, clearinghouseId: _c, ...rest } = v;
  return { ...rest, id: `CH-2026-${String(n).padStart(4, '0')}`, version: 1, caseId: null };
}

describe('decodeOsv on real records', () => {
  const valid = lines('valid-sample.jsonl');

  it('accepts every valid sample record without repair warnings', () => {
    expect(valid.length).toBeGreaterThanOrEqual(10);
    for (const r of valid) {
      const res = decodeOsv(r);
      expect(res.ok, String(r.id)).toBe(true);
      if (res.ok) expect(res.warnings.filter((w) => w.includes('repaired') || w.includes('dropped'))).toEqual([]);
    }
  });

  it('keeps the upstream id in aliases and source, with the licence of its home database', () => {
    const byId = new Map(valid.map((r) => [r.id as string, decoded(r)]));
    const pysec = byId.get('PYSEC-2021-335')!;
    expect(pysec.aliases).toEqual(['PYSEC-2021-335', 'CVE-2021-32807', 'GHSA-qcx9-j53g-ccgf']);
    expect(pysec.source).toMatchObject({ upstreamId: 'PYSEC-2021-335', licence: 'CC-BY-4.0' });
    expect(pysec.affected[0]!.package).toEqual({
      name: 'accesscontrol',
      ecosystem: 'PyPI',
      purl: 'pkg:pypi/accesscontrol',
    });
    expect(pysec.references.map((r) => r.type)).toEqual(['WEB', 'FIX', 'ADVISORY']);
    expect(byId.get('RUSTSEC-2016-0001')!.source?.licence).toBe('CC0-1.0');
    expect(byId.get('RUSTSEC-2021-0155')!.source?.licence).toBe('CC-BY-4.0');
    expect(byId.get('GO-2020-0001')!.source).toMatchObject({ licence: 'CC-BY-4.0', url: 'https://pkg.go.dev/vuln/' });
    expect(byId.get('GO-2020-0001')!.credits).toEqual([{ name: '@thinkerou <thinkerou@gmail.com>' }]);
  });

  it('maps CVSS severity with computed scores, and withdrawn', () => {
    const rust = decoded(valid.find((r) => r.id === 'RUSTSEC-2016-0001'));
    expect(rust.cvss).toEqual([
      { version: '3.0', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 8.1, severity: 'HIGH' },
    ]);
    const v4 = decoded(valid.find((r) => r.id === 'RUSTSEC-2024-0445'));
    expect(v4.cvss[0]?.version).toBe('4.0');
    expect(typeof v4.cvss[0]?.score).toBe('number');
    const gone = decoded(valid.find((r) => r.id === 'GO-2022-0617'));
    expect(gone.withdrawn).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(decoded(valid.find((r) => r.id === 'PYSEC-2021-335')).withdrawn).toBeNull();
  });

  it('reads database_specific.cwe_ids (GitHub convention)', () => {
    const ghsa = decoded(JSON.parse(readFileSync(join(FIX, 'ghsa-full_ranges.osv.json'), 'utf8')));
    expect(ghsa.cweIds.length).toBeGreaterThan(0);
    expect(ghsa.cweIds.every((c) => /^CWE-\d+$/.test(c))).toBe(true);
    expect(ghsa.cweIds).toEqual(['CWE-338']);
    expect(ghsa.source?.licence).toBe('CC-BY-4.0');
    expect(decoded(valid.find((r) => r.id === 'PSF-2007-2')).cweIds).toEqual(['CWE-22']);
    // Only a clearinghouse export may name another source; anyone else's record is attributed to its home database.
    const spoof = decoded({ ...valid[0], database_specific: { source: { name: 'Someone else', licence: 'CC0-1.0' } } });
    expect(spoof.source).toMatchObject({ name: 'OSV: PyPA Advisory Database', licence: 'CC-BY-4.0' });
  });

  it("reads Go's zero time (0001-01-01T00:00:00Z) as not set, never as a date in year 1", () => {
    const zero = valid.filter((r) => r.modified === '0001-01-01T00:00:00Z' && r.published !== r.modified);
    expect(zero.length).toBeGreaterThan(0);
    for (const r of zero) {
      const res = decodeOsv(r);
      if (!res.ok) throw new Error(JSON.stringify(res.issues));
      expect(res.value.modified, String(r.id)).toBe(r.published);
      expect(res.warnings).toContain('/modified: the zero time (not set), the published time was used');
    }
    const both = decodeOsv({ ...zero[0]!, published: '0001-01-01T00:00:00Z', modified: '2024-05-01T00:00:00Z' });
    expect(both.ok && both.value.published).toBe('2024-05-01T00:00:00Z');
    expect(both.ok && both.value.modified).toBe('2024-05-01T00:00:00Z');
    // and a CSAF export of it releases the document in the record's own year
    const first = zero[0]!;
    const publisher = { category: 'coordinator', name: 'Test', namespace: 'https://example.org' } as const;
    const tracking = trackingOf(asDoc(decoded(first)), { publisher }) as { initial_release_date: string };
    expect(tracking.initial_release_date.slice(0, 4)).toBe(String(first.published).slice(0, 4));
  });
});

describe('the 7 upstream PyPI records that fail the OSV schema', () => {
  const bad = lines('pypi-schema-failures.jsonl');

  it('fail the schema as they are', () => {
    expect(bad.length).toBe(7);
    for (const r of bad) expect(validOsv(r).length, String(r.id)).toBeGreaterThan(0);
  });

  it('are repaired with a warning: suffixes stripped, unresolvable abbreviated-commit GIT ranges dropped', () => {
    const out = new Map(bad.map((r) => [r.id as string, decodeOsv(r)]));
    for (const [id, res] of out) {
      expect(res.ok, id).toBe(true);
      if (!res.ok) continue;
      expect(res.warnings.length, id).toBeGreaterThan(0);
      expect(
        res.value.affected[0]!.ranges!.some((g) => g.type === 'ECOSYSTEM'),
        id,
      ).toBe(true);
      expect(validOsv(encodeOsv(asDoc(res.value))), id).toEqual([]);
    }
    const binder = out.get('PYSEC-2021-371')!;
    if (!binder.ok) throw new Error('unreachable');
    const git = binder.value.affected[0]!.ranges!.find((g) => g.type === 'GIT')!;
    expect(git.events).toContainEqual({ fixed: '195caac172690456dcdc8cc7a6ca50e05abf8182' });
    const fedora = out.get('PYSEC-2017-27')!;
    if (!fedora.ok) throw new Error('unreachable');
    expect(fedora.value.affected[0]!.ranges!.find((g) => g.type === 'GIT')!.events).toEqual([
      { introduced: '0' },
      { fixed: 'b27f38a67573f4c989710c9bfb726dd4c1eeb929' },
    ]);
    const synapse = out.get('PYSEC-2021-424')!;
    if (!synapse.ok) throw new Error('unreachable');
    expect(synapse.value.affected[0]!.ranges!.map((g) => g.type)).toEqual(['ECOSYSTEM']);
    expect(synapse.warnings.join('\n')).toMatch(/dropped.*cb35df940a/);
  });

  it('other schema failures are rejected with pointer paths', () => {
    const r = structuredClone(bad[0]!) as Record<string, unknown>;
    delete r.modified;
    const res = decodeOsv(r);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.issues.some((i) => i.message.includes('modified'))).toBe(true);
    const wrongRef = { id: 'PYSEC-2020-1', modified: '2020-01-01T00:00:00Z', references: [{ type: 'NOPE', url: 'x' }] };
    const res2 = decodeOsv(wrongRef);
    expect(res2.ok).toBe(false);
    if (!res2.ok) expect(res2.issues.map((i) => i.path)).toContain('/references/0/type');
  });
});

describe('encodeOsv', () => {
  const all = [...lines('valid-sample.jsonl'), ...lines('pypi-schema-failures.jsonl')].map((r, i) =>
    asDoc(decoded(r), i + 1),
  );

  it('writes schema-valid OSV with our id, upstream ids in aliases, attribution and licence', () => {
    for (const doc of all) {
      const out = encodeOsv(doc, { tlp: 'GREEN' });
      expect(validOsv(out), doc.id).toEqual([]);
      expect(out.id).toBe(`x_${doc.id}`);
      expect(out.aliases).toContain(doc.source!.upstreamId);
      const ds = out.database_specific as Record<string, Record<string, unknown>>;
      expect(ds.source).toMatchObject({ upstream_id: doc.source!.upstreamId, licence: doc.source!.licence });
      expect(ds.clearinghouse!.tlp).toBe('GREEN');
    }
    expect(osvIdOf('PYSEC-2021-1')).toBe('PYSEC-2021-1');
  });

  it('round-trips: decode(encode(doc)) gives the document back, marking included', () => {
    for (const doc of all) {
      const back = decoded(encodeOsv(doc, { tlp: 'AMBER+STRICT' }));
      expect(back.marking).toBe('AMBER+STRICT');
      expect(back.clearinghouseId).toBe(doc.id);
      expect(asDoc(back, Number(doc.id.slice(-4)))).toEqual(doc);
    }
  });

  it('is total: any document encodes to a schema-valid record', () => {
    fc.assert(
      fc.property(advisoryDoc, (doc) => {
        expect(validOsv(encodeOsv(doc))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every marking of a batch apart', () => {
    const out = encodeOsvBatch([
      { doc: all[0]!, tlp: 'CLEAR', ownerOrgName: 'a' },
      { doc: all[1]!, tlp: 'RED', ownerOrgName: 'b' },
    ]);
    expect(out.map((o) => (o.database_specific as Record<string, Record<string, unknown>>).clearinghouse!.tlp)).toEqual(
      ['CLEAR', 'RED'],
    );
  });
});

describe('golden output (OSV 1.7.0)', () => {
  it('encodes a full advisory exactly as the committed golden file', async () => {
    const base = asDoc(decoded(lines('valid-sample.jsonl').find((r) => r.id === 'PYSEC-2021-335')));
    const doc: AdvisoryDoc = {
      ...base,
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2, severity: 'HIGH' }],
      ssvc: {
        model: 'CISA Coordinator 2.0.3',
        exploitation: 'none',
        automatable: 'no',
        technicalImpact: 'total',
        missionAndWellBeing: 'medium',
        decision: 'Track',
        trace: ['exploitation none, automatable no, technical impact total, mission medium → Track'],
        decidedAt: '2026-01-02T03:04:05Z',
      },
      cweIds: ['CWE-94'],
      atlasIds: ['AML.T0051'],
      owaspLlmIds: ['LLM01:2025'],
      remediation: 'Upgrade AccessControl to 4.3 or 5.2.',
    };
    const out = encodeOsv(doc, { tlp: 'GREEN' });
    expect(validOsv(out)).toEqual([]);
    await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot(join(FIX, 'golden', 'CH-2026-0001.osv.json'));
  });
});
