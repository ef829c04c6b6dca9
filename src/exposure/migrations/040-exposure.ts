/**
 * Exposure tables: assets (what an organisation runs, with criticality and exposure tags), inventories (every SBOM
 * uploaded for an asset, the latest one current, older ones kept as history), their components (normalised once on
 * arrival), and findings (one flaw, i.e. one advisory alias group, in one component of one asset) with the advisories
 * of the group that match. Conventions as in 001-core: text ids, ISO-8601 UTC text instants, JSON as text, 0/1.
 */
import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../../db/connect.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not the current type.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('exposure_assets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('criticality', 'text', (c) => c.notNull())
    .addColumn('sector', 'text')
    .addColumn('internet_facing', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('current_inventory_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('exposure_assets_org_name', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('exposure_inventories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('exposure_assets.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('spec_version', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('component_count', 'integer', (c) => c.notNull())
    .addColumn('model_count', 'integer', (c) => c.notNull())
    .addColumn('unmatched_count', 'integer', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'text')
    .addColumn('document', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('exposure_inventories_asset')
    .on('exposure_inventories')
    .columns(['asset_id', 'uploaded_at'])
    .execute();

  await db.schema
    .createTable('exposure_components')
    .addColumn('inventory_id', 'text', (c) => c.notNull().references('exposure_inventories.id'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('purl', 'text')
    .addColumn('ecosystem', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exposure_components_pk', ['inventory_id', 'idx'])
    .execute();

  await db.schema
    .createTable('exposure_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('exposure_assets.id'))
    .addColumn('inventory_id', 'text', (c) => c.notNull())
    .addColumn('component_key', 'text', (c) => c.notNull())
    .addColumn('component_ref', 'text', (c) => c.notNull())
    .addColumn('component_name', 'text', (c) => c.notNull())
    .addColumn('component_version', 'text', (c) => c.notNull())
    .addColumn('component_purl', 'text')
    .addColumn('component_ecosystem', 'text', (c) => c.notNull())
    .addColumn('component_kind', 'text', (c) => c.notNull())
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('advisory_ids', 'text', (c) => c.notNull())
    .addColumn('kev', 'integer', (c) => c.notNull())
    .addColumn('ssvc', 'text')
    .addColumn('severity', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('priority_reasons', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolution', 'text')
    .addColumn('notified_at', 'text')
    .execute();
  await db.schema
    .createIndex('exposure_findings_org')
    .on('exposure_findings')
    .columns(['org_id', 'resolved_at', 'priority'])
    .execute();
  await db.schema.createIndex('exposure_findings_asset').on('exposure_findings').columns(['asset_id']).execute();
  // One open finding per (asset, component, flaw).
  await db.schema
    .createIndex('exposure_findings_open')
    .on('exposure_findings')
    .columns(['asset_id', 'component_key', 'group_key'])
    .unique()
    .where(sql.ref('resolved_at'), 'is', null)
    .execute();

  // The advisories of a finding's group that match its component: the access rule is applied through these.
  await db.schema
    .createTable('exposure_finding_advisories')
    .addColumn('finding_id', 'text', (c) => c.notNull().references('exposure_findings.id'))
    .addColumn('advisory_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exposure_finding_advisories_pk', ['finding_id', 'advisory_id'])
    .execute();
  await db.schema
    .createIndex('exposure_finding_advisories_advisory')
    .on('exposure_finding_advisories')
    .column('advisory_id')
    .execute();
}
