import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TLP_LEVELS, TLP_RANK } from '../../access/marking.js';
import type { AdvisoryDoc, OsvAffected } from '../../vulnerabilities/advisory.model.js';
import { toUtcZ } from '../common/dates.js';
import { matchesFormat } from '../common/schemas.js';
import { advisoryDoc } from '../common/testing/advisory.arb.js';
import { type CsafImport, decodeCsaf } from './decode.js';
import { encodeCsaf20 } from './encode20.js';
import { encodeCsaf21 } from './encode21.js';
import { fixedVersions, versOfRange, versOfVersion } from './packages.js';
import { looksLikeRange } from './product-tree.js';
import { full, publisher } from './testing/samples.js';

const nonEmpty = (s: string | null | undefined): s is string => typeof s === 'string' && s.trim() !== '';
const TRIMMED = /^[\S](.*[\S])?$/s;

/**
 * Packages as sets of vers: strings (ranges) and exact versions: how CSAF holds OSV `affected`. The encoder writes an
 * entry's versions only when it has no ranges; a decoded entry gathers every leaf of its product, so there (`decoded`)
 * versions beside ranges come from another entry of the same package and count.
 */
function packages(affected: OsvAffected[], decoded = false): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const a of affected) {
    if (!a.package || a.package.name === '' || a.package.ecosystem === '') continue;
    const key = `${a.package.ecosystem}|${a.package.name}`;
    const set = out[key] ?? new Set<string>();
    out[key] = set;
    const ranges = (a.ranges ?? []).map((r) => versOfRange(a.package!.ecosystem, r)).filter((v) => v !== null);
    for (const v of ranges) set.add(v);
    if (ranges.length === 0 || decoded)
      for (const v of a.versions ?? []) if (v !== '') set.add(versOfVersion(a.package.ecosystem, v));
    if (ranges.length === 0 && (a.versions ?? []).every((v) => v === '') && fixedVersions(a).length === 0)
      set.add(versOfRange(a.package.ecosystem, { type: 'ECOSYSTEM', events: [] })!);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** What decode(encode(doc)) must give back: every field CSAF can hold, in the form CSAF holds it. */
function expected(doc: AdvisoryDoc) {
  const utc = (s: string | null) => (s ? (toUtcZ(s)?.value ?? null) : null);
  const a = utc(doc.published) ?? utc(doc.modified) ?? '1970-01-01T00:00:00.000Z';
  const b = utc(doc.modified) ?? a;
  const [published, modified] = Date.parse(a) <= Date.parse(b) ? [a, b] : [b, a];
  const refs = new Map<string, string>();
  for (const r of doc.references) if (!refs.has(r.url) && matchesFormat('uri', r.url)) refs.set(r.url, r.type);
  return {
    aliases: [...new Set(doc.aliases.filter((x) => TRIMMED.test(x) && x !== doc.id))].sort(),
    related: doc.related,
    summary: nonEmpty(doc.summary) ? doc.summary : '',
    details: nonEmpty(doc.details) ? doc.details : '',
    affected: packages(doc.affected),
    cvss: doc.cvss,
    ssvc: doc.ssvc,
    kev: doc.kev,
    cweIds: doc.cweIds,
    atlasIds: doc.atlasIds,
    owaspLlmIds: doc.owaspLlmIds,
    references: [...refs].map(([url, type]) => ({ type, url })),
    credits: doc.credits
      .filter((c) => nonEmpty(c.name))
      .map((c) => {
        const contact = [
          ...new Set(
            (c.contact ?? [])
              .map((x) => (x.includes('@') && !x.includes(':') ? `mailto:${x}` : x))
              .filter((x) => matchesFormat('uri', x)),
          ),
        ].map((x) => x.replace(/^mailto:/, ''));
        return { name: c.name, ...(nonEmpty(c.type) ? { type: c.type } : {}), ...(contact.length ? { contact } : {}) };
      }),
    remediation: doc.remediation,
    published,
    modified,
    withdrawn: doc.withdrawn,
    source: doc.source,
    clearinghouseId: doc.id,
    csafVersion: String(Math.max(1, Math.min(1000, Math.trunc(doc.version) || 1))),
  };
}

function actual(v: CsafImport) {
  const { marking: _m, csafId: _c, ...rest } = v;
  return { ...rest, aliases: [...v.aliases].sort(), affected: packages(v.affected, true) };
}

const ENCODERS = {
  'CSAF 2.0 advisory': (doc: AdvisoryDoc, tlp: (typeof TLP_LEVELS)[number]) =>
    encodeCsaf20({ doc, tlp, ownerOrgName: 'O' }, { publisher }),
  'CSAF 2.0 VEX': (doc: AdvisoryDoc, tlp: (typeof TLP_LEVELS)[number]) =>
    encodeCsaf20({ doc, tlp, ownerOrgName: 'O' }, { publisher }, 'csaf_vex'),
  'CSAF 2.1 advisory': (doc: AdvisoryDoc, tlp: (typeof TLP_LEVELS)[number]) =>
    encodeCsaf21({ doc, tlp, ownerOrgName: 'O' }, { publisher }),
};

describe('CSAF round trip: decode(encode(x)) keeps every field CSAF can hold, the marking never wider', () => {
  for (const [name, encode] of Object.entries(ENCODERS))
    it(name, () => {
      fc.assert(
        fc.property(advisoryDoc, fc.constantFrom(...TLP_LEVELS), (doc, tlp) => {
          const r = decodeCsaf(encode(doc, tlp));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.value).toHaveLength(1);
          const got = r.value[0]!;
          expect(actual(got)).toEqual(expected(doc));
          expect(TLP_RANK[got.marking!]).toBeGreaterThanOrEqual(TLP_RANK[tlp]);
          if (name.includes('2.1')) expect(got.marking).toBe(tlp);
        }),
        { numRuns: 200 },
      );
    });

  it('the sample keeps its exact ranges (types aside) and range-like versions', () => {
    const r = decodeCsaf(encodeCsaf20(full, { publisher }));
    expect(r.ok && r.value[0]!.affected[0]!.ranges![0]!.events).toEqual(full.doc.affected[0]!.ranges![0]!.events);
    expect(looksLikeRange('1.0 and later')).toBe(true);
  });
});
