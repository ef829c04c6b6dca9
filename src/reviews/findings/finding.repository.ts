/** Findings of review windows: Kysely queries only (table added to `Database` by declaration merging). */
import type { Q } from '../../db/tx.js';

export interface ReviewFindingsTable {
  id: string;
  window_id: string;
  org_id: string;
  author_member_id: string;
  title: string;
  type: string;
  severity: string;
  description: string;
  evidence: string;
  repro_k: number;
  repro_n: number;
  atlas_ids: string;
  owasp_llm_ids: string;
  cwe_ids: string;
  tlp: string;
  labels: string;
  third_party: number;
  state: string;
  validated_by: string | null;
  validated_at: string | null;
  shared_at: string | null;
  response: string | null;
  response_note: string | null;
  responded_by: string | null;
  responded_at: string | null;
  report_id: string | null;
  frozen_at: string | null;
  created_at: string;
  updated_at: string;
}

declare module '../../db/schema.js' {
  interface Database {
    review_findings: ReviewFindingsTable;
  }
}

export type FindingRow = ReviewFindingsTable;

export async function insertFinding(q: Q, row: FindingRow): Promise<void> {
  await q.insertInto('review_findings').values(row).execute();
}

export async function findFinding(q: Q, id: string, forUpdate = false): Promise<FindingRow | undefined> {
  let query = q.selectFrom('review_findings').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateFinding(q: Q, id: string, patch: Partial<FindingRow>): Promise<void> {
  await q.updateTable('review_findings').set(patch).where('id', '=', id).execute();
}

export async function listFindings(
  q: Q,
  f: { windowId: string; orgId?: string; states?: string[]; limit: number },
): Promise<FindingRow[]> {
  let query = q.selectFrom('review_findings').selectAll().where('window_id', '=', f.windowId);
  if (f.orgId) query = query.where('org_id', '=', f.orgId);
  if (f.states) query = query.where('state', 'in', f.states.length ? f.states : ['-']);
  return query.orderBy('created_at').orderBy('id').limit(f.limit).execute();
}

/** The window ended: its findings take no more edits. Returns how many were frozen. */
export async function freezeWindow(q: Q, windowId: string, at: string): Promise<number> {
  const r = await q
    .updateTable('review_findings')
    .set({ frozen_at: at })
    .where('window_id', '=', windowId)
    .where('frozen_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function deleteWindowFindings(q: Q, windowId: string): Promise<number> {
  const r = await q.deleteFrom('review_findings').where('window_id', '=', windowId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
