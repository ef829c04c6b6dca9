/**
 * SBOM parsing (pure): CycloneDX 1.4-1.6 JSON and SPDX 2.2/2.3 JSON to one list of components, AI models apart.
 * The document is parsed here (the CycloneDX library has no parser), validated against its official schema, then
 * walked; every problem names the component it is about (bom-ref or SPDXID and its index) so an upload can be
 * refused with a message the uploader can act on. Nothing is returned half-parsed: any issue means `ok: false`.
 *
 * AI models: CycloneDX components of type `machine-learning-model`. SPDX 2.3 has no AI profile, so a package is a
 * model when its purl type is `huggingface` or `mlflow`, or its `primaryPackagePurpose` is OTHER/absent and its
 * `comment`, `description` or `summary` carries the token `machine-learning-model` (docs/exposure.md).
 */
import { PackageURL } from 'packageurl-js';
import { safeJsonParse } from '../../formats/common/json.js';
import { purlToPackage } from '../../matching/index.js';
import { CYCLONEDX_VERSIONS, type CycloneDxVersion, cycloneDxValidator, spdx23Validator } from './schemas.js';

export type ComponentKind = 'library' | 'application' | 'os' | 'machine-learning-model' | 'other';

export interface ParsedComponent {
  /** bom-ref (CycloneDX) or SPDXID (SPDX); `components[3]` style when the document gives none. */
  ref: string;
  name: string;
  version?: string;
  purl?: string;
  /** OSV ecosystem the purl names (e.g. "npm", "Debian:12"), absent when the purl names none. */
  ecosystem?: string;
  kind: ComponentKind;
}

export interface ParsedSbom {
  format: 'cyclonedx' | 'spdx';
  specVersion: string;
  components: ParsedComponent[];
  /** The AI models (also listed in `components`). */
  models: ParsedComponent[];
}

export interface SbomIssue {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; value: ParsedSbom } | { ok: false; issues: SbomIssue[] };

export interface ParseOptions {
  fileName?: string;
  /** Refuse more components than this (default 200,000). */
  maxComponents?: number;
  /** Refuse documents larger than this many bytes (default 64 MiB; the HTTP body limit usually applies first). */
  maxBytes?: number;
}

const MODEL_PURL_TYPES = new Set(['huggingface', 'mlflow']);
const MAX_ISSUES = 20;

function fail(issues: SbomIssue[]): ParseResult {
  return { ok: false, issues: issues.slice(0, MAX_ISSUES) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** Where a truncated or broken document stopped: the last component identifier written before the offset. */
function lastRefBefore(text: string, offset: number): string | null {
  const head = text.slice(0, offset);
  const re = /"(bom-ref|SPDXID)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
  let last: string | null = null;
  for (let m = re.exec(head); m; m = re.exec(head)) last = `${m[1]} ${m[2]}`;
  return last;
}

function parseJsonText(
  text: string,
  maxBytes: number,
): { ok: true; value: unknown } | { ok: false; issues: SbomIssue[] } {
  const r = safeJsonParse(text, { maxBytes, maxDepth: 64 });
  if (r.ok) return { ok: true, value: r.value };
  const issue = r.issues[0]!;
  const at = /^line (\d+), column (\d+)$/.exec(issue.path);
  if (!at) return { ok: false, issues: r.issues };
  // Translate line/column back to an offset to name the component the document broke in.
  const lines = text.split('\n', Number(at[1]));
  const offset = lines.slice(0, -1).reduce((n, l) => n + l.length + 1, 0) + Number(at[2]) - 1;
  const ref = lastRefBefore(text, offset);
  const where = ref ? ` (in or after the component with ${ref})` : '';
  return { ok: false, issues: [{ path: issue.path, message: `${issue.message}${where}` }] };
}

export function parseSbom(text: string, opts: ParseOptions = {}): ParseResult {
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    return fail([{ path: '', message: `the SBOM is larger than ${maxBytes} bytes` }]);
  const json = parseJsonText(text, maxBytes);
  if (!json.ok) return fail(json.issues);
  return parseSbomValue(json.value, opts);
}

/** The same as parseSbom for a document already parsed from JSON. */
export function parseSbomValue(doc: unknown, opts: ParseOptions = {}): ParseResult {
  if (!isRecord(doc)) return fail([{ path: '', message: 'an SBOM is a JSON object' }]);
  const maxComponents = opts.maxComponents ?? 200_000;
  if (doc.bomFormat === 'CycloneDX') return parseCycloneDx(doc, maxComponents);
  if (typeof doc.spdxVersion === 'string') return parseSpdx(doc, maxComponents);
  const name = opts.fileName ? ` (${opts.fileName})` : '';
  return fail([
    {
      path: '',
      message: `not a CycloneDX JSON BOM (bomFormat "CycloneDX") nor an SPDX JSON document (spdxVersion)${name}`,
    },
  ]);
}

// ---- CycloneDX ----

interface CdxWalk {
  node: Record<string, unknown>;
  pointer: string;
  /** Position in document order (0-based), across nested components. */
  index: number;
}

function cdxComponents(doc: Record<string, unknown>): CdxWalk[] {
  const out: CdxWalk[] = [];
  const visit = (list: unknown, pointer: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((c, i) => {
      if (!isRecord(c)) return;
      const p = `${pointer}/${i}`;
      out.push({ node: c, pointer: p, index: out.length });
      visit(c.components, `${p}/components`);
    });
  };
  visit(doc.components, '/components');
  return out;
}

function cdxKind(type: unknown): ComponentKind {
  switch (type) {
    case 'library':
    case 'framework':
      return 'library';
    case 'application':
    case 'container':
      return 'application';
    case 'operating-system':
      return 'os';
    case 'machine-learning-model':
      return 'machine-learning-model';
    default:
      return 'other';
  }
}

/** The component a JSON Pointer falls in (the deepest one), to name it in a schema issue. */
function describeAt(pointer: string, walks: CdxWalk[], label: (w: CdxWalk) => string): string {
  let best: CdxWalk | undefined;
  for (const w of walks)
    if (
      (pointer === w.pointer || pointer.startsWith(`${w.pointer}/`)) &&
      (!best || w.pointer.length > best.pointer.length)
    )
      best = w;
  return best ? `${label(best)}: ` : '';
}

function cdxLabel(w: CdxWalk): string {
  const ref = str(w.node['bom-ref']);
  const name = str(w.node.name);
  return `component ${w.index}${ref ? ` (bom-ref ${ref})` : ''}${name ? ` "${name}"` : ''}`;
}

function parseCycloneDx(doc: Record<string, unknown>, maxComponents: number): ParseResult {
  const v = doc.specVersion;
  if (!CYCLONEDX_VERSIONS.includes(v as CycloneDxVersion))
    return fail([{ path: '/specVersion', message: `CycloneDX ${String(v)} is not accepted (1.4, 1.5 or 1.6)` }]);
  const walks = cdxComponents(doc);
  if (walks.length > maxComponents)
    return fail([{ path: '/components', message: `more than ${maxComponents} components (${walks.length})` }]);
  const schemaIssues = cycloneDxValidator(v as CycloneDxVersion)(doc);
  if (schemaIssues.length > 0)
    return fail(
      schemaIssues.map((i) => ({ path: i.path, message: `${describeAt(i.path, walks, cdxLabel)}${i.message}` })),
    );
  const issues: SbomIssue[] = [];
  const components: ParsedComponent[] = [];
  for (const w of walks) {
    const ref = str(w.node['bom-ref']) ?? `components[${w.index}]`;
    const group = str(w.node.group);
    const baseName = str(w.node.name) ?? '';
    const kind = cdxKind(w.node.type);
    const c: ParsedComponent = { ref, name: group ? `${group}/${baseName}` : baseName, kind };
    const version = str(w.node.version);
    if (version) c.version = version;
    const purl = str(w.node.purl);
    if (purl) {
      const checked = checkPurl(purl);
      if (!checked.ok) {
        issues.push({ path: `${w.pointer}/purl`, message: `${cdxLabel(w)}: ${checked.message}` });
        continue;
      }
      c.purl = purl;
      if (checked.ecosystem) c.ecosystem = checked.ecosystem;
      if (checked.model) c.kind = 'machine-learning-model';
    }
    components.push(c);
  }
  if (issues.length > 0) return fail(issues);
  return done('cyclonedx', v as string, components);
}

// ---- SPDX ----

function spdxLabel(p: Record<string, unknown>, index: number): string {
  const id = str(p.SPDXID);
  const name = str(p.name);
  return `package ${index}${id ? ` (SPDXID ${id})` : ''}${name ? ` "${name}"` : ''}`;
}

function spdxKind(p: Record<string, unknown>, purlType: string | undefined): ComponentKind {
  if (purlType && MODEL_PURL_TYPES.has(purlType)) return 'machine-learning-model';
  const purpose = str(p.primaryPackagePurpose);
  const text = [p.comment, p.description, p.summary].filter((x) => typeof x === 'string').join(' ');
  if ((purpose === undefined || purpose === 'OTHER') && /\bmachine-learning-model\b/i.test(text))
    return 'machine-learning-model';
  switch (purpose) {
    case 'LIBRARY':
    case 'FRAMEWORK':
      return 'library';
    case 'APPLICATION':
    case 'CONTAINER':
      return 'application';
    case 'OPERATING-SYSTEM':
      return 'os';
    case undefined:
      return 'library';
    default:
      return 'other';
  }
}

function parseSpdx(doc: Record<string, unknown>, maxComponents: number): ParseResult {
  const v = doc.spdxVersion;
  if (v !== 'SPDX-2.3' && v !== 'SPDX-2.2')
    return fail([{ path: '/spdxVersion', message: `${String(v)} is not accepted (SPDX-2.3 JSON, or SPDX-2.2)` }]);
  const packages = Array.isArray(doc.packages) ? doc.packages : [];
  if (packages.length > maxComponents)
    return fail([{ path: '/packages', message: `more than ${maxComponents} packages (${packages.length})` }]);
  const schemaIssues = spdx23Validator()(doc);
  if (schemaIssues.length > 0)
    return fail(
      schemaIssues.map((i) => {
        const m = /^\/packages\/(\d+)(\/|$)/.exec(i.path);
        const p = m ? packages[Number(m[1])] : undefined;
        const label = isRecord(p) ? `${spdxLabel(p, Number(m![1]))}: ` : '';
        return { path: i.path, message: `${label}${i.message}` };
      }),
    );
  const issues: SbomIssue[] = [];
  const components: ParsedComponent[] = [];
  packages.forEach((p, index) => {
    if (!isRecord(p)) return;
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs.filter(isRecord) : [];
    const purlRef = refs.findIndex((r) => r.referenceType === 'purl');
    let purl: string | undefined;
    let ecosystem: string | undefined;
    let purlType: string | undefined;
    if (purlRef >= 0) {
      purl = str(refs[purlRef]!.referenceLocator);
      if (purl) {
        const checked = checkPurl(purl);
        if (!checked.ok) {
          const at = (p.externalRefs as unknown[]).indexOf(refs[purlRef]);
          issues.push({
            path: `/packages/${index}/externalRefs/${at}/referenceLocator`,
            message: `${spdxLabel(p, index)}: ${checked.message}`,
          });
          return;
        }
        ecosystem = checked.ecosystem;
        purlType = checked.type;
      }
    }
    const c: ParsedComponent = {
      ref: str(p.SPDXID) ?? `packages[${index}]`,
      name: str(p.name) ?? '',
      kind: spdxKind(p, purlType),
    };
    const version = str(p.versionInfo);
    if (version) c.version = version;
    if (purl) c.purl = purl;
    if (ecosystem) c.ecosystem = ecosystem;
    components.push(c);
  });
  if (issues.length > 0) return fail(issues);
  return done('spdx', (v as string).slice(5), components);
}

// ---- shared ----

function checkPurl(
  purl: string,
): { ok: true; ecosystem?: string; type: string; model: boolean } | { ok: false; message: string } {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch (e) {
    return { ok: false, message: `purl does not parse: ${purl} (${e instanceof Error ? e.message : String(e)})` };
  }
  const type = p.type.toLowerCase();
  const ref = purlToPackage(purl);
  const out: { ok: true; ecosystem?: string; type: string; model: boolean } = {
    ok: true,
    type,
    model: MODEL_PURL_TYPES.has(type),
  };
  if (ref) out.ecosystem = ref.release ? `${ref.ecosystem}:${ref.release}` : ref.ecosystem;
  return out;
}

function done(format: ParsedSbom['format'], specVersion: string, components: ParsedComponent[]): ParseResult {
  // A NUL character cannot be stored (PostgreSQL text) and has no business in a name or version.
  const bad = components
    .map((c, i) => [c, i] as const)
    .filter(([c]) => [c.ref, c.name, c.version, c.purl].some((v) => v?.includes('\u0000')));
  if (bad.length > 0)
    return fail(bad.map(([c, i]) => ({ path: '', message: `component ${i} (${c.ref}): contains a NUL character` })));
  return {
    ok: true,
    value: { format, specVersion, components, models: components.filter((c) => c.kind === 'machine-learning-model') },
  };
}
