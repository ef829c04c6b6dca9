/**
 * The harness's ResultStore on the database (tables review_runs and review_samples, migration 081). The run row is
 * created by the run service before the harness starts; this store fills in the harness's run record and each
 * sample result as soon as it is done, so a run interrupted by a restart resumes from what is stored.
 */
import type { Db } from '../../db/connect.js';
import { fromJson, toJson } from '../../db/json.js';
import { type ResultStore, sampleKey } from '../harness/store.js';
import type { RunRecord, SampleResult } from '../harness/types.js';
import * as repo from './runs.repository.js';

/** Harness status → stored status. */
const STATUS: Record<RunRecord['status'], repo.ReviewRunStatus> = {
  started: 'running',
  success: 'success',
  error: 'error',
  cancelled: 'cancelled',
};

export class DbResultStore implements ResultStore {
  /** Runs aborted because this process stops: they stay `running` so that the next start resumes them. */
  readonly interrupted = new Set<string>();

  constructor(private readonly db: Db) {}

  async saveRun(run: RunRecord): Promise<void> {
    const row = await repo.findRun(this.db.kysely, run.runId);
    if (!row) throw new Error(`run ${run.runId} does not exist (the run service creates it)`);
    const status = this.interrupted.has(run.runId) ? 'running' : STATUS[run.status];
    const record = toJson(run);
    const usage = run.usage ? toJson(run.usage) : row.usage;
    // A run marked cancelled (a reviewer, or the window ended) stays cancelled whatever the harness reports last: the
    // status is written only where the row is not cancelled, in the same statement (a cancel may commit between our
    // read above and this write).
    const r = await this.db.kysely
      .updateTable('review_runs')
      .set({
        record,
        status,
        usage,
        error: run.error?.message ?? null,
        ...(run.completedAt && status !== 'running' ? { finished_at: run.completedAt } : {}),
      })
      .where('id', '=', run.runId)
      .where('status', '!=', 'cancelled')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) await repo.updateRun(this.db.kysely, run.runId, { record, usage });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = await repo.findRun(this.db.kysely, runId);
    return row?.record ? fromJson<RunRecord>(row.record, undefined as never) : undefined;
  }

  async saveSample(runId: string, result: SampleResult): Promise<void> {
    await repo.upsertSample(this.db.kysely, {
      run_id: runId,
      sample_key: sampleKey(result.sampleId, result.epoch),
      sample_id: String(result.sampleId),
      epoch: result.epoch,
      scores: toJson(Object.fromEntries(Object.entries(result.scores).map(([k, s]) => [k, s.value]))),
      usage: toJson(result.usage),
      error: result.error?.message ?? null,
      result: toJson(result),
      completed_at: result.completedAt,
    });
  }

  async listSamples(runId: string): Promise<SampleResult[]> {
    return (await repo.listSamples(this.db.kysely, runId)).map((r) =>
      fromJson<SampleResult>(r.result, undefined as never),
    );
  }
}
