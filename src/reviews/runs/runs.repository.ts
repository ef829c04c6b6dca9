/**
 * Review runs and their per-sample results: Kysely queries only. The tables join the core `Database` type by
 * declaration merging (the core schema file stays untouched).
 */
import type { Q } from '../../db/tx.js';

export interface ReviewRunsTable {
  id: string;
  window_id: string;
  grant_id: string;
  org_id: string;
  member_id: string;
  starter: string;
  suite: string;
  task: string;
  variant: string;
  reference: number;
  status: string;
  config: string;
  record: string | null;
  usage: string | null;
  error: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ReviewSamplesTable {
  run_id: string;
  sample_key: string;
  sample_id: string;
  epoch: number;
  scores: string;
  usage: string;
  error: string | null;
  result: string;
  completed_at: string;
}

declare module '../../db/schema.js' {
  interface Database {
    review_runs: ReviewRunsTable;
    review_samples: ReviewSamplesTable;
  }
}

export type RunRow = ReviewRunsTable;
export type SampleRow = ReviewSamplesTable;

/** queued → running → success | error | cancelled; a running run found at start is resumed. */
export const RUN_STATUSES = ['queued', 'running', 'success', 'error', 'cancelled'] as const;
export type ReviewRunStatus = (typeof RUN_STATUSES)[number];
export const LIVE_STATUSES: ReviewRunStatus[] = ['queued', 'running'];

export async function insertRun(q: Q, row: RunRow): Promise<void> {
  await q.insertInto('review_runs').values(row).execute();
}

export async function findRun(q: Q, id: string): Promise<RunRow | undefined> {
  return q.selectFrom('review_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateRun(q: Q, id: string, patch: Partial<RunRow>): Promise<void> {
  await q.updateTable('review_runs').set(patch).where('id', '=', id).execute();
}

export async function listRuns(
  q: Q,
  f: { windowId: string; orgId?: string; status?: string; task?: string; limit: number },
): Promise<RunRow[]> {
  let query = q.selectFrom('review_runs').selectAll().where('window_id', '=', f.windowId);
  if (f.orgId) query = query.where('org_id', '=', f.orgId);
  if (f.status) query = query.where('status', '=', f.status);
  if (f.task) query = query.where('task', '=', f.task);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

/**
 * Claims a run for one node: a queued run, or a running one whose lease has lapsed (its node stopped). Atomic, so two
 * nodes never execute the same run. Returns whether this node got it.
 */
export async function claimRun(q: Q, id: string, owner: string, now: string, until: string): Promise<boolean> {
  const r = await q
    .updateTable('review_runs')
    .set((eb) => ({
      status: 'running',
      lease_owner: owner,
      lease_until: until,
      attempts: eb('attempts', '+', 1),
      started_at: eb.fn.coalesce('started_at', eb.val(now)),
    }))
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([eb('status', '=', 'running'), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])]),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Renews this node's leases; releases them (until = null) when the node stops. */
export async function renewLeases(q: Q, ids: string[], owner: string, until: string | null): Promise<void> {
  if (ids.length === 0) return;
  await q
    .updateTable('review_runs')
    .set({ lease_until: until })
    .where('id', 'in', ids)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Runs to pick up, oldest first: queued or interrupted while running. With `claimableAt`, only those a node could
 * claim at that instant (queued, or running with a lapsed lease).
 */
export async function liveRuns(q: Q, windowId?: string, claimableAt?: string): Promise<RunRow[]> {
  let query = q.selectFrom('review_runs').selectAll().where('status', 'in', LIVE_STATUSES);
  if (windowId) query = query.where('window_id', '=', windowId);
  if (claimableAt)
    query = query.where((eb) =>
      eb.or([eb('status', '=', 'queued'), eb('lease_until', 'is', null), eb('lease_until', '<', claimableAt)]),
    );
  return query.orderBy('created_at').orderBy('id').execute();
}

/** Marks every queued or running run of a window cancelled; returns their ids. */
export async function cancelWindowRuns(q: Q, windowId: string, at: string, reason: string): Promise<string[]> {
  const rows = await liveRuns(q, windowId);
  if (rows.length)
    await q
      .updateTable('review_runs')
      .set({ status: 'cancelled', finished_at: at, error: reason })
      .where('window_id', '=', windowId)
      .where('status', 'in', LIVE_STATUSES)
      .execute();
  return rows.map((r) => r.id);
}

/** The latest successful reference run of a task in a window. */
export async function latestReference(q: Q, windowId: string, task: string, exceptId: string) {
  return q
    .selectFrom('review_runs')
    .selectAll()
    .where('window_id', '=', windowId)
    .where('task', '=', task)
    .where('reference', '=', 1)
    .where('status', '=', 'success')
    .where('id', '!=', exceptId)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function upsertSample(q: Q, row: SampleRow): Promise<void> {
  await q
    .insertInto('review_samples')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['run_id', 'sample_key']).doUpdateSet({
        scores: row.scores,
        usage: row.usage,
        error: row.error,
        result: row.result,
        completed_at: row.completed_at,
      }),
    )
    .execute();
}

export async function listSamples(q: Q, runId: string): Promise<SampleRow[]> {
  return q.selectFrom('review_samples').selectAll().where('run_id', '=', runId).orderBy('sample_key').execute();
}

export async function findSample(q: Q, runId: string, sampleId: string, epoch?: number): Promise<SampleRow[]> {
  let query = q.selectFrom('review_samples').selectAll().where('run_id', '=', runId).where('sample_id', '=', sampleId);
  if (epoch !== undefined) query = query.where('epoch', '=', epoch);
  return query.execute();
}

/** Withdrawal under terms that say purge: the window's per-sample results and run records are deleted. */
export async function purgeWindowResults(q: Q, windowId: string): Promise<{ runs: number; samples: number }> {
  const ids = (await q.selectFrom('review_runs').select('id').where('window_id', '=', windowId).execute()).map(
    (r) => r.id,
  );
  if (ids.length === 0) return { runs: 0, samples: 0 };
  const del = await q.deleteFrom('review_samples').where('run_id', 'in', ids).executeTakeFirst();
  await q.updateTable('review_runs').set({ record: null, usage: null }).where('window_id', '=', windowId).execute();
  return { runs: ids.length, samples: Number(del.numDeletedRows) };
}
