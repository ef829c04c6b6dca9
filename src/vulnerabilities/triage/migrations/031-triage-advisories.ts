import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

/**
 * Triage against published advisories, and the warm engine:
 * - a cluster may stand for a published advisory (`advisory_id`): reports that describe it attach there;
 * - a member may have matched an advisory rather than a report (`matched_advisory_id`);
 * - `triage_state.version` counts clustering changes, so each server process knows when its in-memory engine is stale.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('triage_clusters').addColumn('advisory_id', 'text').execute();
  await db.schema.alterTable('triage_members').addColumn('matched_advisory_id', 'text').execute();
  await db.schema.createIndex('triage_clusters_advisory').on('triage_clusters').column('advisory_id').execute();
  await db.schema
    .createTable('triage_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('triage_state').values({ id: 'engine', version: 0 }).execute();
}
