/**
 * OSV 1.x → AdvisoryImport. Validates against the official schema (schemas/osv/schema.json), repairs the one known
 * upstream defect with a warning (repair.ts), rejects everything else that fails the schema.
 */
import type { Tlp } from '../../access/marking.js';
import type {
  AdvisoryDoc,
  Credit,
  CvssScore,
  KevFacts,
  OsvAffected,
  Reference,
  SourceAttribution,
  SsvcDecision,
} from '../../vulnerabilities/advisory.model.js';
import { cvssFromVector } from '../common/cvss.js';
import { safeJsonParse, scanJson } from '../common/json.js';
import {
  type AdvisoryImport,
  type DecodeResult,
  fail,
  guard,
  type Issue,
  isRecord,
  issue,
  ok,
} from '../common/result.js';
import { schemaValidator } from '../common/schemas.js';
import { attributionFor } from './attribution.js';
import { repairGitRanges } from './repair.js';
import { CH_KEY, type OsvRecord } from './types.js';

export interface OsvImport extends AdvisoryImport {
  /** The TLP the record itself declared: only records exported by a clearinghouse carry one. Never widen it. */
  marking: Tlp | null;
  /** The CH id when the record is a clearinghouse export (database_specific.clearinghouse.id), else null. */
  clearinghouseId: string | null;
}

const MAX_DEPTH = 32;
const MAX_ID = 256;
const MAX_STRING = 1024 * 1024;
const TLPS: readonly string[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

const validate = () => schemaValidator('osv/schema.json', '2020-12');

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Checks the schema cannot express: sizes, well-formed Unicode. */
function sanityIssues(value: Record<string, unknown>): Issue[] {
  const out: Issue[] = [];
  if (typeof value.id === 'string' && value.id.length > MAX_ID)
    out.push(issue('/id', `longer than ${MAX_ID} characters`));
  return [...out, ...scanJson(value, { maxDepth: MAX_DEPTH, maxString: MAX_STRING })];
}

function cvssOf(severity: unknown, warnings: string[], where: string): CvssScore[] {
  if (!Array.isArray(severity)) return [];
  const out: CvssScore[] = [];
  for (const s of severity) {
    if (!isRecord(s) || typeof s.score !== 'string') continue;
    if (!String(s.type).startsWith('CVSS_')) {
      warnings.push(`${where}: severity of type ${String(s.type)} is not CVSS and was not kept`);
      continue;
    }
    const c = cvssFromVector(s.score);
    if (c) out.push(c);
    else warnings.push(`${where}: CVSS vector "${s.score.slice(0, 80)}" not recognised`);
  }
  return out;
}

function cleanAffected(a: OsvAffected): OsvAffected {
  const out: OsvAffected = {};
  if (a.package) {
    out.package = { ecosystem: a.package.ecosystem, name: a.package.name };
    if (a.package.purl) out.package.purl = a.package.purl;
  }
  if (Array.isArray(a.severity)) out.severity = a.severity.map((s) => ({ type: s.type, score: s.score }));
  if (Array.isArray(a.ranges)) out.ranges = a.ranges;
  if (Array.isArray(a.versions)) out.versions = a.versions;
  if (isRecord(a.ecosystem_specific)) out.ecosystem_specific = a.ecosystem_specific;
  if (isRecord(a.database_specific)) out.database_specific = a.database_specific;
  return out;
}

/** What our own encoder put under database_specific.clearinghouse; anything malformed is dropped with a warning. */
function ownExtras(ch: Record<string, unknown>, warnings: string[]) {
  const pick = <T>(key: string, ok: (v: unknown) => boolean): T | undefined => {
    const v = ch[key];
    if (v === undefined || v === null) return undefined;
    if (ok(v)) return v as T;
    warnings.push(`/database_specific/${CH_KEY}/${key}: malformed, not kept`);
    return undefined;
  };
  const isCvss = (v: unknown) =>
    Array.isArray(v) && v.every((c) => isRecord(c) && typeof c.vector === 'string' && typeof c.version === 'string');
  return {
    id: pick<string>('id', (v) => typeof v === 'string'),
    tlp: pick<Tlp>('tlp', (v) => typeof v === 'string' && TLPS.includes(v)),
    cvss: pick<CvssScore[]>('cvss', isCvss),
    ssvc: pick<SsvcDecision>('ssvc', (v) => isRecord(v) && typeof v.decision === 'string'),
    kev: pick<KevFacts>('kev', (v) => isRecord(v) && typeof v.cveId === 'string' && typeof v.dateAdded === 'string'),
    atlasIds: pick<string[]>('atlas_ids', (v) => Array.isArray(v)),
    owaspLlmIds: pick<string[]>('owasp_llm_ids', (v) => Array.isArray(v)),
    remediation: pick<string>('remediation', (v) => typeof v === 'string'),
  };
}

/** A clearinghouse export carries the original attribution under database_specific.source; others get their home's. */
function sourceOf(record: OsvRecord, ds: Record<string, unknown>, ours: boolean): SourceAttribution {
  const declared = ds.source;
  if (ours && isRecord(declared) && typeof declared.name === 'string') {
    const s: SourceAttribution = { name: declared.name };
    if (typeof declared.url === 'string') s.url = declared.url;
    if (typeof declared.licence === 'string') s.licence = declared.licence;
    s.upstreamId = typeof declared.upstream_id === 'string' ? declared.upstream_id : record.id;
    return s;
  }
  return attributionFor(record.id, ds.license ?? ds.licence);
}

const ZERO_TIME = /^0001-01-01T00:00:00(?:\.0+)?Z$/;

function mapRecord(record: OsvRecord, warnings: string[]): OsvImport {
  const ds = isRecord(record.database_specific) ? record.database_specific : {};
  const ch = isRecord(ds[CH_KEY]) ? ownExtras(ds[CH_KEY], warnings) : null;
  const ownId = ch?.id;
  const cvss = ch?.cvss ?? [
    ...cvssOf(record.severity, warnings, '/severity'),
    ...(record.affected ?? []).flatMap((a, i) => cvssOf(a.severity, warnings, `/affected/${i}/severity`)),
  ];
  // Go's zero time ("0001-01-01T00:00:00Z") is how some databases write a time they never set (thousands of Go
  // vulnerability database records have it as `modified`): it is treated as absent, never as a date in year 1.
  const modifiedSet = record.modified !== undefined && !ZERO_TIME.test(record.modified);
  const publishedSet = record.published !== undefined && !ZERO_TIME.test(record.published);
  const published = (publishedSet ? record.published : undefined) ?? record.modified;
  if (!record.published) warnings.push('/published: absent, the modified time was used');
  else if (!publishedSet && modifiedSet)
    warnings.push('/published: the zero time (not set), the modified time was used');
  else if (!publishedSet) warnings.push('/published, /modified: both the zero time (not set); kept as written');
  const modified = modifiedSet || !publishedSet ? record.modified : published;
  if (!modifiedSet && publishedSet) warnings.push('/modified: the zero time (not set), the published time was used');
  // GitHub and PSF write database_specific.cwe_ids, opam database_specific.cwe, older GHSA exports a per-package
  // database_specific.cwes[].cweId.
  const perPackage = (record.affected ?? []).flatMap((a) =>
    isRecord(a.database_specific) && Array.isArray(a.database_specific.cwes)
      ? a.database_specific.cwes.map((c: unknown) => (isRecord(c) ? c.cweId : null))
      : [],
  );
  const cweIds = uniq(
    [...strings(ds.cwe_ids), ...strings(ds.cwe), ...strings(perPackage)].filter((c) => /^CWE-\d+$/.test(c)),
  );
  const doc: Omit<AdvisoryDoc, 'id' | 'version' | 'caseId'> = {
    // A clearinghouse export carries the original upstream id in its aliases already; its own x_CH id is not an alias.
    aliases: uniq([...(ownId ? [] : [record.id]), ...strings(record.aliases)]),
    related: uniq(strings(record.related)),
    summary: record.summary ?? '',
    details: record.details ?? '',
    affected: (record.affected ?? []).map(cleanAffected),
    cvss: uniqCvss(cvss),
    ssvc: ch?.ssvc ?? null,
    kev: ch?.kev ?? null,
    cweIds,
    atlasIds: ch?.atlasIds ?? [],
    owaspLlmIds: ch?.owaspLlmIds ?? [],
    references: (record.references ?? []).map((r): Reference => ({ type: r.type, url: r.url })),
    credits: (record.credits ?? []).map((c): Credit => {
      const out: Credit = { name: c.name };
      if (c.contact) out.contact = c.contact;
      if (c.type) out.type = c.type;
      return out;
    }),
    remediation: ch?.remediation ?? null,
    published,
    modified,
    withdrawn: record.withdrawn ?? null,
    source: sourceOf(record, ds, ch !== null),
  };
  return { ...doc, marking: ch?.tlp ?? null, clearinghouseId: ownId ?? null };
}

function uniqCvss(xs: CvssScore[]): CvssScore[] {
  const seen = new Set<string>();
  return xs.filter((c) => {
    if (seen.has(c.vector)) return false;
    seen.add(c.vector);
    return true;
  });
}

/**
 * Decode one OSV record: a parsed JSON value, or its text / UTF-8 bytes. Never throws.
 * ok: the advisory (upstream id first in `aliases` and in `source.upstreamId`) with warnings for repairs and for data
 * the model has no place for; not ok: the schema issues (JSON Pointer paths) or parse issues (line/column).
 */
export function decodeOsv(input: unknown): DecodeResult<OsvImport> {
  return guard(() => {
    let value = input;
    if (typeof input === 'string' || input instanceof Uint8Array) {
      const parsed = safeJsonParse(input, { maxDepth: MAX_DEPTH });
      if (!parsed.ok) return parsed;
      value = parsed.value;
    }
    if (!isRecord(value)) return fail(issue('', 'an OSV record must be a JSON object'));
    const sanity = sanityIssues(value);
    if (sanity.length > 0) return fail(sanity);
    const warnings: string[] = [];
    let record = value;
    const issues = validate()(record);
    if (issues.length > 0) {
      const repaired = repairGitRanges(record);
      if (!repaired || validate()(repaired.record).length > 0) return fail(issues);
      record = repaired.record;
      warnings.push(...repaired.warnings);
    }
    return ok(mapRecord(record as unknown as OsvRecord, warnings), warnings);
  });
}
