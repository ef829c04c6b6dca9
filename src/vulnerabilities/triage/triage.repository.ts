/**
 * Triage persistence: Kysely queries only. The tables join the core `Database` type by declaration merging. Reads of
 * `reports` here are for the clustering pass (all reports, a system process) and for views, which always apply the
 * access rule (`visibleFilter` on `markings as m`).
 */
import type { Viewer } from '../../access/rule.js';
import { visibleFilter } from '../../access/rule.js';
import { fromJson, toJson } from '../../db/json.js';
import type { Q } from '../../db/tx.js';
import { normalizeEcosystem, normalizeName } from '../../matching/ecosystem.js';
import { purlToPackage } from '../../matching/purl.js';
import type { AdvisoryDoc } from '../advisory.model.js';
import { type ReportRecord, toRecord } from '../report.repository.js';
import type { Evidence } from './engine.js';

export interface TriageClustersTable {
  id: string;
  /** The published advisory this cluster stands for, when reports matched one. */
  advisory_id: string | null;
  created_at: string;
  updated_at: string;
}
export interface TriageStateTable {
  id: string;
  version: number;
}
export interface TriageMembersTable {
  report_id: string;
  cluster_id: string;
  method: string;
  score: number | null;
  matched_report_id: string | null;
  matched_advisory_id: string | null;
  evidence: string;
  decided_by: string | null;
  created_at: string;
  updated_at: string;
}
export interface TriageSuggestionsTable {
  report_id: string;
  candidate_report_id: string;
  score: number;
  evidence: string;
  created_at: string;
}
export interface TriageCorrectionsTable {
  id: string;
  kind: string;
  from_cluster_id: string;
  to_cluster_id: string;
  report_ids: string;
  reason: string;
  actor_member_id: string;
  created_at: string;
}
export interface TriageCannotLinkTable {
  report_a: string;
  report_b: string;
  correction_id: string;
}
export interface TriageValidationsTable {
  id: string;
  report_id: string;
  state: string;
  script: string | null;
  steps: string | null;
  output: string | null;
  notes: string;
  org_id: string;
  member_id: string;
  created_at: string;
}

declare module '../../db/schema.js' {
  interface Database {
    triage_clusters: TriageClustersTable;
    triage_members: TriageMembersTable;
    triage_suggestions: TriageSuggestionsTable;
    triage_corrections: TriageCorrectionsTable;
    triage_cannot_link: TriageCannotLinkTable;
    triage_validations: TriageValidationsTable;
    triage_state: TriageStateTable;
  }
}

export interface Member {
  reportId: string;
  clusterId: string;
  method: string;
  score: number | null;
  matchedReportId: string | null;
  matchedAdvisoryId: string | null;
  evidence: Evidence[];
  decidedBy: string | null;
  createdAt: string;
}

const toMember = (r: TriageMembersTable): Member => ({
  reportId: r.report_id,
  clusterId: r.cluster_id,
  method: r.method,
  score: r.score === null ? null : Number(r.score),
  matchedReportId: r.matched_report_id,
  matchedAdvisoryId: r.matched_advisory_id ?? null,
  evidence: fromJson(r.evidence, []),
  decidedBy: r.decided_by,
  createdAt: r.created_at,
});

/** Every report, oldest first (the clustering pass). */
export async function allReports(q: Q): Promise<ReportRecord[]> {
  const rows = await q.selectFrom('reports').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toRecord);
}

export async function allMembers(q: Q): Promise<Member[]> {
  return (await q.selectFrom('triage_members').selectAll().orderBy('created_at').execute()).map(toMember);
}

export async function cannotLinks(q: Q): Promise<[string, string][]> {
  const rows = await q.selectFrom('triage_cannot_link').select(['report_a', 'report_b']).execute();
  return rows.map((r) => [r.report_a, r.report_b]);
}

/** Reports not yet in a cluster, oldest first (what a pass places). */
export async function unclusteredReports(q: Q): Promise<ReportRecord[]> {
  const rows = await q
    .selectFrom('reports')
    .leftJoin('triage_members as tm', 'tm.report_id', 'reports.id')
    .selectAll('reports')
    .where('tm.report_id', 'is', null)
    .orderBy('reports.created_at')
    .orderBy('reports.id')
    .execute();
  return rows.map(toRecord);
}

/** Every advisory document (the engine matches reports against published advisories too). */
export async function advisoryDocs(q: Q, exceptIds?: Set<string>): Promise<AdvisoryDoc[]> {
  const rows = await q.selectFrom('advisories').select(['id', 'document']).orderBy('published_at').execute();
  return rows
    .filter((r) => !exceptIds?.has(r.id))
    .map((r) => fromJson<AdvisoryDoc>(r.document, null as unknown as AdvisoryDoc));
}

export async function advisoryCount(q: Q): Promise<number> {
  const r = await q
    .selectFrom('advisories')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** advisory id -> the cluster standing for it. */
export async function advisoryClusters(q: Q): Promise<Map<string, string>> {
  const rows = await q
    .selectFrom('triage_clusters')
    .select(['id', 'advisory_id'])
    .where('advisory_id', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.advisory_id!, r.id]));
}

export async function clusterAdvisory(q: Q, clusterId: string): Promise<string | null> {
  const r = await q.selectFrom('triage_clusters').select('advisory_id').where('id', '=', clusterId).executeTakeFirst();
  return r?.advisory_id ?? null;
}

export async function setClusterAdvisory(q: Q, clusterId: string, advisoryId: string, at: string): Promise<void> {
  await q
    .updateTable('triage_clusters')
    .set({ advisory_id: advisoryId, updated_at: at })
    .where('id', '=', clusterId)
    .execute();
}

/** The clustering version (see migration 031): read at each pass, bumped by every change of clusters. */
export async function stateVersion(q: Q): Promise<number> {
  const r = await q.selectFrom('triage_state').select('version').where('id', '=', 'engine').executeTakeFirst();
  return Number(r?.version ?? 0);
}

export async function bumpVersion(q: Q): Promise<number> {
  await q
    .updateTable('triage_state')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 'engine')
    .execute();
  return stateVersion(q);
}

export async function insertCluster(q: Q, id: string, at: string, advisoryId: string | null = null): Promise<void> {
  await q
    .insertInto('triage_clusters')
    .values({ id, advisory_id: advisoryId, created_at: at, updated_at: at })
    .execute();
}

export async function insertMember(q: Q, m: Member, at: string): Promise<void> {
  await q
    .insertInto('triage_members')
    .values({
      report_id: m.reportId,
      cluster_id: m.clusterId,
      method: m.method,
      score: m.score,
      matched_report_id: m.matchedReportId,
      matched_advisory_id: m.matchedAdvisoryId,
      evidence: toJson(m.evidence),
      decided_by: m.decidedBy,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

export async function moveMembers(q: Q, reportIds: string[], clusterId: string, by: string, at: string) {
  if (reportIds.length === 0) return;
  await q
    .updateTable('triage_members')
    .set({ cluster_id: clusterId, method: 'coordinator', decided_by: by, updated_at: at })
    .where('report_id', 'in', reportIds)
    .execute();
}

export async function memberIds(q: Q, clusterId: string): Promise<string[]> {
  const rows = await q.selectFrom('triage_members').select('report_id').where('cluster_id', '=', clusterId).execute();
  return rows.map((r) => r.report_id);
}

export async function insertSuggestion(
  q: Q,
  s: { reportId: string; candidateId: string; score: number; evidence: Evidence[] },
  at: string,
) {
  await q
    .insertInto('triage_suggestions')
    .values({
      report_id: s.reportId,
      candidate_report_id: s.candidateId,
      score: s.score,
      evidence: toJson(s.evidence),
      created_at: at,
    })
    .execute();
}

export async function insertCorrection(q: Q, row: TriageCorrectionsTable, pairs: [string, string][]) {
  await q.insertInto('triage_corrections').values(row).execute();
  for (const [a, b] of pairs) {
    const [x, y] = a < b ? [a, b] : [b, a];
    const exists = await q
      .selectFrom('triage_cannot_link')
      .select('report_a')
      .where('report_a', '=', x)
      .where('report_b', '=', y)
      .executeTakeFirst();
    if (!exists)
      await q.insertInto('triage_cannot_link').values({ report_a: x, report_b: y, correction_id: row.id }).execute();
  }
}

export async function corrections(q: Q, clusterId: string) {
  const rows = await q
    .selectFrom('triage_corrections')
    .selectAll()
    .where((eb) => eb.or([eb('from_cluster_id', '=', clusterId), eb('to_cluster_id', '=', clusterId)]))
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ ...r, report_ids: fromJson<string[]>(r.report_ids, []) }));
}

/** The reports of these ids the viewer may see (the access rule in SQL), with membership. */
export async function visibleWithMembers(
  q: Q,
  viewer: Viewer,
  now: string,
  filter: { clusterId?: string; ids?: string[] },
) {
  let query = q
    .selectFrom('reports as r')
    .innerJoin('markings as m', 'm.object_id', 'r.id')
    .leftJoin('triage_members as t', 't.report_id', 'r.id')
    .selectAll('r')
    .select(['m.tlp', 't.cluster_id as t_cluster', 't.method as t_method', 't.score as t_score'])
    .select(['t.matched_report_id as t_matched', 't.evidence as t_evidence', 't.decided_by as t_by'])
    .select('t.matched_advisory_id as t_matched_advisory')
    .where(visibleFilter(viewer, now));
  if (filter.clusterId) query = query.where('t.cluster_id', '=', filter.clusterId);
  if (filter.ids) query = query.where('r.id', 'in', filter.ids.length > 0 ? filter.ids : ['\u0000']);
  const rows = await query.orderBy('r.created_at').orderBy('r.id').execute();
  return rows.map((r) => ({
    record: toRecord(r),
    tlp: r.tlp,
    member:
      r.t_cluster === null
        ? null
        : {
            clusterId: r.t_cluster,
            method: r.t_method ?? '',
            score: r.t_score === null ? null : Number(r.t_score),
            matchedReportId: r.t_matched,
            matchedAdvisoryId: r.t_matched_advisory ?? null,
            evidence: fromJson<Evidence[]>(r.t_evidence, []),
            decidedBy: r.t_by,
          },
  }));
}

export async function suggestionsFor(q: Q, reportIds: string[]) {
  if (reportIds.length === 0) return [];
  return (
    await q
      .selectFrom('triage_suggestions')
      .selectAll()
      .where('report_id', 'in', reportIds)
      .orderBy('score', 'desc')
      .execute()
  ).map((s) => ({ ...s, score: Number(s.score), evidence: fromJson<Evidence[]>(s.evidence, []) }));
}

export async function clusterSizes(q: Q, clusterIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (clusterIds.length === 0) return out;
  const rows = await q
    .selectFrom('triage_members')
    .select(['cluster_id', 'report_id'])
    .where('cluster_id', 'in', clusterIds)
    .execute();
  for (const r of rows) out.set(r.cluster_id, [...(out.get(r.cluster_id) ?? []), r.report_id]);
  return out;
}

export async function attachmentCounts(q: Q, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const rows = await q
    .selectFrom('attachments')
    .select(['parent_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('parent_id', 'in', ids)
    .groupBy('parent_id')
    .execute();
  for (const r of rows) out.set(r.parent_id, Number(r.n));
  return out;
}

/** Validation outcomes of an organisation's reports (for the track record). */
export async function outcomesByOrg(q: Q, orgIds: string[]) {
  if (orgIds.length === 0) return [];
  return q
    .selectFrom('reports')
    .select(['id', 'submitter_org_id', 'provenance', 'validation_state'])
    .where('submitter_org_id', 'in', orgIds)
    .execute();
}

export async function insertValidation(q: Q, row: TriageValidationsTable) {
  await q.insertInto('triage_validations').values(row).execute();
}

export async function validationsFor(q: Q, reportId: string) {
  return q
    .selectFrom('triage_validations')
    .selectAll()
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** A package as the matching library names it ("PyPI/django", "Maven/org.apache:log4j-core"). */
export function packageRefKey(ecosystem: string, name: string): string {
  return `${ecosystem}/${name}`;
}

/**
 * For each package key, the number of current inventories (an asset's latest SBOM, any organisation) holding a
 * component of that package, any version. Components are looked up by name variants in SQL, then confirmed by their
 * normalised package (purl, else ecosystem and name), so a PyPI "Foo_Bar" and "foo-bar" are one package.
 */
export async function inventoriesHolding(q: Q, packages: Map<string, { ecosystem: string; name: string }>) {
  const out = new Map<string, number>();
  if (packages.size === 0) return out;
  const variants = new Set<string>();
  for (const { name } of packages.values()) {
    const n = name.toLowerCase();
    const plain = n.includes(':') ? n.split(':').pop()! : n.includes('/') ? n.split('/').pop()! : n;
    for (const v of [n, plain]) {
      variants.add(v);
      for (const sep of ['-', '_', '.']) variants.add(v.replace(/[-_.]+/g, sep));
    }
  }
  const rows = await q
    .selectFrom('exposure_components as c')
    .innerJoin('exposure_assets as a', 'a.current_inventory_id', 'c.inventory_id')
    .select(['c.inventory_id', 'c.name', 'c.purl', 'c.ecosystem'])
    .where((eb) => eb(eb.fn('lower', ['c.name']), 'in', [...variants]))
    .execute();
  const holders = new Map<string, Set<string>>();
  for (const r of rows) {
    let key: string | null = null;
    const ref = r.purl ? purlToPackage(r.purl) : null;
    if (ref) key = packageRefKey(ref.ecosystem, ref.name);
    else if (r.ecosystem) {
      const base = normalizeEcosystem(r.ecosystem).base;
      key = packageRefKey(base, normalizeName(base, r.name));
    }
    if (!key || !packages.has(key)) continue;
    const set = holders.get(key) ?? new Set<string>();
    set.add(r.inventory_id);
    holders.set(key, set);
  }
  for (const k of packages.keys()) out.set(k, holders.get(k)?.size ?? 0);
  return out;
}
