/**
 * TAXII 2.1: when an object was added *as a reader sees it*. `taxii_grants`: per advisory and organisation, the instant
 * its objects became visible to that organisation after they were recorded (it joined the advisory's sharing group,
 * or the marking widened to it); that organisation then reads them with this later date_added. `taxii_readers`: per
 * organisation, the sharing groups it belonged to at its last TAXII read, so a join is noticed at the next read.
 * `taxii_sync.marking`: the advisory's marking as last seen, so a widening can be told from a narrowing.
 * Named after the other modules' migrations so that existing deployments apply it in order.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('taxii_grants')
    .addColumn('advisory_id', 'text', (c) => c.notNull().references('advisories.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('added', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('taxii_grants_pk', ['advisory_id', 'org_id'])
    .execute();
  await db.schema.createIndex('taxii_grants_org').on('taxii_grants').columns(['org_id', 'advisory_id']).execute();

  await db.schema
    .createTable('taxii_readers')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id'))
    .addColumn('group_ids', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('taxii_sync').addColumn('marking', 'text').execute();
}
