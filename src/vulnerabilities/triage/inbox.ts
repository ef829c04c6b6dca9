/** The coordinator's inbox: visible reports with their signals and reasons, by priority (docs/triage.md). */
import type { Viewer } from '../../access/rule.js';
import type { Q } from '../../db/tx.js';
import { normalizeEcosystem, normalizeName } from '../../matching/ecosystem.js';
import { purlToPackage } from '../../matching/purl.js';
import { toDoc } from './doc.js';
import { extractFeatures } from './features.js';
import { signals } from './signals.js';
import * as repo from './triage.repository.js';

/** Reports the viewer may see (invalid ones only on request), with signals, by priority then age. */
export async function buildInbox(
  tx: Q,
  viewer: Viewer,
  now: string,
  opts: { limit: number; includeInvalid?: boolean },
) {
  const rows = await repo.visibleWithMembers(tx, viewer, now, {});
  const visible = new Set(rows.map((r) => r.record.id));
  const live = rows.filter((r) => opts.includeInvalid || r.record.validationState !== 'invalid');
  const clusters = await repo.clusterSizes(tx, [
    ...new Set(live.flatMap((r) => (r.member ? [r.member.clusterId] : []))),
  ]);
  const attachments = await repo.attachmentCounts(
    tx,
    live.map((r) => r.record.id),
  );
  const track = await trackRecords(tx, [...new Set(live.map((r) => r.record.submitterOrgId))]);
  // Exposure: how many registered inventories hold each package the reports name.
  const pkgsOf = new Map<string, Map<string, { ecosystem: string; name: string }>>();
  const allPkgs = new Map<string, { ecosystem: string; name: string }>();
  for (const r of live) {
    const m = new Map<string, { ecosystem: string; name: string }>();
    for (const a of r.record.affected) {
      const ref = a.purl
        ? purlToPackage(a.purl)
        : a.ecosystem && a.name
          ? (() => {
              const base = normalizeEcosystem(a.ecosystem).base;
              return { ecosystem: base, name: normalizeName(base, a.name) };
            })()
          : null;
      if (!ref) continue;
      const key = repo.packageRefKey(ref.ecosystem, ref.name);
      m.set(key, { ecosystem: ref.ecosystem, name: ref.name });
      allPkgs.set(key, { ecosystem: ref.ecosystem, name: ref.name });
    }
    pkgsOf.set(r.record.id, m);
  }
  const holding = await repo.inventoriesHolding(tx, allPkgs);
  // Boilerplate: shingles that recur in 5 or more reports of the inbox.
  const df = new Map<string, number>();
  const shingles = new Map<string, string[]>();
  for (const r of live) {
    const s = extractFeatures(toDoc(r.record)).shingles;
    shingles.set(r.record.id, s);
    for (const x of s) df.set(x, (df.get(x) ?? 0) + 1);
  }
  const items = live.map((r) => {
    const method = r.record.provenance.discoveryMethod;
    const t = track.get(`${r.record.submitterOrgId}\u0000${method}`) ?? { valid: 0, judged: 0, ids: new Set() };
    const own = ['reproduced', 'could_not_reproduce', 'invalid'].includes(r.record.validationState);
    const sh = shingles.get(r.record.id) ?? [];
    const dupes = r.member
      ? (clusters.get(r.member.clusterId) ?? []).filter((id) => id !== r.record.id && visible.has(id))
      : [];
    const s = signals({
      doc: toDoc(r.record),
      severity: { score: r.record.cvss?.score ?? null, label: r.record.cvss?.severity ?? null },
      duplicates: dupes.length,
      trackRecord: {
        valid: t.valid - (own && r.record.validationState === 'reproduced' ? 1 : 0),
        judged: t.judged - (own ? 1 : 0),
        method,
      },
      attachments: attachments.get(r.record.id) ?? 0,
      validationState: r.record.validationState,
      boilerplateShare: sh.length === 0 ? 0 : sh.filter((x) => (df.get(x) ?? 0) >= 5).length / sh.length,
      ...exposureOf(pkgsOf.get(r.record.id), holding),
    });
    return {
      reportId: r.record.id,
      title: r.record.title,
      tlp: r.tlp,
      submitterOrgId: r.record.submitterOrgId,
      discoveryMethod: method,
      validationState: r.record.validationState,
      clusterId: r.member?.clusterId ?? null,
      createdAt: r.record.createdAt,
      priority: s.priority,
      signals: s.signals,
    };
  });
  items.sort((a, b) => b.priority - a.priority || (a.createdAt < b.createdAt ? -1 : 1));
  return { items: items.slice(0, opts.limit), total: items.length };
}

/** The exposure input of one report: the largest count among its packages (an inventory may hold several). */
function exposureOf(pkgs: Map<string, unknown> | undefined, holding: Map<string, number>) {
  if (!pkgs || pkgs.size === 0) return {};
  const keys = [...pkgs.keys()];
  return { exposure: { inventories: Math.max(...keys.map((k) => holding.get(k) ?? 0)), packages: keys } };
}

/** Past outcomes per (organisation, discovery method): reproduced over judged (reproduced, could not, invalid). */
async function trackRecords(tx: Q, orgIds: string[]) {
  const out = new Map<string, { valid: number; judged: number; ids: Set<string> }>();
  for (const r of await repo.outcomesByOrg(tx, orgIds)) {
    const method = (JSON.parse(r.provenance) as { discoveryMethod?: string }).discoveryMethod ?? 'human';
    const key = `${r.submitter_org_id}\u0000${method}`;
    const e = out.get(key) ?? { valid: 0, judged: 0, ids: new Set<string>() };
    if (['reproduced', 'could_not_reproduce', 'invalid'].includes(r.validation_state)) e.judged++;
    if (r.validation_state === 'reproduced') e.valid++;
    out.set(key, e);
  }
  return out;
}
