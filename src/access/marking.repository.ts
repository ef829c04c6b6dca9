/** Storage of markings: one `markings` row per object plus its share, embargo-party and named-member lists. */
import type { Q } from '../db/tx.js';
import { clearMarking, type Marking, type Tlp } from './marking.js';

export async function insertMarking(q: Q, objectId: string, objectType: string, m: Marking): Promise<void> {
  await q
    .insertInto('markings')
    .values({
      object_id: objectId,
      object_type: objectType,
      owner_org_id: m.ownerOrgId,
      author_member_id: m.authorMemberId,
      tlp: m.tlp,
      sharing_group_id: m.sharingGroupId,
      embargo_until: m.embargoUntil,
    })
    .execute();
  await writeLists(q, objectId, m);
}

export async function replaceMarking(q: Q, objectId: string, m: Marking): Promise<void> {
  await q
    .updateTable('markings')
    .set({
      owner_org_id: m.ownerOrgId,
      author_member_id: m.authorMemberId,
      tlp: m.tlp,
      sharing_group_id: m.sharingGroupId,
      embargo_until: m.embargoUntil,
    })
    .where('object_id', '=', objectId)
    .execute();
  await q.deleteFrom('marking_orgs').where('object_id', '=', objectId).execute();
  await q.deleteFrom('marking_members').where('object_id', '=', objectId).execute();
  await writeLists(q, objectId, m);
}

async function writeLists(q: Q, objectId: string, m: Marking): Promise<void> {
  const orgs = [
    ...[...new Set(m.sharedOrgIds)].map((org_id) => ({ object_id: objectId, org_id, purpose: 'share' })),
    ...[...new Set(m.embargoOrgIds)].map((org_id) => ({ object_id: objectId, org_id, purpose: 'embargo' })),
  ];
  if (orgs.length > 0) await q.insertInto('marking_orgs').values(orgs).execute();
  const members = [...new Set(m.namedMemberIds)].map((member_id) => ({ object_id: objectId, member_id }));
  if (members.length > 0) await q.insertInto('marking_members').values(members).execute();
}

/** Markings of many objects at once (for presenting lists and for the access check of single reads). */
export async function loadMarkings(q: Q, objectIds: readonly string[]): Promise<Map<string, Marking>> {
  const out = new Map<string, Marking>();
  if (objectIds.length === 0) return out;
  const ids = [...new Set(objectIds)];
  const rows = await q.selectFrom('markings').selectAll().where('object_id', 'in', ids).execute();
  for (const r of rows) {
    out.set(
      r.object_id,
      clearMarking(r.owner_org_id, {
        authorMemberId: r.author_member_id,
        tlp: r.tlp as Tlp,
        sharingGroupId: r.sharing_group_id,
        embargoUntil: r.embargo_until,
      }),
    );
  }
  const orgs = await q.selectFrom('marking_orgs').selectAll().where('object_id', 'in', ids).execute();
  for (const o of orgs) {
    const m = out.get(o.object_id);
    if (!m) continue;
    (o.purpose === 'share' ? (m.sharedOrgIds as string[]) : (m.embargoOrgIds as string[])).push(o.org_id);
  }
  const members = await q.selectFrom('marking_members').selectAll().where('object_id', 'in', ids).execute();
  for (const mm of members) (out.get(mm.object_id)?.namedMemberIds as string[] | undefined)?.push(mm.member_id);
  return out;
}

export async function deleteMarking(q: Q, objectId: string): Promise<void> {
  await q.deleteFrom('marking_orgs').where('object_id', '=', objectId).execute();
  await q.deleteFrom('marking_members').where('object_id', '=', objectId).execute();
  await q.deleteFrom('markings').where('object_id', '=', objectId).execute();
}
