/** The stored KEV catalogue: Kysely queries only. The table joins the core `Database` type by declaration merging. */
import type { Q } from '../../db/tx.js';
import type { KevFacts } from '../../vulnerabilities/advisory.model.js';

export interface KevEntriesTable {
  cve_id: string;
  facts: string;
  date_added: string;
  imported_at: string;
}

declare module '../../db/schema.js' {
  interface Database {
    kev_entries: KevEntriesTable;
  }
}

/** 'created' when new, 'updated' when the facts changed, 'unchanged' otherwise. */
export async function upsertKev(q: Q, facts: KevFacts, at: string): Promise<'created' | 'updated' | 'unchanged'> {
  const json = JSON.stringify(facts);
  const row = await q.selectFrom('kev_entries').select('facts').where('cve_id', '=', facts.cveId).executeTakeFirst();
  if (row?.facts === json) return 'unchanged';
  if (row) {
    await q
      .updateTable('kev_entries')
      .set({ facts: json, date_added: facts.dateAdded, imported_at: at })
      .where('cve_id', '=', facts.cveId)
      .execute();
    return 'updated';
  }
  await q
    .insertInto('kev_entries')
    .values({ cve_id: facts.cveId, facts: json, date_added: facts.dateAdded, imported_at: at })
    .execute();
  return 'created';
}

/** The stored facts for any of these CVE ids (the first found), or null. */
export async function kevFor(q: Q, cveIds: string[]): Promise<KevFacts | null> {
  if (cveIds.length === 0) return null;
  const row = await q
    .selectFrom('kev_entries')
    .select('facts')
    .where('cve_id', 'in', cveIds)
    .orderBy('cve_id')
    .executeTakeFirst();
  return row ? (JSON.parse(row.facts) as KevFacts) : null;
}

/**
 * kevFor for many records at once (one query): for each list of CVE ids, the facts of the first id (in order) that has
 * any, or null. Gives what kevFor gives for each list.
 */
export async function kevForMany(q: Q, lists: string[][]): Promise<(KevFacts | null)[]> {
  const all = [...new Set(lists.flat())];
  const found = new Map<string, string>();
  for (let i = 0; i < all.length; i += 500) {
    const rows = await q
      .selectFrom('kev_entries')
      .select(['cve_id', 'facts'])
      .where('cve_id', 'in', all.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.cve_id, r.facts);
  }
  return lists.map((ids) => {
    const first = ids.filter((id) => found.has(id)).sort()[0];
    return first ? (JSON.parse(found.get(first)!) as KevFacts) : null;
  });
}
