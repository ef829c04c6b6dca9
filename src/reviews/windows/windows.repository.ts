/**
 * Review window persistence: Kysely queries only. The tables join the core `Database` type by declaration merging.
 * Visibility of windows goes through the core `markings` row of each window (see access.ts and the one access rule).
 */
import { sql } from 'kysely';
import { type Viewer, visibleFilter } from '../../access/rule.js';
import type { Q } from '../../db/tx.js';

export interface ReviewWindowsTable {
  id: string;
  developer_org_id: string;
  created_by_member_id: string;
  model_name: string;
  snapshot_id: string;
  trusted_partner_date: string;
  public_date: string | null;
  state: string;
  max_window_days: number;
  offered_at: string | null;
  opened_at: string | null;
  closes_at: string | null;
  closed_at: string | null;
  close_reason: string | null;
  withdrawn_at: string | null;
  endpoint_base_url: string;
  endpoint_secret: string | null;
  variants: string;
  limits: string;
  covered_ref: string | null;
  covered_status: string;
  reminders_sent: string;
  created_at: string;
  updated_at: string;
  /** When the window's review data (runs, findings, gateway log) was purged; null while it is kept. */
  data_purged_at: string | null;
}

export interface ReviewTermsTable {
  id: string;
  window_id: string;
  audience: string;
  version: number;
  scope: string;
  confidentiality: string;
  retention_days: number;
  on_withdrawal: string;
  tlp_default: string;
  text: string;
  text_sha256: string;
  created_by_member_id: string;
  created_at: string;
}

export interface ReviewConsentsTable {
  id: string;
  window_id: string;
  terms_id: string;
  party: string;
  signer_org_id: string;
  signer_member_id: string;
  terms_sha256: string;
  signed_at: string;
}

export interface ReviewGrantsTable {
  id: string;
  window_id: string;
  grantee_org_id: string;
  grantee_member_id: string | null;
  role: string;
  variants: string;
  categories: string;
  raw_transcripts: number;
  valid_from: string | null;
  valid_until: string | null;
  budget_requests: number;
  budget_tokens: number;
  budget_seconds: number;
  used_requests: number;
  used_tokens: number;
  used_ms: number;
  status: string;
  proposed_by_member_id: string;
  proposed_by_org_id: string;
  proposed_at: string;
  accepted_by_member_id: string | null;
  accepted_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
}

export interface ReviewGrantKeysTable {
  id: string;
  grant_id: string;
  window_id: string;
  key_hash: string;
  prefix: string;
  label: string;
  created_by_member_id: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface ReviewGatewayLogTable {
  id: string;
  window_id: string;
  grant_id: string;
  key_id: string;
  variant: string | null;
  at: string;
  status: number;
  outcome: string;
  latency_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  request_sha256: string | null;
  response_sha256: string | null;
}

/** Calls admitted by the rate limit in the last minute (shared by the nodes on one database). */
export interface ReviewGatewayCallsTable {
  id: string;
  window_id: string;
  grant_id: string;
  at: string;
}

declare module '../../db/schema.js' {
  interface Database {
    review_gateway_calls: ReviewGatewayCallsTable;
    review_windows: ReviewWindowsTable;
    review_terms: ReviewTermsTable;
    review_consents: ReviewConsentsTable;
    review_grants: ReviewGrantsTable;
    review_grant_keys: ReviewGrantKeysTable;
    review_gateway_log: ReviewGatewayLogTable;
  }
}

export type WindowRow = ReviewWindowsTable;
export type TermsRow = ReviewTermsTable;
export type ConsentRow = ReviewConsentsTable;
export type GrantRow = ReviewGrantsTable;
export type KeyRow = ReviewGrantKeysTable;
export type GatewayLogRow = ReviewGatewayLogTable;

function num<T>(row: T, keys: (keyof T)[]): T {
  const r = row as Record<keyof T, unknown>;
  for (const k of keys) if (r[k] !== null && r[k] !== undefined) r[k] = Number(r[k]);
  return row;
}
const windowNums = (r: WindowRow) => num(r, ['max_window_days']);
const grantNums = (r: GrantRow) =>
  num(r, [
    'raw_transcripts',
    'budget_requests',
    'budget_tokens',
    'budget_seconds',
    'used_requests',
    'used_tokens',
    'used_ms',
  ]);

// windows

export async function insertWindow(q: Q, row: WindowRow): Promise<void> {
  await q.insertInto('review_windows').values(row).execute();
}

export async function findWindow(q: Q, id: string): Promise<WindowRow | undefined> {
  const r = await q.selectFrom('review_windows').selectAll().where('id', '=', id).executeTakeFirst();
  return r && windowNums(r);
}

/** A window only when the viewer may see it under the one access rule (its marking). */
export async function findVisibleWindow(q: Q, id: string, viewer: Viewer, now: string): Promise<WindowRow | undefined> {
  const r = await q
    .selectFrom('review_windows as w')
    .innerJoin('markings as m', 'm.object_id', 'w.id')
    .selectAll('w')
    .where('w.id', '=', id)
    .where(visibleFilter(viewer, now))
    .executeTakeFirst();
  return r && windowNums(r);
}

export async function listVisibleWindows(
  q: Q,
  viewer: Viewer,
  now: string,
  f: { state?: string; limit: number },
): Promise<WindowRow[]> {
  let query = q
    .selectFrom('review_windows as w')
    .innerJoin('markings as m', 'm.object_id', 'w.id')
    .selectAll('w')
    .where(visibleFilter(viewer, now));
  if (f.state) query = query.where('w.state', '=', f.state);
  const rows = await query.orderBy('w.created_at', 'desc').orderBy('w.id').limit(f.limit).execute();
  return rows.map(windowNums);
}

export async function updateWindow(q: Q, id: string, patch: Partial<WindowRow>): Promise<void> {
  await q.updateTable('review_windows').set(patch).where('id', '=', id).execute();
}

/**
 * Move a window from one state to another only if it is still in the expected state (a compare-and-set, so that two
 * nodes, or the scheduler and a developer, never both end the same window). Returns whether this call won.
 */
export async function casWindow(q: Q, id: string, from: string, patch: Partial<WindowRow>): Promise<boolean> {
  const r = await q
    .updateTable('review_windows')
    .set(patch)
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Record reminders as sent only if nobody else did meanwhile (the window is still open and the list unchanged). */
export async function casReminders(q: Q, id: string, from: string, to: string): Promise<boolean> {
  const r = await q
    .updateTable('review_windows')
    .set({ reminders_sent: to })
    .where('id', '=', id)
    .where('state', '=', 'open')
    .where('reminders_sent', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listOpenWindows(q: Q): Promise<WindowRow[]> {
  const rows = await q.selectFrom('review_windows').selectAll().where('state', '=', 'open').execute();
  return rows.map(windowNums);
}

/** Ended windows whose data is still kept, with the retention days of their latest government terms (null: none). */
export async function keptEndedWindows(q: Q): Promise<(WindowRow & { retention_days: number | null })[]> {
  const rows = await q
    .selectFrom('review_windows')
    .selectAll()
    .where('data_purged_at', 'is', null)
    .where('state', 'in', ['closed', 'withdrawn'])
    .execute();
  const out = [];
  for (const r of rows) {
    const terms = await q
      .selectFrom('review_terms')
      .select('retention_days')
      .where('window_id', '=', r.id)
      .where('audience', '=', 'government')
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    out.push({ ...windowNums(r), retention_days: terms ? Number(terms.retention_days) : null });
  }
  return out;
}

/** Mark a window's data purged unless someone else did meanwhile (nodes may sweep at once). Returns whether we won. */
export async function casDataPurged(q: Q, id: string, at: string): Promise<boolean> {
  const r = await q
    .updateTable('review_windows')
    .set({ data_purged_at: at })
    .where('id', '=', id)
    .where('data_purged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function windowsOfOrg(q: Q, orgId: string): Promise<WindowRow[]> {
  const rows = await q.selectFrom('review_windows').selectAll().where('developer_org_id', '=', orgId).execute();
  return rows.map(windowNums);
}

// terms and consents

export async function insertTerms(q: Q, row: TermsRow): Promise<void> {
  await q.insertInto('review_terms').values(row).execute();
}

export async function listTerms(q: Q, windowId: string): Promise<TermsRow[]> {
  const rows = await q
    .selectFrom('review_terms')
    .selectAll()
    .where('window_id', '=', windowId)
    .orderBy('audience')
    .orderBy('version')
    .execute();
  return rows.map((r) => num(r, ['version', 'retention_days']));
}

export async function insertConsent(q: Q, row: ConsentRow): Promise<void> {
  await q.insertInto('review_consents').values(row).execute();
}

export async function listConsents(q: Q, windowId: string): Promise<ConsentRow[]> {
  return q.selectFrom('review_consents').selectAll().where('window_id', '=', windowId).orderBy('signed_at').execute();
}

// grants and keys

export async function insertGrant(q: Q, row: GrantRow): Promise<void> {
  await q.insertInto('review_grants').values(row).execute();
}

export async function findGrant(q: Q, windowId: string, id: string): Promise<GrantRow | undefined> {
  const r = await q
    .selectFrom('review_grants')
    .selectAll()
    .where('id', '=', id)
    .where('window_id', '=', windowId)
    .executeTakeFirst();
  return r && grantNums(r);
}

export async function listGrants(q: Q, windowId: string): Promise<GrantRow[]> {
  const rows = await q
    .selectFrom('review_grants')
    .selectAll()
    .where('window_id', '=', windowId)
    .orderBy('proposed_at')
    .orderBy('id')
    .execute();
  return rows.map(grantNums);
}

export async function updateGrant(q: Q, id: string, patch: Partial<GrantRow>): Promise<void> {
  await q.updateTable('review_grants').set(patch).where('id', '=', id).execute();
}

/** Active grants whose validity has run out (for the scheduler to mark them expired). */
export async function lapsedGrants(q: Q, now: string): Promise<GrantRow[]> {
  const rows = await q
    .selectFrom('review_grants')
    .selectAll()
    .where('status', '=', 'active')
    .where('valid_until', 'is not', null)
    .where('valid_until', '<=', now)
    .execute();
  return rows.map(grantNums);
}

/**
 * Reserve one request of a grant's budget atomically: succeeds only while requests, tokens and seconds are all under
 * budget (so concurrent calls cannot overspend the request budget).
 */
export async function reserveRequest(q: Q, grantId: string): Promise<boolean> {
  const r = await q
    .updateTable('review_grants')
    .set({ used_requests: sql`used_requests + 1` })
    .where('id', '=', grantId)
    .where('status', '=', 'active')
    .whereRef('used_requests', '<', 'budget_requests')
    .whereRef('used_tokens', '<', 'budget_tokens')
    .where(sql<boolean>`used_ms < budget_seconds * 1000`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function addUsage(q: Q, grantId: string, tokens: number, ms: number): Promise<void> {
  await q
    .updateTable('review_grants')
    .set({ used_tokens: sql`used_tokens + ${tokens}`, used_ms: sql`used_ms + ${ms}` })
    .where('id', '=', grantId)
    .execute();
}

export async function insertKey(q: Q, row: KeyRow): Promise<void> {
  await q.insertInto('review_grant_keys').values(row).execute();
}

export async function findKeyByHash(q: Q, hash: string): Promise<KeyRow | undefined> {
  return q.selectFrom('review_grant_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
}

export async function listKeys(q: Q, grantId: string): Promise<KeyRow[]> {
  return q.selectFrom('review_grant_keys').selectAll().where('grant_id', '=', grantId).orderBy('created_at').execute();
}

export async function revokeKeys(
  q: Q,
  f: { windowId?: string; grantId?: string; keyId?: string },
  at: string,
): Promise<number> {
  let query = q.updateTable('review_grant_keys').set({ revoked_at: at }).where('revoked_at', 'is', null);
  if (f.windowId) query = query.where('window_id', '=', f.windowId);
  if (f.grantId) query = query.where('grant_id', '=', f.grantId);
  if (f.keyId) query = query.where('id', '=', f.keyId);
  const r = await query.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function touchKey(q: Q, id: string, at: string): Promise<void> {
  await q.updateTable('review_grant_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

// gateway log

export async function insertGatewayLog(q: Q, row: GatewayLogRow): Promise<void> {
  await q.insertInto('review_gateway_log').values(row).execute();
}

export async function listGatewayLog(q: Q, windowId: string, limit: number): Promise<GatewayLogRow[]> {
  const rows = await q
    .selectFrom('review_gateway_log')
    .selectAll()
    .where('window_id', '=', windowId)
    .orderBy('at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => num(r, ['status', 'latency_ms', 'prompt_tokens', 'completion_tokens']));
}

/**
 * The per-grant rate limit over a sliding minute, shared by every node on the database. Call inside a transaction:
 * on PostgreSQL the grant's row is locked first, so concurrent calls on any node are counted one after the other
 * (SQLite serialises writers by itself). Admits the call (a row) when fewer than `limit` were admitted in the last
 * `windowMs`, and drops the grant's older rows. Returns null when admitted, else when the oldest counted call leaves
 * the window (for Retry-After).
 */
export async function admitCall(
  tx: Q,
  postgres: boolean,
  call: { id: string; windowId: string; grantId: string },
  now: Date,
  limit: number,
  windowMs = 60_000,
): Promise<Date | null> {
  if (postgres) await tx.selectFrom('review_grants').select('id').where('id', '=', call.grantId).forUpdate().execute();
  const since = new Date(now.getTime() - windowMs).toISOString();
  const recent = await tx
    .selectFrom('review_gateway_calls')
    .select('at')
    .where('grant_id', '=', call.grantId)
    .where('at', '>', since)
    .orderBy('at')
    .limit(Math.max(1, limit))
    .execute();
  if (recent.length >= limit) return new Date(Date.parse(recent[0]!.at) + windowMs);
  await tx
    .insertInto('review_gateway_calls')
    .values({ id: call.id, window_id: call.windowId, grant_id: call.grantId, at: now.toISOString() })
    .execute();
  await tx.deleteFrom('review_gateway_calls').where('grant_id', '=', call.grantId).where('at', '<=', since).execute();
  return null;
}

export async function purgeGatewayLog(q: Q, windowId: string): Promise<number> {
  await q.deleteFrom('review_gateway_calls').where('window_id', '=', windowId).execute();
  const r = await q.deleteFrom('review_gateway_log').where('window_id', '=', windowId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// participants (read-only look-ups for checks)

export async function orgKind(q: Q, orgId: string): Promise<{ kind: string; status: string } | undefined> {
  return q.selectFrom('organisations').select(['kind', 'status']).where('id', '=', orgId).executeTakeFirst();
}

export async function memberOrg(q: Q, memberId: string): Promise<string | undefined> {
  const r = await q.selectFrom('members').select('org_id').where('id', '=', memberId).executeTakeFirst();
  return r?.org_id;
}

/** End every grant still proposed or active (the window closed or was withdrawn). */
export async function endGrants(q: Q, windowId: string, at: string, reason: string): Promise<number> {
  const r = await q
    .updateTable('review_grants')
    .set({ status: 'revoked', ended_at: at, end_reason: reason })
    .where('window_id', '=', windowId)
    .where('status', 'in', ['active', 'proposed'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Ids of the window's attachments (core `attachments` rows), so their markings follow the window's. */
export async function attachmentIds(q: Q, windowId: string): Promise<string[]> {
  const rows = await q.selectFrom('attachments').select('id').where('parent_id', '=', windowId).execute();
  return rows.map((r) => r.id);
}
