/**
 * One set of migrations for both backends, applied in order and recorded by Kysely's Migrator. A migration is a
 * module exporting up(db, dialect); the dialect lets a migration pick a column type where the two differ.
 */
import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { MODULES } from '../modules.js';
import type { Db } from './connect.js';
import * as core from './migrations/001-core.js';

export type MigrationModule = { up: (db: Parameters<Migration['up']>[0], dialect: Db['dialect']) => Promise<void> };

/** The core's migrations; capability modules (src/modules.ts) add theirs after these. */
const CORE_MIGRATIONS: [string, MigrationModule][] = [['001-core', core]];

function all(): [string, MigrationModule][] {
  const extra = MODULES.flatMap((m) => m.migrations ?? []);
  return [...CORE_MIGRATIONS, ...extra].sort((a, b) => a[0].localeCompare(b[0]));
}

function provider(dialect: Db['dialect']): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of all()) out[name] = { up: (db) => mod.up(db, dialect) };
      return out;
    },
  };
}

/**
 * On PostgreSQL the migration tables are named with the current schema: Kysely otherwise looks for them in every
 * schema of the database, and another schema's copy (a second deployment, a test) would make it skip creating ours.
 */
async function migratorFor(db: Db): Promise<Migrator> {
  const opts = { db: db.kysely, provider: provider(db.dialect) };
  if (db.dialect !== 'postgres') return new Migrator(opts);
  const r = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db.kysely);
  const schema = r.rows[0]?.schema;
  return new Migrator(schema ? { ...opts, migrationTableSchema: schema } : opts);
}

export async function migrate(db: Db): Promise<string[]> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (used by /readyz). */
export async function isMigrated(db: Db): Promise<boolean> {
  const migrator = await migratorFor(db);
  const known = await migrator.getMigrations();
  return known.length === all().length && known.every((m) => m.executedAt !== undefined);
}
