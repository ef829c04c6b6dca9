/** Kysely queries of the exposure capability (assets, inventories, components, findings). */
import { type SqlBool, sql } from 'kysely';
import { type Viewer, visibleFilter } from '../access/rule.js';
import { fromJson, toJson } from '../db/json.js';
import type { Q } from '../db/tx.js';
import type { AdvisoryDoc } from '../vulnerabilities/advisory.model.js';
import { vexOpen } from './vex.repository.js';

export interface ExposureAssetsTable {
  id: string;
  org_id: string;
  name: string;
  criticality: string;
  sector: string | null;
  internet_facing: number;
  tags: string;
  current_inventory_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ExposureInventoriesTable {
  id: string;
  asset_id: string;
  org_id: string;
  format: string;
  spec_version: string;
  file_name: string | null;
  sha256: string;
  size: number;
  component_count: number;
  model_count: number;
  unmatched_count: number;
  uploaded_at: string;
  uploaded_by: string;
  replaced_at: string | null;
  document: string;
}

export interface ExposureComponentsTable {
  inventory_id: string;
  idx: number;
  ref: string;
  name: string;
  version: string | null;
  purl: string | null;
  ecosystem: string | null;
  kind: string;
}

export interface ExposureFindingsTable {
  id: string;
  org_id: string;
  asset_id: string;
  inventory_id: string;
  component_key: string;
  component_ref: string;
  component_name: string;
  component_version: string;
  component_purl: string | null;
  component_ecosystem: string;
  component_kind: string;
  advisory_id: string;
  group_key: string;
  advisory_ids: string;
  kev: number;
  ssvc: string | null;
  severity: string | null;
  priority: string;
  due_date: string;
  priority_reasons: string;
  first_seen: string;
  updated_at: string;
  resolved_at: string | null;
  resolution: string | null;
  notified_at: string | null;
}

export interface ExposureFindingAdvisoriesTable {
  finding_id: string;
  advisory_id: string;
}

declare module '../db/schema.js' {
  interface Database {
    exposure_assets: ExposureAssetsTable;
    exposure_inventories: ExposureInventoriesTable;
    exposure_components: ExposureComponentsTable;
    exposure_findings: ExposureFindingsTable;
    exposure_finding_advisories: ExposureFindingAdvisoriesTable;
  }
}

export type AssetRow = ExposureAssetsTable;
export type InventoryRow = Omit<ExposureInventoriesTable, 'document'>;
export type ComponentRow = ExposureComponentsTable;
export type FindingRow = ExposureFindingsTable;

const INVENTORY_COLUMNS = [
  'id',
  'asset_id',
  'org_id',
  'format',
  'spec_version',
  'file_name',
  'sha256',
  'size',
  'component_count',
  'model_count',
  'unmatched_count',
  'uploaded_at',
  'uploaded_by',
  'replaced_at',
] as const;

// ---- assets ----

export async function findAsset(q: Q, orgId: string, name: string): Promise<AssetRow | undefined> {
  return q
    .selectFrom('exposure_assets')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function assetById(q: Q, id: string): Promise<AssetRow | undefined> {
  return q.selectFrom('exposure_assets').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertAsset(q: Q, row: AssetRow): Promise<void> {
  await q.insertInto('exposure_assets').values(row).execute();
}

export async function updateAsset(q: Q, id: string, patch: Partial<Omit<AssetRow, 'id' | 'org_id'>>): Promise<void> {
  await q.updateTable('exposure_assets').set(patch).where('id', '=', id).execute();
}

export async function listAssets(q: Q, orgId: string | null): Promise<AssetRow[]> {
  let query = q.selectFrom('exposure_assets').selectAll();
  if (orgId) query = query.where('org_id', '=', orgId);
  return query.orderBy('org_id').orderBy('name').execute();
}

export async function allAssets(q: Q): Promise<AssetRow[]> {
  return q.selectFrom('exposure_assets').selectAll().execute();
}

// ---- inventories and components ----

export async function insertInventory(q: Q, row: ExposureInventoriesTable): Promise<void> {
  await q.insertInto('exposure_inventories').values(row).execute();
}

export async function markReplaced(q: Q, inventoryId: string, at: string): Promise<void> {
  await q.updateTable('exposure_inventories').set({ replaced_at: at }).where('id', '=', inventoryId).execute();
}

export async function insertComponents(q: Q, rows: ComponentRow[]): Promise<void> {
  // Chunked: SQLite binds at most 32,766 parameters per statement, PostgreSQL 65,535.
  for (let i = 0; i < rows.length; i += 2000)
    await q
      .insertInto('exposure_components')
      .values(rows.slice(i, i + 2000))
      .execute();
}

export async function inventoryHistory(q: Q, assetId: string): Promise<InventoryRow[]> {
  return q
    .selectFrom('exposure_inventories')
    .select(INVENTORY_COLUMNS)
    .where('asset_id', '=', assetId)
    .orderBy('uploaded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function components(q: Q, inventoryId: string): Promise<ComponentRow[]> {
  return q
    .selectFrom('exposure_components')
    .selectAll()
    .where('inventory_id', '=', inventoryId)
    .orderBy('idx')
    .execute();
}

/** The components of an inventory at these positions (idx). */
export async function componentsAt(q: Q, inventoryId: string, idxs: readonly number[]): Promise<ComponentRow[]> {
  if (idxs.length === 0) return [];
  return q
    .selectFrom('exposure_components')
    .selectAll()
    .where('inventory_id', '=', inventoryId)
    .where('idx', 'in', [...idxs])
    .execute();
}

/** Components of every asset's current inventory, in pages (index load). */
export async function currentComponents(q: Q, afterAsset: string, limitAssets: number) {
  const assets = await q
    .selectFrom('exposure_assets')
    .select(['id', 'current_inventory_id'])
    .where('current_inventory_id', 'is not', null)
    .where('id', '>', afterAsset)
    .orderBy('id')
    .limit(limitAssets)
    .execute();
  const ids = assets.map((a) => a.current_inventory_id!);
  const rows = ids.length
    ? await q.selectFrom('exposure_components').selectAll().where('inventory_id', 'in', ids).orderBy('idx').execute()
    : [];
  return { assets, rows };
}

// ---- advisories (read-only view for the index: id, version, document) ----

export async function advisoryVersions(q: Q): Promise<Map<string, number>> {
  const rows = await q.selectFrom('advisories').select(['id', 'version']).execute();
  return new Map(rows.map((r) => [r.id, Number(r.version)]));
}

export async function advisoryDocs(q: Q, afterId: string, limit: number): Promise<AdvisoryDoc[]> {
  const rows = await q
    .selectFrom('advisories')
    .select(['id', 'document'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => JSON.parse(r.document) as AdvisoryDoc);
}

export async function advisoryDoc(q: Q, id: string): Promise<AdvisoryDoc | undefined> {
  const r = await q.selectFrom('advisories').select('document').where('id', '=', id).executeTakeFirst();
  return r ? (JSON.parse(r.document) as AdvisoryDoc) : undefined;
}

// ---- findings ----

export async function openFindings(q: Q, assetId: string): Promise<FindingRow[]> {
  return q
    .selectFrom('exposure_findings')
    .selectAll()
    .where('asset_id', '=', assetId)
    .where('resolved_at', 'is', null)
    .execute();
}

/** Open findings, of any asset, that name one of these advisories (the part an advisory change may touch), once each. */
export async function openFindingsNaming(q: Q, advisoryIds: readonly string[]): Promise<FindingRow[]> {
  if (advisoryIds.length === 0) return [];
  const rows = await q
    .selectFrom('exposure_finding_advisories as fa')
    .innerJoin('exposure_findings as f', 'f.id', 'fa.finding_id')
    .selectAll('f')
    .where('fa.advisory_id', 'in', [...advisoryIds])
    .where('f.resolved_at', 'is', null)
    .execute();
  const byId = new Map<string, FindingRow>();
  for (const r of rows) byId.set(r.id, r);
  return [...byId.values()];
}

/** Assets with open findings on an advisory whose embargo ended after `from` (any time when null) and by `to`. */
export async function assetsWithEmbargoEnded(q: Q, from: string | null, to: string): Promise<string[]> {
  let query = q
    .selectFrom('exposure_finding_advisories as fa')
    .innerJoin('exposure_findings as f', 'f.id', 'fa.finding_id')
    .innerJoin('markings as m', 'm.object_id', 'fa.advisory_id')
    .select('f.asset_id')
    .distinct()
    .where('f.resolved_at', 'is', null)
    .where('m.embargo_until', 'is not', null)
    .where('m.embargo_until', '<=', to);
  if (from !== null) query = query.where('m.embargo_until', '>', from);
  const rows = await query.execute();
  return rows.map((r) => r.asset_id);
}

export async function insertFinding(q: Q, row: FindingRow, advisoryIds: readonly string[]): Promise<void> {
  await q.insertInto('exposure_findings').values(row).execute();
  await q
    .insertInto('exposure_finding_advisories')
    .values(advisoryIds.map((a) => ({ finding_id: row.id, advisory_id: a })))
    .execute();
}

/** Many findings at once, in chunks (a new SBOM can bring thousands). */
export async function insertFindings(
  q: Q,
  items: { row: FindingRow; advisoryIds: readonly string[] }[],
): Promise<void> {
  // 26 columns: 1,000 rows stay under SQLite's 32,766 bound parameters.
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    await q
      .insertInto('exposure_findings')
      .values(chunk.map((x) => x.row))
      .execute();
    const links = chunk.flatMap((x) => x.advisoryIds.map((a) => ({ finding_id: x.row.id, advisory_id: a })));
    for (let j = 0; j < links.length; j += 5000)
      await q
        .insertInto('exposure_finding_advisories')
        .values(links.slice(j, j + 5000))
        .execute();
  }
}

export async function resolveFindings(q: Q, ids: readonly string[], resolution: string, at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000)
    await q
      .updateTable('exposure_findings')
      .set({ resolved_at: at, resolution, updated_at: at })
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
}

/** Findings that stay as they are but now belong to the asset's new inventory. */
export async function moveFindings(q: Q, ids: readonly string[], inventoryId: string, at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000)
    await q
      .updateTable('exposure_findings')
      .set({ inventory_id: inventoryId, updated_at: at })
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
}

export async function markNotified(q: Q, ids: readonly string[], at: string): Promise<void> {
  await q.updateTable('exposure_findings').set({ notified_at: at }).where('id', 'in', ids).execute();
}

export async function updateFinding(
  q: Q,
  id: string,
  patch: Partial<Omit<FindingRow, 'id'>>,
  advisoryIds?: readonly string[],
): Promise<void> {
  await q.updateTable('exposure_findings').set(patch).where('id', '=', id).execute();
  if (advisoryIds) {
    await q.deleteFrom('exposure_finding_advisories').where('finding_id', '=', id).execute();
    await q
      .insertInto('exposure_finding_advisories')
      .values(advisoryIds.map((a) => ({ finding_id: id, advisory_id: a })))
      .execute();
  }
}

/** The access rule for findings: its organisation (or a coordinator) and at least one of its advisories visible. */
export function findingVisible(viewer: Viewer, now: string) {
  if (viewer.kind === 'anonymous') return sql<SqlBool>`1 = 0`;
  const org = viewer.orgKind === 'coordinator' ? sql<SqlBool>`1 = 1` : sql<SqlBool>`f.org_id = ${viewer.orgId}`;
  return sql<SqlBool>`(${org} AND EXISTS (SELECT 1 FROM exposure_finding_advisories fa INNER JOIN markings m ON m.object_id = fa.advisory_id WHERE fa.finding_id = f.id AND ${visibleFilter(viewer, now)}))`;
}

export interface FindingFilter {
  orgId?: string;
  asset?: string;
  status: 'open' | 'resolved' | 'all';
  priority?: string;
  kev?: boolean;
  advisory?: string;
  component?: string;
  ecosystem?: string;
  kind?: string;
  dueBefore?: string;
}

export async function listFindings(
  q: Q,
  viewer: Viewer,
  now: string,
  f: FindingFilter,
  after: [string, string, string] | undefined,
  limit: number,
): Promise<FindingRow[]> {
  let query = q.selectFrom('exposure_findings as f').selectAll('f').where(findingVisible(viewer, now));
  if (f.orgId) query = query.where('f.org_id', '=', f.orgId);
  if (f.asset)
    query = query.where('f.asset_id', 'in', q.selectFrom('exposure_assets').select('id').where('name', '=', f.asset));
  // Open: not resolved, and not closed by a current VEX statement (not_affected, fixed).
  if (f.status === 'open') query = query.where('f.resolved_at', 'is', null).where(vexOpen('f'));
  if (f.status === 'resolved') query = query.where('f.resolved_at', 'is not', null);
  if (f.priority) query = query.where('f.priority', '=', f.priority);
  if (f.kev !== undefined) query = query.where('f.kev', '=', f.kev ? 1 : 0);
  if (f.component) query = query.where('f.component_name', '=', f.component);
  if (f.ecosystem) query = query.where('f.component_ecosystem', '=', f.ecosystem);
  if (f.kind) query = query.where('f.component_kind', '=', f.kind);
  if (f.dueBefore) query = query.where('f.due_date', '<', f.dueBefore);
  if (f.advisory) {
    const a = f.advisory;
    // By id or alias, through an advisory the viewer may see.
    query = query.where(
      sql<SqlBool>`EXISTS (SELECT 1 FROM exposure_finding_advisories fa2 INNER JOIN markings m ON m.object_id = fa2.advisory_id WHERE fa2.finding_id = f.id AND ${visibleFilter(viewer, now)} AND (fa2.advisory_id = ${a} OR EXISTS (SELECT 1 FROM object_terms t WHERE t.object_id = fa2.advisory_id AND t.kind = 'alias' AND t.value = ${a.toLowerCase()})))`,
    );
  }
  if (after)
    query = query.where((eb) =>
      eb.or([
        eb('f.priority', '>', after[0]),
        eb.and([eb('f.priority', '=', after[0]), eb('f.due_date', '>', after[1])]),
        eb.and([eb('f.priority', '=', after[0]), eb('f.due_date', '=', after[1]), eb('f.id', '>', after[2])]),
      ]),
    );
  return query.orderBy('f.priority').orderBy('f.due_date').orderBy('f.id').limit(limit).execute();
}

export async function findingVisibleById(q: Q, viewer: Viewer, now: string, id: string) {
  return q
    .selectFrom('exposure_findings as f')
    .selectAll('f')
    .where('f.id', '=', id)
    .where(findingVisible(viewer, now))
    .executeTakeFirst();
}

/** For each finding, the advisories of its group the viewer may see (id, tlp, summary, aliases, severity). */
export async function visibleAdvisoriesOf(q: Q, viewer: Viewer, now: string, findingIds: string[]) {
  const out = new Map<string, { id: string; tlp: string; summary: string; aliases: string[] }[]>();
  if (findingIds.length === 0) return out;
  const rows = await q
    .selectFrom('exposure_finding_advisories as fa')
    .innerJoin('markings as m', 'm.object_id', 'fa.advisory_id')
    .innerJoin('advisories as a', 'a.id', 'fa.advisory_id')
    .select(['fa.finding_id', 'fa.advisory_id', 'm.tlp', 'a.summary', 'a.document'])
    .where('fa.finding_id', 'in', findingIds)
    .where(visibleFilter(viewer, now))
    .orderBy('fa.advisory_id')
    .execute();
  for (const r of rows) {
    const doc = fromJson<AdvisoryDoc | null>(r.document, null);
    const list = out.get(r.finding_id) ?? [];
    list.push({ id: r.advisory_id, tlp: r.tlp, summary: r.summary, aliases: doc?.aliases ?? [] });
    out.set(r.finding_id, list);
  }
  return out;
}

/** Open findings not yet announced to their organisation (the sweep sends them once their advisory is visible). */
export async function unnotified(q: Q, afterId: string, limit: number): Promise<FindingRow[]> {
  return q
    .selectFrom('exposure_findings')
    .selectAll()
    .where('resolved_at', 'is', null)
    .where('notified_at', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function unnotifiedForAdvisory(q: Q, advisoryId: string): Promise<FindingRow[]> {
  return q
    .selectFrom('exposure_findings as f')
    .innerJoin('exposure_finding_advisories as fa', 'fa.finding_id', 'f.id')
    .selectAll('f')
    .where('fa.advisory_id', '=', advisoryId)
    .where('f.resolved_at', 'is', null)
    .where('f.notified_at', 'is', null)
    .execute();
}

/** The organisation seen as a viewer of its own (not a member's): RED material is never visible this way. */
export async function orgViewer(q: Q, orgId: string): Promise<Viewer | null> {
  const org = await q
    .selectFrom('organisations')
    .select(['id', 'kind', 'status'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (org?.status !== 'active') return null;
  const groups = await q.selectFrom('sharing_group_members').select('group_id').where('org_id', '=', orgId).execute();
  return {
    kind: 'member',
    memberId: '',
    orgId,
    orgKind: org.kind as Extract<Viewer, { kind: 'member' }>['orgKind'],
    role: 'viewer',
    groupIds: groups.map((g) => g.group_id),
  };
}

/** Which of these advisories the viewer may see now (the one access rule, in SQL). */
export async function visibleAdvisoryIds(q: Q, viewer: Viewer, now: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await q
    .selectFrom('markings as m')
    .select('m.object_id')
    .where('m.object_id', 'in', [...ids])
    .where(visibleFilter(viewer, now))
    .execute();
  return rows.map((r) => r.object_id);
}

export async function orgSector(q: Q, orgId: string): Promise<string | null> {
  const r = await q.selectFrom('organisations').select('sector').where('id', '=', orgId).executeTakeFirst();
  return r?.sector ?? null;
}

// ---- summaries ----

export async function openFindingsForSummary(q: Q, viewer: Viewer, now: string, orgId: string | null) {
  let query = q
    .selectFrom('exposure_findings as f')
    .innerJoin('exposure_assets as s', 's.id', 'f.asset_id')
    .select(['f.id', 'f.org_id', 'f.priority', 'f.kev', 'f.due_date', 's.sector'])
    .where('f.resolved_at', 'is', null)
    .where(vexOpen('f'))
    .where(findingVisible(viewer, now));
  if (orgId) query = query.where('f.org_id', '=', orgId);
  return query.execute();
}

// ---- export ----

export async function exportOrg(q: Q, orgId: string) {
  const assets = await q
    .selectFrom('exposure_assets')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('name')
    .execute();
  const inventories = await q
    .selectFrom('exposure_inventories')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('uploaded_at')
    .execute();
  const findings = await q
    .selectFrom('exposure_findings')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('first_seen')
    .execute();
  return {
    assets: assets.map((a) => ({ ...a, tags: fromJson<string[]>(a.tags, []) })),
    inventories,
    findings: findings.map((f) => ({
      ...f,
      advisory_ids: fromJson<string[]>(f.advisory_ids, []),
      priority_reasons: fromJson<string[]>(f.priority_reasons, []),
    })),
  };
}

export { toJson };
