/**
 * POSTed STIX objects → report submissions (TAXII "Add Objects"). Pure. Each `vulnerability` object becomes one report
 * input of the caller's organisation; every other object is read only as context (marking-definitions for the TLP,
 * identities for the producer, `software` objects linked by a `has` relationship for the affected products) and gets
 * a failure entry saying it was not ingested on its own.
 *
 * - Marking: the object's TLP (object_marking_refs: TLP 2.0 or 1.0 ids, or TLP definitions in the envelope), narrowed
 *   to the collection's audience when the collection is narrower; never widened. No TLP → the collection's default.
 * - Provenance: STIX does not say how a vulnerability was found; reports say `human` and note that the source did not
 *   state it.
 * - Idempotent: the key is the object's id and version, so a second POST of the same version creates nothing.
 */
import { narrowest, TLP_RANK, type Tlp } from '../../access/marking.js';
import type { MarkingInput } from '../../access/marking.schema.js';
import type { FieldIssue } from '../../errors.js';
import type { OsvAffected } from '../../vulnerabilities/advisory.model.js';
import { type ReportInput, reportInputSchema } from '../../vulnerabilities/report.schema.js';
import { isRecord } from '../common/result.js';
import { decodeStix } from '../stix/index.js';

type J = Record<string, unknown>;

export interface IngestItem {
  /** The STIX id and version the status resource reports. */
  id: string;
  version: string;
  /** A vulnerability turned into a report input, or why it could not be. */
  input?: ReportInput;
  issues?: FieldIssue[];
  /** Objects that are not ingested on their own. */
  skipped?: string;
}

export const MAX_OBJECTS = 1000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function affectedOf(a: OsvAffected): Record<string, unknown> | null {
  if (!a.package) return null;
  return {
    ...(a.package.purl ? { purl: a.package.purl } : {}),
    ecosystem: a.package.ecosystem,
    name: a.package.name,
    ranges: (a.ranges ?? []).map((r) => ({ type: r.type, ...(r.repo ? { repo: r.repo } : {}), events: r.events })),
    versions: a.versions ?? [],
  };
}

/** `software` objects linked to the vulnerability by `software --has--> vulnerability`. */
function softwareOf(vulnId: string, objects: J[]): Record<string, unknown>[] {
  const byId = new Map(objects.filter((o) => o.type === 'software').map((o) => [String(o.id), o]));
  return objects
    .filter((o) => o.type === 'relationship' && o.relationship_type === 'has' && o.target_ref === vulnId)
    .flatMap((r): Record<string, unknown>[] => {
      const sw = byId.get(String(r.source_ref));
      if (!sw) return [];
      const versions = str(sw.version) ? [sw.version] : [];
      const cpe = str(sw.cpe);
      if (cpe?.startsWith('cpe:')) return [{ cpe, versions }];
      const name = str(sw.name);
      return name ? [{ product: name, ...(str(sw.vendor) ? { vendor: sw.vendor } : {}), versions }] : [];
    });
}

function markingFor(objectTlp: Tlp | null, collection: MarkingInput): MarkingInput {
  if (objectTlp === null || TLP_RANK[objectTlp] <= TLP_RANK[collection.tlp]) return collection;
  return { tlp: narrowest(objectTlp, collection.tlp), sharedWithOrgIds: [], namedMemberIds: [] };
}

function zodIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

function vulnerabilityItem(o: J, objects: J[], collection: MarkingInput): IngestItem {
  const id = String(o.id);
  const version = String(o.modified ?? o.created ?? '');
  const context = objects.filter((c) => c.type === 'marking-definition' || c.type === 'identity');
  const decoded = decodeStix({ objects: [o, ...context] });
  if (!decoded.ok) return { id, version, issues: decoded.issues };
  const imp = decoded.value.advisories[0];
  if (!imp) return { id, version, issues: decoded.value.rejected.flatMap((r) => r.issues) };
  const title = imp.summary.trim().length >= 5 ? imp.summary.trim().slice(0, 300) : `STIX vulnerability ${id}`;
  const details = imp.details.trim();
  const affected = [
    ...imp.affected.map(affectedOf).filter((a): a is Record<string, unknown> => a !== null),
    ...softwareOf(id, objects),
  ];
  const raw = {
    title,
    description: details.length >= 10 ? details : `${title} (from STIX ${id}, which carries no description)`,
    provenance: {
      discoveryMethod: 'human',
      notes: `Ingested through TAXII from STIX ${id} version ${version}; the STIX object does not state how the vulnerability was found.`,
    },
    affected,
    cweIds: imp.cweIds,
    atlasIds: imp.atlasIds,
    owaspLlmIds: imp.owaspLlmIds,
    aliases: imp.aliases.filter((a) => a.length >= 3 && a.length <= 100).slice(0, 50),
    references: imp.references.slice(0, 100).map((r) => ({ type: r.type, url: r.url })),
    ...(imp.cvss.find((c) => c.version === '4.0')
      ? { cvssVector: imp.cvss.find((c) => c.version === '4.0')!.vector }
      : {}),
    marking: markingFor(imp.marking, collection),
    idempotencyKey: `taxii:${id}|${version}`,
  };
  if (affected.length === 0)
    return {
      id,
      version,
      issues: [
        {
          path: 'affected',
          message:
            'the vulnerability names no affected product: link a software object with a "has" relationship, or carry x_clearinghouse.affected',
        },
      ],
    };
  const parsed = reportInputSchema.safeParse(raw);
  return parsed.success ? { id, version, input: parsed.data } : { id, version, issues: zodIssues(parsed.error) };
}

/** One item per object of the envelope, in order. The envelope itself is checked by the caller. */
export function ingestItems(objects: unknown[], collection: MarkingInput): IngestItem[] {
  const records = objects.filter(isRecord);
  return objects.map((o) => {
    if (!isRecord(o)) return { id: 'unknown', version: '', issues: [{ path: '', message: 'not a STIX object' }] };
    const id = str(o.id) ?? 'unknown';
    const version = str(o.modified) ?? str(o.created) ?? '';
    if (o.type !== 'vulnerability')
      return {
        id,
        version,
        skipped: `not ingested: ${String(o.type ?? 'untyped')} objects are read only as context of vulnerability objects, which become reports`,
      };
    if (typeof o.id !== 'string') return { id, version, issues: [{ path: 'id', message: 'no id' }] };
    return vulnerabilityItem(o, records, collection);
  });
}
