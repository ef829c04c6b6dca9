/**
 * Retention of a review window's data: the instant its runs, findings and gateway log were purged (at a withdrawal
 * under `purge` terms, or by the retention sweep once the terms' retention period after the window's end has passed).
 * Null while the data is kept. Conventions as in 001-core: ISO-8601 UTC text instants.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('review_windows').addColumn('data_purged_at', 'text').execute();
  // The sweep looks for ended windows whose data is still kept.
  await db.schema
    .createIndex('review_windows_retention')
    .on('review_windows')
    .columns(['data_purged_at', 'state'])
    .execute();
}
