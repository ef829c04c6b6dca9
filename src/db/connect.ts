/**
 * Opens the store: an embedded SQLite file (the default, no other service) or PostgreSQL (production, several
 * stateless nodes). Both speak through Kysely; dialect differences live in this folder only.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Human-readable location, with any password removed. */
  location: string;
  close(): Promise<void>;
}

// int8 (COUNT(*), bigint) comes back from pg as a string by default; our counts fit in a double.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
// numeric -> number (CVSS scores).
pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));

export interface OpenOptions {
  /** PostgreSQL only: put every table in this schema (tests use one schema per database). */
  schema?: string;
  poolSize?: number;
}

const STATEMENT_CACHE = 500;

/**
 * SQLite: Kysely prepares every query afresh, and preparing costs about as much as running a small statement. The
 * compiled statements are kept by SQL text (parameters are bound per run, so one statement serves every value),
 * least recently used dropped past STATEMENT_CACHE. A statement still busy (an open iterator) is never handed out
 * twice: a fresh one is prepared instead. SQLite re-prepares a kept statement itself when the schema changes.
 */
function withStatementCache(db: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => db.close(),
    prepare(source: string): SqliteDatabase.Statement {
      const kept = cache.get(source);
      if (kept && !kept.busy) {
        cache.delete(source);
        cache.set(source, kept);
        return kept;
      }
      const stmt = db.prepare(source);
      if (!kept) {
        cache.set(source, stmt);
        if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
  };
}

export function openDb(url: string, opts: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const memory = file === ':memory:' || file === '';
    if (!memory) mkdirSync(dirname(resolve(file)), { recursive: true });
    const sqlite = new SqliteDatabase(memory ? ':memory:' : file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return {
      kysely,
      dialect: 'sqlite',
      location: memory ? 'sqlite (in memory)' : `sqlite:${resolve(file)}`,
      close: () => kysely.destroy(),
    };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely,
      dialect: 'postgres',
      location: url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
      close: () => kysely.destroy(),
    };
  }
  throw new Error(`unsupported database URL ${url}: use sqlite:PATH or postgres://...`);
}
