/**
 * The gateway's per-grant rate limit, shared by every node on the database: one row per call admitted in the last
 * minute (older rows of a grant are deleted as its next call is admitted, and with the window's gateway log).
 * Conventions as in 001-core: text ids, ISO-8601 UTC text instants.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('review_gateway_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('window_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('review_gateway_calls_grant')
    .on('review_gateway_calls')
    .columns(['grant_id', 'at'])
    .execute();
  await db.schema.createIndex('review_gateway_calls_window').on('review_gateway_calls').column('window_id').execute();
}
