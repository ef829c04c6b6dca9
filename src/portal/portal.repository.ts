/** Kysely queries for the portal's tables only. */
import type { Q } from '../db/tx.js';

export interface PortalCredentialsTable {
  member_id: string;
  password_hash: string;
  failed_count: number;
  locked_until: string | null;
  updated_at: string;
}

export interface PortalSessionsTable {
  id_hash: string;
  member_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  ip: string;
  user_agent: string;
}

export interface PortalInvitesTable {
  id: string;
  token_hash: string;
  org_id: string;
  member_id: string;
  created_by_member_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

declare module '../db/schema.js' {
  interface Database {
    portal_credentials: PortalCredentialsTable;
    portal_sessions: PortalSessionsTable;
    portal_invites: PortalInvitesTable;
  }
}

export async function findCredentials(q: Q, memberId: string): Promise<PortalCredentialsTable | undefined> {
  return q.selectFrom('portal_credentials').selectAll().where('member_id', '=', memberId).executeTakeFirst();
}

export async function upsertPassword(q: Q, memberId: string, hash: string, at: string): Promise<void> {
  const existing = await findCredentials(q, memberId);
  if (existing)
    await q
      .updateTable('portal_credentials')
      .set({ password_hash: hash, failed_count: 0, locked_until: null, updated_at: at })
      .where('member_id', '=', memberId)
      .execute();
  else
    await q
      .insertInto('portal_credentials')
      .values({ member_id: memberId, password_hash: hash, failed_count: 0, locked_until: null, updated_at: at })
      .execute();
}

export async function setFailures(q: Q, memberId: string, count: number, lockedUntil: string | null): Promise<void> {
  await q
    .updateTable('portal_credentials')
    .set({ failed_count: count, locked_until: lockedUntil })
    .where('member_id', '=', memberId)
    .execute();
}

export async function insertSession(q: Q, row: PortalSessionsTable): Promise<void> {
  await q.insertInto('portal_sessions').values(row).execute();
}

/** The live session with its member and organisation, or undefined. */
export async function findLiveSession(q: Q, idHash: string, now: string) {
  return q
    .selectFrom('portal_sessions as s')
    .innerJoin('members as mb', 'mb.id', 's.member_id')
    .innerJoin('organisations as o', 'o.id', 'mb.org_id')
    .select([
      's.id_hash',
      's.member_id',
      's.csrf_token',
      's.expires_at',
      's.last_seen_at',
      'mb.org_id',
      'mb.role',
      'mb.status as member_status',
      'o.kind as org_kind',
      'o.status as org_status',
    ])
    .where('s.id_hash', '=', idHash)
    .where('s.ended_at', 'is', null)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
}

export async function touchSession(q: Q, idHash: string, at: string): Promise<void> {
  await q.updateTable('portal_sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
}

export async function endSession(q: Q, idHash: string, at: string): Promise<number> {
  const r = await q
    .updateTable('portal_sessions')
    .set({ ended_at: at })
    .where('id_hash', '=', idHash)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function endMemberSessions(q: Q, memberId: string, at: string): Promise<number> {
  const r = await q
    .updateTable('portal_sessions')
    .set({ ended_at: at })
    .where('member_id', '=', memberId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertInvite(q: Q, row: PortalInvitesTable): Promise<void> {
  await q.insertInto('portal_invites').values(row).execute();
}

export async function findInviteByHash(q: Q, tokenHash: string) {
  return q
    .selectFrom('portal_invites as i')
    .innerJoin('members as mb', 'mb.id', 'i.member_id')
    .innerJoin('organisations as o', 'o.id', 'i.org_id')
    .select([
      'i.id',
      'i.org_id',
      'i.member_id',
      'i.expires_at',
      'i.used_at',
      'i.revoked_at',
      'mb.email',
      'mb.name',
      'mb.status as member_status',
      'o.name as org_name',
      'o.status as org_status',
    ])
    .where('i.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks the invite used only if it still is unused (the conditional update makes a second use fail under races). */
export async function useInvite(q: Q, id: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('portal_invites')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listInvites(q: Q, orgId: string) {
  return q
    .selectFrom('portal_invites as i')
    .innerJoin('members as mb', 'mb.id', 'i.member_id')
    .select([
      'i.id',
      'i.member_id',
      'mb.email',
      'i.created_at',
      'i.expires_at',
      'i.used_at',
      'i.revoked_at',
      'i.created_by_member_id',
    ])
    .where('i.org_id', '=', orgId)
    .orderBy('i.created_at', 'desc')
    .execute();
}

export async function revokeInvite(q: Q, orgId: string, id: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('portal_invites')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('org_id', '=', orgId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
