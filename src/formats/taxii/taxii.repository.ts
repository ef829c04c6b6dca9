/**
 * TAXII persistence: Kysely queries only. The tables are added to the core `Database` type by declaration merging.
 * Every read of served objects joins the advisory's `markings` row as `m` and applies visibleFilter (the one access
 * rule) plus the collection's audience condition, at read time; reference objects (advisory_id NULL: TLP 2.0
 * marking-definitions, identities of the publishing coordinators) are in every collection.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { type Viewer, visibleFilter } from '../../access/rule.js';
import type { Q } from '../../db/tx.js';
import type { AdvisoryDoc } from '../../vulnerabilities/advisory.model.js';
import type { TaxiiFilter } from './filters.js';

export interface TaxiiObjectsTable {
  seq: number;
  object_id: string;
  object_type: string;
  spec_version: string;
  version: string;
  date_added: string;
  advisory_id: string | null;
  advisory_version: number | null;
  body: string;
}

export interface TaxiiSyncTable {
  advisory_id: string;
  version: number;
  released_at: string | null;
  /** The advisory's marking (JSON) as last seen by this module; null before migration 095. */
  marking: string | null;
}

export interface TaxiiGrantsTable {
  advisory_id: string;
  org_id: string;
  added: string;
}

export interface TaxiiReadersTable {
  org_id: string;
  /** JSON list of sharing group ids, sorted. */
  group_ids: string;
}

export interface TaxiiStatusTable {
  id: string;
  org_id: string;
  member_id: string;
  collection_id: string;
  status: string;
  request_timestamp: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  details: string;
}

declare module '../../db/schema.js' {
  interface Database {
    taxii_objects: TaxiiObjectsTable;
    taxii_sync: TaxiiSyncTable;
    taxii_status: TaxiiStatusTable;
    taxii_grants: TaxiiGrantsTable;
    taxii_readers: TaxiiReadersTable;
  }
}

/**
 * The audit chain's writer lock (src/audit/audit.service.ts): taking the same transaction-scoped lock orders our
 * writes with every audited change, so sequence numbers and date_added follow commit order and no lock cycle can form.
 */
const WRITER_LOCK_KEY = 7_172_001;

export async function lockWriters(q: Q, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})`.execute(q);
}

// --- writing -------------------------------------------------------------------------------------------------------

export async function syncState(q: Q, advisoryId: string) {
  return q.selectFrom('taxii_sync').selectAll().where('advisory_id', '=', advisoryId).executeTakeFirst();
}

export async function setSyncState(q: Q, advisoryId: string, version: number): Promise<void> {
  await q
    .insertInto('taxii_sync')
    .values({ advisory_id: advisoryId, version, released_at: null, marking: null })
    .onConflict((oc) => oc.column('advisory_id').doUpdateSet({ version }))
    .execute();
}

export async function setReleased(q: Q, advisoryId: string, at: string | null): Promise<void> {
  await q.updateTable('taxii_sync').set({ released_at: at }).where('advisory_id', '=', advisoryId).execute();
}

/** Advisories whose newest version has not been turned into objects yet (never synced, or behind). */
export async function advisoriesBehind(q: Q, limit: number): Promise<string[]> {
  const rows = await q
    .selectFrom('advisories as a')
    .leftJoin('taxii_sync as s', 's.advisory_id', 'a.id')
    .select('a.id')
    .where((eb) => eb.or([eb('s.advisory_id', 'is', null), eb('s.version', '<', eb.ref('a.version'))]))
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The advisory's versions after `version`, oldest first (the core keeps every version). */
export async function advisoryVersionsAfter(q: Q, advisoryId: string, version: number): Promise<AdvisoryDoc[]> {
  const rows = await q
    .selectFrom('advisory_versions')
    .select('document')
    .where('advisory_id', '=', advisoryId)
    .where('version', '>', version)
    .orderBy('version')
    .execute();
  return rows.map((r) => JSON.parse(r.document) as AdvisoryDoc);
}

export async function orgOf(q: Q, orgId: string) {
  return q.selectFrom('organisations').select(['name', 'kind']).where('id', '=', orgId).executeTakeFirst();
}

export async function lastVersionOf(q: Q, objectId: string): Promise<Record<string, unknown> | null> {
  const r = await q
    .selectFrom('taxii_objects')
    .select('body')
    .where('object_id', '=', objectId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? (JSON.parse(r.body) as Record<string, unknown>) : null;
}

export async function hasVersion(q: Q, objectId: string, version: string): Promise<boolean> {
  const r = await q
    .selectFrom('taxii_objects')
    .select('seq')
    .where('object_id', '=', objectId)
    .where('version', '=', version)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * The last sequence number and the latest date_added handed out, by an object version or by a grant (under the
 * writer lock).
 */
export async function head(q: Q): Promise<{ seq: number; added: string | null }> {
  const r = await q
    .selectFrom('taxii_objects')
    .select(['seq', 'date_added'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const g = await q
    .selectFrom('taxii_grants')
    .select((eb) => eb.fn.max('added').as('added'))
    .executeTakeFirst();
  // ISO-8601 UTC instants sort as text.
  const added = [r?.date_added, g?.added as string | null | undefined]
    .filter((x): x is string => !!x)
    .sort()
    .at(-1);
  return { seq: r ? Number(r.seq) : 0, added: added ?? null };
}

// --- visibility gained after recording -----------------------------------------------------------------------------

export async function markingSnapshot(q: Q, advisoryId: string): Promise<string | null> {
  const r = await q.selectFrom('taxii_sync').select('marking').where('advisory_id', '=', advisoryId).executeTakeFirst();
  return r?.marking ?? null;
}

export async function setMarkingSnapshot(q: Q, advisoryId: string, marking: string): Promise<void> {
  await q.updateTable('taxii_sync').set({ marking }).where('advisory_id', '=', advisoryId).execute();
}

/** The sharing groups the organisation belonged to at its last TAXII read; null when it never read. */
export async function readerGroups(q: Q, orgId: string): Promise<string[] | null> {
  const r = await q.selectFrom('taxii_readers').select('group_ids').where('org_id', '=', orgId).executeTakeFirst();
  return r ? (JSON.parse(r.group_ids) as string[]) : null;
}

export async function setReaderGroups(q: Q, orgId: string, groupIds: string[]): Promise<void> {
  const group_ids = JSON.stringify(groupIds);
  await q
    .insertInto('taxii_readers')
    .values({ org_id: orgId, group_ids })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ group_ids }))
    .execute();
}

/** Record (or move forward) that the advisories' objects became visible to the organisation at `added`. */
export async function grant(q: Q, advisoryIds: string[], orgId: string, added: string): Promise<void> {
  if (advisoryIds.length === 0) return;
  await q
    .insertInto('taxii_grants')
    .values(advisoryIds.map((advisory_id) => ({ advisory_id, org_id: orgId, added })))
    .onConflict((oc) => oc.columns(['advisory_id', 'org_id']).doUpdateSet({ added }))
    .execute();
}

/**
 * The AMBER advisories marked for a sharing group that the organisation could not see before it joined the group
 * (`before`: its viewer with the groups it had). Only AMBER: the access rule reads the group at no other TLP.
 */
export async function hiddenGroupAdvisories(q: Q, groupId: string, before: Viewer, now: string): Promise<string[]> {
  const rows = await q
    .selectFrom('markings as m')
    .select('m.object_id')
    .where('m.object_type', '=', 'advisory')
    .where('m.tlp', '=', 'AMBER')
    .where('m.sharing_group_id', '=', groupId)
    .where(sql<SqlBool>`NOT ${visibleFilter(before, now)}`)
    .execute();
  return rows.map((r) => r.object_id);
}

/** Every active organisation with its kind and sharing groups (to tell whom a marking change widened to). */
export async function organisationsWithGroups(q: Q): Promise<{ id: string; kind: string; groupIds: string[] }[]> {
  const orgs = await q.selectFrom('organisations').select(['id', 'kind']).execute();
  const members = await q.selectFrom('sharing_group_members').select(['group_id', 'org_id']).execute();
  return orgs.map((o) => ({
    id: o.id,
    kind: o.kind,
    groupIds: members.filter((m) => m.org_id === o.id).map((m) => m.group_id),
  }));
}

/** The organisations of these members. */
export async function orgsOfMembers(q: Q, memberIds: string[]): Promise<Map<string, string>> {
  if (memberIds.length === 0) return new Map();
  const rows = await q.selectFrom('members').select(['id', 'org_id']).where('id', 'in', memberIds).execute();
  return new Map(rows.map((r) => [r.id, r.org_id]));
}

export async function insertObject(q: Q, row: TaxiiObjectsTable): Promise<void> {
  await q.insertInto('taxii_objects').values(row).execute();
}

// --- reading -------------------------------------------------------------------------------------------------------

export interface ServedRow {
  seq: number;
  object_id: string;
  object_type: string;
  spec_version: string;
  version: string;
  advisory_id: string | null;
  tlp: string | null;
  body: string;
  added: string;
}

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/**
 * Whether the viewer saw the advisory while it was under embargo (owner, coordinators, embargo parties): for them an
 * object was added when it was recorded; for everyone else not before the embargo ended.
 */
function sawUnderEmbargo(viewer: Viewer): RawBuilder<SqlBool> {
  if (viewer.kind === 'anonymous') return FALSE;
  if (viewer.orgKind === 'coordinator') return TRUE;
  return sql<SqlBool>`(m.owner_org_id = ${viewer.orgId} OR EXISTS (SELECT 1 FROM marking_orgs mo WHERE mo.object_id = m.object_id AND mo.purpose = 'embargo' AND mo.org_id = ${viewer.orgId}))`;
}

/**
 * date_added as this viewer sees it: the recording instant; or the end of the embargo that hid the object from them;
 * or, when later, the instant the advisory became visible to their organisation otherwise (grant `g`).
 */
function addedFor(viewer: Viewer): RawBuilder<string> {
  const release = sql`COALESCE(m.embargo_until, s.released_at)`;
  const base = sql<string>`(CASE WHEN o.advisory_id IS NULL OR ${sawUnderEmbargo(viewer)} THEN o.date_added WHEN ${release} IS NOT NULL AND ${release} > o.date_added THEN ${release} ELSE o.date_added END)`;
  return sql<string>`CASE WHEN g.added IS NOT NULL AND g.added > ${base} THEN g.added ELSE ${base} END`;
}

function inList(column: string, list: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} IN (${sql.join(list.map((v) => sql`${v}`))})`;
}

function versionCondition(f: TaxiiFilter): RawBuilder<SqlBool> {
  const v = f.versions;
  if (v.all) return TRUE;
  const parts: RawBuilder<SqlBool>[] = [];
  if (v.first)
    parts.push(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM taxii_objects o2 WHERE o2.object_id = o.object_id AND o2.version < o.version)`,
    );
  if (v.last)
    parts.push(
      sql<SqlBool>`NOT EXISTS (SELECT 1 FROM taxii_objects o2 WHERE o2.object_id = o.object_id AND o2.version > o.version)`,
    );
  if (v.at.length > 0) parts.push(inList('o.version', v.at));
  return parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

/**
 * One page of the objects a viewer may see in a collection, in (date_added as the viewer sees it, seq) order,
 * `limit + 1` rows so the caller knows whether there is more. Two parts, merged: objects of advisories that were never
 * under embargo and carry no grant for the viewer's organisation (and reference objects), whose date_added is the
 * stored one, read in the order of the (date_added, seq) index and stopped at the page size; and objects of
 * advisories with an embargo or such a grant, whose date_added depends on the viewer (few rows, computed and sorted).
 * A grant only moves date_added; what is served is decided by the access rule and the audience alone.
 */
export async function servedPage(
  q: Q,
  viewer: Viewer,
  now: string,
  audience: RawBuilder<SqlBool>,
  f: TaxiiFilter,
): Promise<ServedRow[]> {
  const conditions: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`(o.advisory_id IS NULL OR (${visibleFilter(viewer, now)} AND ${audience}))`,
    versionCondition(f),
  ];
  if (f.ids) conditions.push(inList('o.object_id', f.ids));
  if (f.types) conditions.push(inList('o.object_type', f.types));
  if (f.specVersions) conditions.push(inList('o.spec_version', f.specVersions));
  const n = f.limit + 1;
  // Grants are per organisation; anonymous callers have none (no organisation has an empty id).
  const orgId = viewer.kind === 'member' ? viewer.orgId : '';
  const part = (embargoed: boolean) =>
    q
      .selectFrom('taxii_objects as o')
      .leftJoin('markings as m', 'm.object_id', 'o.advisory_id')
      .leftJoin('taxii_sync as s', 's.advisory_id', 'o.advisory_id')
      .leftJoin('taxii_grants as g', (join) =>
        join.onRef('g.advisory_id', '=', 'o.advisory_id').on('g.org_id', '=', orgId),
      )
      .select([
        'o.seq',
        'o.object_id',
        'o.object_type',
        'o.spec_version',
        'o.version',
        'o.advisory_id',
        'm.tlp',
        'o.body',
        (embargoed ? addedFor(viewer) : sql<string>`o.date_added`).as('added'),
      ])
      .where(sql<SqlBool>`${sql.join(conditions, sql` AND `)}`)
      .where(
        embargoed
          ? sql<SqlBool>`(o.advisory_id IS NOT NULL AND (m.embargo_until IS NOT NULL OR s.released_at IS NOT NULL OR g.advisory_id IS NOT NULL))`
          : sql<SqlBool>`(o.advisory_id IS NULL OR (m.embargo_until IS NULL AND s.released_at IS NULL AND g.advisory_id IS NULL))`,
      );

  let plain = part(false);
  if (f.addedAfter) plain = plain.where('o.date_added', '>', f.addedAfter);
  if (f.next) {
    const { added, seq } = f.next;
    plain = plain
      .where('o.date_added', '>=', added)
      .where((eb) => eb.or([eb('o.date_added', '>', added), eb('o.seq', '>', seq)]));
  }
  plain = plain.orderBy('o.date_added').orderBy('o.seq').limit(n);

  let embargoed = q.selectFrom(part(true).as('e')).selectAll();
  if (f.addedAfter) embargoed = embargoed.where('e.added', '>', f.addedAfter);
  if (f.next) {
    const { added, seq } = f.next;
    embargoed = embargoed.where((eb) =>
      eb.or([eb('e.added', '>', added), eb.and([eb('e.added', '=', added), eb('e.seq', '>', seq)])]),
    );
  }
  embargoed = embargoed.orderBy('e.added').orderBy('e.seq').limit(n);

  const both = q
    .selectFrom(plain.as('p'))
    .selectAll()
    .unionAll(q.selectFrom(embargoed.as('x')).selectAll());
  const rows = await q.selectFrom(both.as('u')).selectAll().orderBy('u.added').orderBy('u.seq').limit(n).execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) })) as ServedRow[];
}

// --- status resources ----------------------------------------------------------------------------------------------

export async function insertStatus(q: Q, row: TaxiiStatusTable): Promise<void> {
  await q.insertInto('taxii_status').values(row).execute();
}

export async function findStatus(q: Q, id: string, orgId: string) {
  return q.selectFrom('taxii_status').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}
