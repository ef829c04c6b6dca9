/**
 * Exposure findings → SARIF 2.1.0 (OASIS), so code-scanning dashboards and CI gates read them like any analyser's
 * output. Pure: the same findings give the same log.
 *
 * One rule per advisory (id = the advisory id, its aliases as tags and in properties); one result per finding:
 * `ruleId` the advisory, `level` from the priority (P1/P2 error, P3 warning, P4 note), the message names the component
 * (purl and version) and the advisory with its aliases; the location is the SBOM file (or `asset:NAME` for a stored
 * inventory) with the component as a logical location; `partialFingerprints` keep a finding stable across runs.
 * The schema is schemas/sarif/sarif-2.1.0-rtm.5.json (tests validate against it).
 */
import type { Priority } from './priority.js';

/** A finding as the reports (scan output, SARIF, CLI tables) show it: stored findings and scan results alike. */
export interface ReportedFinding {
  /** Stored finding id; absent for a scan (nothing is stored). */
  id?: string;
  asset?: string | null;
  component: {
    name: string;
    version: string | null;
    purl: string | null;
    ecosystem?: string | null;
    /** The SBOM's own reference (CycloneDX bom-ref, SPDX SPDXID). */
    ref?: string | null;
  };
  advisory: {
    id: string;
    /** The other ids of the same flaw (CVE, GHSA, ...), the advisory's own id excluded. */
    aliases: string[];
    summary?: string | null;
    cvssSeverity?: string | null;
    cvssScore?: number | null;
    ssvc?: string | null;
    kev?: boolean;
  };
  priority: Priority;
  dueDate?: string | null;
  reasons?: string[];
  vex?: { status: string; justification?: string | null } | null;
}

export interface SarifOptions {
  /** Where the findings come from: the SBOM file path (relative is best for code scanning) or `asset:NAME`. */
  artifactUri: string;
  toolVersion: string;
  /** Base URL of the clearinghouse, for rule help links (optional). */
  baseUrl?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0-rtm.5.json';

export const PRIORITY_LEVEL: Record<Priority, 'error' | 'warning' | 'note'> = {
  P1: 'error',
  P2: 'error',
  P3: 'warning',
  P4: 'note',
};

/** GitHub code scanning reads `security-severity` (0-10) to rank security results; by priority when unscored. */
const PRIORITY_SCORE: Record<Priority, string> = { P1: '9.5', P2: '8.0', P3: '5.5', P4: '2.0' };

function componentLabel(c: ReportedFinding['component']): string {
  return c.purl ?? `${c.ecosystem ? `${c.ecosystem}/` : ''}${c.name}${c.version ? `@${c.version}` : ''}`;
}

function fingerprint(text: string): string {
  // FNV-1a 64-bit, hex: a stable, dependency-free digest (fingerprints need stability, not secrecy).
  let h = 0xcbf29ce484222325n;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= BigInt(ch);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

type Json = Record<string, unknown>;

function rule(f: ReportedFinding, baseUrl: string | undefined): Json {
  const a = f.advisory;
  const title = a.summary?.trim() || `Vulnerability ${a.id}`;
  const names = [a.id, ...a.aliases];
  return {
    id: a.id,
    name: a.id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: title },
    fullDescription: { text: `${title} (${names.join(', ')})` },
    ...(baseUrl ? { helpUri: `${baseUrl.replace(/\/$/, '')}/api/v1/advisories/${encodeURIComponent(a.id)}` } : {}),
    help: { text: `Advisory ${names.join(', ')}. Update the component to a version outside the affected ranges.` },
    properties: {
      tags: ['security', 'vulnerability', ...a.aliases],
      aliases: a.aliases,
      ...(a.cvssScore !== null && a.cvssScore !== undefined ? { 'security-severity': a.cvssScore.toFixed(1) } : {}),
      ...(a.cvssSeverity ? { cvssSeverity: a.cvssSeverity } : {}),
      ...(a.ssvc ? { ssvc: a.ssvc } : {}),
      kev: a.kev === true,
    },
  };
}

function result(f: ReportedFinding, ruleIndex: number, artifactUri: string): Json {
  const c = f.component;
  const a = f.advisory;
  const label = componentLabel(c);
  const also = a.aliases.length > 0 ? ` (${a.aliases.join(', ')})` : '';
  const due = f.dueDate ? `, due ${f.dueDate}` : '';
  const vex = f.vex ? ` VEX: ${f.vex.status}${f.vex.justification ? ` (${f.vex.justification})` : ''}.` : '';
  const text =
    `${c.name}${c.version ? ` ${c.version}` : ''} (${label}) is affected by ${a.id}${also}` +
    `${a.summary?.trim() ? `: ${a.summary.trim()}` : ''}. Priority ${f.priority}${due}.${vex}`;
  const out: Json = {
    ruleId: a.id,
    ruleIndex,
    level: PRIORITY_LEVEL[f.priority],
    kind: 'fail',
    message: { text },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri } },
        logicalLocations: [{ name: c.name, fullyQualifiedName: label, kind: 'module' }],
      },
    ],
    partialFingerprints: { 'clearinghouseFinding/v1': fingerprint(`${label}\0${a.id}`) },
    properties: {
      purl: c.purl,
      component: c.name,
      version: c.version,
      ...(c.ecosystem ? { ecosystem: c.ecosystem } : {}),
      ...(c.ref ? { ref: c.ref } : {}),
      advisoryId: a.id,
      aliases: a.aliases,
      priority: f.priority,
      ...(f.dueDate ? { dueDate: f.dueDate } : {}),
      ...(f.reasons ? { reasons: f.reasons } : {}),
      ...(f.id ? { findingId: f.id } : {}),
      ...(f.asset ? { asset: f.asset } : {}),
      ...(f.vex ? { vex: f.vex } : {}),
      'security-severity':
        a.cvssScore !== null && a.cvssScore !== undefined ? a.cvssScore.toFixed(1) : PRIORITY_SCORE[f.priority],
    },
  };
  // A suppressed result keeps its place in the log: VEX not_affected / fixed are the operator's own statement.
  if (f.vex && (f.vex.status === 'not_affected' || f.vex.status === 'fixed'))
    out.suppressions = [
      {
        kind: 'external',
        justification: `VEX ${f.vex.status}${f.vex.justification ? `: ${f.vex.justification}` : ''}`,
      },
    ];
  return out;
}

/** The SARIF 2.1.0 log of the findings: results ordered by priority, then advisory id, then component. */
export function toSarif(findings: readonly ReportedFinding[], options: SarifOptions): Json {
  const sorted = [...findings].sort(
    (x, y) =>
      x.priority.localeCompare(y.priority) ||
      x.advisory.id.localeCompare(y.advisory.id) ||
      componentLabel(x.component).localeCompare(componentLabel(y.component)),
  );
  const rules: Json[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of [...sorted].sort((x, y) => x.advisory.id.localeCompare(y.advisory.id)))
    if (!ruleIndex.has(f.advisory.id)) {
      ruleIndex.set(f.advisory.id, rules.length);
      rules.push(rule(f, options.baseUrl));
    }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'clearinghouse',
            fullName: 'clearinghouse exposure scan',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            ...(options.baseUrl ? { informationUri: options.baseUrl } : {}),
            rules,
          },
        },
        artifacts: [{ location: { uri: options.artifactUri } }],
        columnKind: 'unicodeCodePoints',
        results: sorted.map((f) => result(f, ruleIndex.get(f.advisory.id)!, options.artifactUri)),
      },
    ],
  };
}
