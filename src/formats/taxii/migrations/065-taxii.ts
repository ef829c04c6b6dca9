/**
 * TAXII 2.1 tables. `taxii_objects`: every STIX object version derived from every advisory version (and, once each,
 * the reference objects: TLP 2.0 marking-definitions and identities), with a server-side `date_added` that never goes
 * backwards and a sequence number that orders objects sharing a `date_added`. `taxii_sync`: per advisory, the last
 * advisory version turned into objects and the instant an embargo was lifted early. `taxii_status`: the status
 * resources of POSTed envelopes. Conventions as in 001-core: text ids, ISO-8601 UTC text instants, JSON as text.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('taxii_objects')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('spec_version', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.references('advisories.id'))
    .addColumn('advisory_version', 'integer')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('taxii_objects_version')
    .on('taxii_objects')
    .columns(['object_id', 'version'])
    .unique()
    .execute();
  await db.schema.createIndex('taxii_objects_added').on('taxii_objects').columns(['date_added', 'seq']).execute();
  await db.schema.createIndex('taxii_objects_advisory').on('taxii_objects').column('advisory_id').execute();

  await db.schema
    .createTable('taxii_sync')
    .addColumn('advisory_id', 'text', (c) => c.primaryKey().references('advisories.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute();

  await db.schema
    .createTable('taxii_status')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('collection_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('request_timestamp', 'text', (c) => c.notNull())
    .addColumn('total_count', 'integer', (c) => c.notNull())
    .addColumn('success_count', 'integer', (c) => c.notNull())
    .addColumn('failure_count', 'integer', (c) => c.notNull())
    .addColumn('pending_count', 'integer', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
}
