/**
 * VEX statements per finding: what the finding's organisation says about it (affected, not_affected with a
 * justification, fixed, under_investigation), with impact and action statements. Append-only history: a new
 * statement marks the previous one of the same finding as no longer current (`is_current` 1 -> 0), nothing is deleted.
 * Conventions as in 001-core: text ids, ISO-8601 UTC text instants, 0/1 integers.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('exposure_vex_statements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('finding_id', 'text', (c) => c.notNull().references('exposure_findings.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // OpenVEX / CISA vocabulary (what OpenVEX and CSAF carry) and the CycloneDX one, either given or mapped.
    .addColumn('justification', 'text')
    .addColumn('cyclonedx_justification', 'text')
    .addColumn('impact_statement', 'text')
    .addColumn('action_statement', 'text')
    .addColumn('author_member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('is_current', 'integer', (c) => c.notNull())
    .addUniqueConstraint('exposure_vex_statements_seq', ['finding_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('exposure_vex_statements_org')
    .on('exposure_vex_statements')
    .columns(['org_id', 'is_current', 'status'])
    .execute();
}
