/** Kysely queries of VEX statements (table exposure_vex_statements, migration 045-exposure-vex). */
import { type SqlBool, sql } from 'kysely';
import type { Viewer } from '../access/rule.js';
import type { Q } from '../db/tx.js';
import { findingVisible } from './exposure.repository.js';

export interface ExposureVexStatementsTable {
  id: string;
  finding_id: string;
  org_id: string;
  seq: number;
  status: string;
  justification: string | null;
  cyclonedx_justification: string | null;
  impact_statement: string | null;
  action_statement: string | null;
  author_member_id: string;
  created_at: string;
  is_current: number;
}

declare module '../db/schema.js' {
  interface Database {
    exposure_vex_statements: ExposureVexStatementsTable;
  }
}

export type VexRow = ExposureVexStatementsTable;

/** Statuses that take a finding out of the open counts (it stays stored and listed). */
export const VEX_CLOSING_STATUSES = ['not_affected', 'fixed'] as const;

/**
 * SQL condition: the finding is not closed by its current VEX statement (not_affected or fixed). For a query over
 * `exposure_findings as f` (or the alias given): open findings are `f.resolved_at IS NULL AND vexOpen()`, which is
 * what the exposure summary's open counts and the `status=open` finding filter need.
 */
export function vexOpen(findingAlias = 'f') {
  const id = sql.ref(`${findingAlias}.id`);
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM exposure_vex_statements vx WHERE vx.finding_id = ${id} AND vx.is_current = 1 AND vx.status IN ('not_affected', 'fixed'))`;
}

export async function history(q: Q, findingId: string): Promise<VexRow[]> {
  return q
    .selectFrom('exposure_vex_statements')
    .selectAll()
    .where('finding_id', '=', findingId)
    .orderBy('seq')
    .execute();
}

/** Append a statement: the previous current one of the finding stops being current. */
export async function append(q: Q, row: Omit<VexRow, 'seq' | 'is_current'>): Promise<VexRow> {
  const last = await q
    .selectFrom('exposure_vex_statements')
    .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
    .where('finding_id', '=', row.finding_id)
    .executeTakeFirst();
  const seq = Number(last?.seq ?? 0) + 1;
  await q
    .updateTable('exposure_vex_statements')
    .set({ is_current: 0 })
    .where('finding_id', '=', row.finding_id)
    .where('is_current', '=', 1)
    .execute();
  const full: VexRow = { ...row, seq, is_current: 1 };
  await q.insertInto('exposure_vex_statements').values(full).execute();
  return full;
}

/** Current statements of these findings, by finding id. */
export async function currentOf(q: Q, findingIds: readonly string[]): Promise<Map<string, VexRow>> {
  const out = new Map<string, VexRow>();
  for (let i = 0; i < findingIds.length; i += 500) {
    const rows = await q
      .selectFrom('exposure_vex_statements')
      .selectAll()
      .where('finding_id', 'in', findingIds.slice(i, i + 500))
      .where('is_current', '=', 1)
      .execute();
    for (const r of rows) out.set(r.finding_id, r);
  }
  return out;
}

/**
 * The organisation's findings that carry a current statement and that the viewer may see (the findings' access rule:
 * own organisation or coordinator, and an advisory of the finding visible), optionally for one asset.
 */
export async function exportRows(q: Q, viewer: Viewer, now: string, orgId: string, asset?: string) {
  let query = q
    .selectFrom('exposure_findings as f')
    .innerJoin('exposure_vex_statements as vx', 'vx.finding_id', 'f.id')
    .innerJoin('exposure_assets as s', 's.id', 'f.asset_id')
    .select([
      'f.id as finding_id',
      'f.advisory_id',
      'f.component_name',
      'f.component_version',
      'f.component_purl',
      'f.component_ecosystem',
      's.name as asset',
      'vx.status',
      'vx.justification',
      'vx.cyclonedx_justification',
      'vx.impact_statement',
      'vx.action_statement',
      'vx.created_at',
    ])
    .where('f.org_id', '=', orgId)
    .where('vx.is_current', '=', 1)
    .where(findingVisible(viewer, now));
  if (asset) query = query.where('s.name', '=', asset);
  return query.orderBy('s.name').orderBy('f.id').execute();
}

/** Every statement the organisation made (current and past), for its export bundle. */
export async function exportOrg(q: Q, orgId: string): Promise<VexRow[]> {
  return q
    .selectFrom('exposure_vex_statements')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('finding_id')
    .orderBy('seq')
    .execute();
}
