/**
 * The read-only scan: an SBOM's components matched against the advisories the caller may see, with priorities as a
 * stored inventory would get them, and nothing stored (no asset, no inventory, no finding; only the audit entries of
 * sensitive advisory reads). `clearinghouse scan FILE` calls it locally and against a server alike.
 *
 * Matching uses the node's exposure index (the MatchIndex of every advisory) when the exposure service offers it:
 * the components go in under a throw-away asset id and come out again in the same synchronous step, so no other
 * request ever sees them. Without it, a private index of every stored advisory is built for the call. The access rule
 * is applied after matching: only advisories the caller may see (visibleFilter, in SQL) are reported, and an alias
 * group is reported only through its visible members.
 */
import { randomUUID } from 'node:crypto';
import { purlToPackage } from '../matching/index.js';
import { type Caller, requireScope } from '../participants/principal.js';
import type { Services } from '../services.js';
import type { AdvisoryDoc, SsvcDecisionValue } from '../vulnerabilities/advisory.model.js';
import { advisoryDocs, visibleAdvisoryIds } from './exposure.repository.js';
import { componentKey, ExposureIndex, type IndexComponent } from './exposure-index.js';
import { type Priority, prioritise } from './priority.js';
import type { ReportedFinding } from './sarif.js';
import type { ScanInput } from './vex.scan.schema.js';

export interface ScanResult {
  components: number;
  /** Components that cannot be matched (no purl, a purl of no known ecosystem, no version), with the reason. */
  skipped: { ref: string | null; name: string; reason: string }[];
  findings: ReportedFinding[];
  counts: Record<Priority, number>;
}

const SSVC_ORDER: SsvcDecisionValue[] = ['Track', 'Track*', 'Attend', 'Act'];
const SEVERITY_ORDER = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function severityOf(doc: AdvisoryDoc): { severity: string | null; score: number | null } {
  const c = doc.cvss.find((x) => x.version === '4.0') ?? doc.cvss[0];
  return { severity: c?.severity ?? null, score: c?.score ?? null };
}

/** The exposure service's shared index (loaded on first use), when the service offers one. */
async function sharedIndex(s: Services): Promise<ExposureIndex | undefined> {
  const exposure = (s as unknown as { exposure?: { index?: unknown; ensureLoaded?: () => Promise<unknown> } }).exposure;
  if (!(exposure?.index instanceof ExposureIndex)) return undefined;
  await exposure.ensureLoaded?.();
  return exposure.index;
}

export class ScanService {
  constructor(private readonly s: Services) {}

  private async privateIndex(): Promise<ExposureIndex> {
    const idx = new ExposureIndex();
    let after = '';
    for (;;) {
      const docs = await advisoryDocs(this.s.db.kysely, after, 1000);
      for (const d of docs) idx.upsertAdvisory(d);
      if (docs.length < 1000) break;
      after = docs[docs.length - 1]!.id;
    }
    return idx;
  }

  async scan(caller: Caller, input: ScanInput): Promise<ScanResult> {
    const p = requireScope(caller, 'read');
    const now = this.s.clock().toISOString();
    const comps: (IndexComponent & { ref: string | null })[] = input.components.map((c) => ({
      ref: c.ref ?? null,
      name: c.name,
      version: c.version ?? null,
      purl: c.purl ?? null,
      kind: c.kind,
    }));
    const skipped: ScanResult['skipped'] = [];
    const byKey = new Map<string, (typeof comps)[number][]>();
    for (const c of comps) {
      const key = componentKey(c);
      if (key === null) {
        skipped.push({
          ref: c.ref,
          name: c.name,
          reason: !c.purl
            ? 'no purl'
            : !c.version && !/@/.test(c.purl)
              ? 'no version'
              : 'purl names no known ecosystem',
        });
        continue;
      }
      const list = byKey.get(key);
      if (list) list.push(c);
      else byKey.set(key, [c]);
    }

    const idx = (await sharedIndex(this.s)) ?? (await this.privateIndex());
    const tempId = `scan:${randomUUID()}`;
    // One synchronous step: in, match, out.
    let desired: ReturnType<ExposureIndex['desired']>;
    try {
      idx.setAsset(tempId, tempId, comps);
      desired = idx.desired(tempId);
    } finally {
      idx.removeAsset(tempId);
    }

    const allIds = [...new Set(desired.flatMap((d) => d.advisoryIds))];
    const visible = new Set<string>();
    for (let i = 0; i < allIds.length; i += 500)
      for (const id of await visibleAdvisoryIds(this.s.db.kysely, p.viewer, now, allIds.slice(i, i + 500)))
        visible.add(id);
    const docs = new Map<string, AdvisoryDoc>();
    for (const id of [...visible].sort()) {
      // Through the advisory service: the access rule once more, and AMBER/RED reads are audited.
      const { marking: _m, ...doc } = await this.s.advisories.get(p, id);
      docs.set(id, doc);
    }

    const findings: ReportedFinding[] = [];
    for (const d of desired) {
      const group = d.advisoryIds
        .filter((id) => visible.has(id))
        .map((id) => docs.get(id))
        .filter((x): x is AdvisoryDoc => x !== undefined)
        .sort((a, b) => a.id.localeCompare(b.id));
      const primary = group[0];
      if (!primary) continue;
      let ssvc: SsvcDecisionValue | null = null;
      let kev = false;
      let best: { severity: string | null; score: number | null } = { severity: null, score: null };
      for (const doc of group) {
        const decision = doc.ssvc?.decision ?? null;
        if (decision && (ssvc === null || SSVC_ORDER.indexOf(decision) > SSVC_ORDER.indexOf(ssvc))) ssvc = decision;
        kev ||= doc.kev !== null;
        const sv = severityOf(doc);
        const rank = (x: string | null) => SEVERITY_ORDER.indexOf(x?.toUpperCase() ?? '');
        if (rank(sv.severity) > rank(best.severity)) best = sv;
      }
      const names = new Set<string>();
      for (const doc of group) for (const n of [doc.id, ...doc.aliases]) if (n) names.add(n);
      names.delete(primary.id);
      const pr = prioritise({
        ssvc,
        kev,
        cvssSeverity: best.severity,
        criticality: input.criticality,
        internetFacing: input.internetFacing,
        firstSeen: now,
      });
      for (const c of byKey.get(d.componentKey) ?? [])
        findings.push({
          component: {
            name: c.name,
            version: c.version ?? versionOfPurl(c.purl),
            purl: c.purl,
            ecosystem: ecosystemOf(c),
            ref: c.ref,
          },
          advisory: {
            id: primary.id,
            aliases: [...names].sort(),
            summary: primary.summary || null,
            cvssSeverity: best.severity,
            cvssScore: best.score,
            ssvc,
            kev,
          },
          priority: pr.priority,
          dueDate: pr.dueDate,
          reasons: pr.reasons,
        });
    }
    findings.sort(
      (a, b) =>
        a.priority.localeCompare(b.priority) ||
        a.advisory.id.localeCompare(b.advisory.id) ||
        (a.component.purl ?? a.component.name).localeCompare(b.component.purl ?? b.component.name),
    );
    const counts: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const f of findings) counts[f.priority]++;
    return { components: comps.length, skipped, findings, counts };
  }
}

/** The OSV ecosystem (with its release, e.g. "Debian:12") a package component's purl names; null for models. */
function ecosystemOf(c: IndexComponent): string | null {
  if (c.kind === 'machine-learning-model' || !c.purl) return null;
  const ref = purlToPackage(c.purl);
  if (!ref) return null;
  return ref.release ? `${ref.ecosystem}:${ref.release}` : ref.ecosystem;
}

function versionOfPurl(purl: string | null): string | null {
  const at = purl ? purl.lastIndexOf('@') : -1;
  if (!purl || at < 0) return null;
  const rest = purl.slice(at + 1).split(/[?#]/)[0] ?? '';
  return rest ? decodeURIComponent(rest) : null;
}
