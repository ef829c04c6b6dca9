/** The SQLite statement cache behind Kysely: reused statements give the same answers as fresh ones. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from './connect.js';

describe('SQLite statement cache', () => {
  let db: Db;
  beforeEach(async () => {
    db = openDb('sqlite::memory:');
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`.execute(db.kysely);
    for (let i = 1; i <= 50; i++) await sql`INSERT INTO t (id, name) VALUES (${i}, ${`n${i}`})`.execute(db.kysely);
  });
  afterEach(async () => db.close());

  const byId = (id: number) => sql<{ name: string }>`SELECT name FROM t WHERE id = ${id}`.execute(db.kysely);

  it('one SQL text, many parameter values: each run binds its own', async () => {
    for (let i = 1; i <= 50; i++) expect((await byId(i)).rows).toEqual([{ name: `n${i}` }]);
    expect((await byId(999)).rows).toEqual([]);
  });

  it('a stream left early does not leave its statement busy for the next run of the same SQL', async () => {
    const q = db.kysely
      .selectFrom('t' as never)
      .select('name' as never)
      .orderBy('id' as never);
    const seen: string[] = [];
    for await (const row of q.stream()) {
      seen.push((row as { name: string }).name);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['n1', 'n2', 'n3']);
    expect((await q.execute()).length).toBe(50);
    let n = 0;
    for await (const _ of q.stream()) n++;
    expect(n).toBe(50);
  });

  it('a cached statement follows a schema change', async () => {
    const all = () => sql<Record<string, unknown>>`SELECT * FROM t WHERE id = 1`.execute(db.kysely);
    expect((await all()).rows).toEqual([{ id: 1, name: 'n1' }]);
    await sql`ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'`.execute(db.kysely);
    expect((await all()).rows).toEqual([{ id: 1, name: 'n1', extra: 'x' }]);
  });

  it('writes through cached statements report changes', async () => {
    const upd = (name: string) => sql`UPDATE t SET name = ${name} WHERE id <= 10`.execute(db.kysely);
    expect(Number((await upd('a')).numAffectedRows)).toBe(10);
    expect(Number((await upd('b')).numAffectedRows)).toBe(10);
    expect((await byId(5)).rows).toEqual([{ name: 'b' }]);
  });
});
