/**
 * Evaluation runs of a review window and their per-sample results, and the findings drawn from them.
 * Conventions as in 001-core: text ids, ISO-8601 UTC text instants, JSON as text, 0/1 integers.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('review_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    // The starter's viewer (no secret), so a run resumed after a restart asks for credentials on the starter's behalf.
    .addColumn('starter', 'text', (c) => c.notNull())
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('reference', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('record', 'text')
    .addColumn('usage', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    // The node executing the run and until when its claim holds (renewed while it runs; several nodes share a queue).
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('review_runs_window').on('review_runs').columns(['window_id', 'created_at']).execute();
  await db.schema.createIndex('review_runs_status').on('review_runs').column('status').execute();

  await db.schema
    .createTable('review_samples')
    .addColumn('run_id', 'text', (c) => c.notNull().references('review_runs.id'))
    .addColumn('sample_key', 'text', (c) => c.notNull())
    .addColumn('sample_id', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('scores', 'text', (c) => c.notNull())
    .addColumn('usage', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_samples_pk', ['run_id', 'sample_key'])
    .execute();

  await db.schema
    .createTable('review_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('author_member_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('repro_k', 'integer', (c) => c.notNull())
    .addColumn('repro_n', 'integer', (c) => c.notNull())
    .addColumn('atlas_ids', 'text', (c) => c.notNull())
    .addColumn('owasp_llm_ids', 'text', (c) => c.notNull())
    .addColumn('cwe_ids', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('third_party', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('validated_by', 'text')
    .addColumn('validated_at', 'text')
    .addColumn('shared_at', 'text')
    .addColumn('response', 'text')
    .addColumn('response_note', 'text')
    .addColumn('responded_by', 'text')
    .addColumn('responded_at', 'text')
    .addColumn('report_id', 'text')
    .addColumn('frozen_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_findings_window').on('review_findings').column('window_id').execute();
}
