/**
 * What the importer reads before it writes a batch: the stored `modified`/`withdrawn` of each source key, in one query,
 * so that records already stored in the same version are counted unchanged without reading their documents one by
 * one. AdvisoryService.importDocument applies the same rule to every record it is still handed.
 */
import type { Q } from '../../db/tx.js';

export interface StoredState {
  modified: string;
  withdrawn: string | null;
}

export async function storedStates(q: Q, sourceKeys: string[]): Promise<Map<string, StoredState>> {
  const out = new Map<string, StoredState>();
  const keys = [...new Set(sourceKeys)];
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await q
      .selectFrom('advisories')
      .select(['source_key', 'modified_at', 'withdrawn_at'])
      .where('source_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows)
      if (r.source_key !== null) out.set(r.source_key, { modified: r.modified_at, withdrawn: r.withdrawn_at ?? null });
  }
  return out;
}

/** importDocument's "unchanged" rule: same `modified` and same `withdrawn`. */
export function isUnchanged(stored: StoredState | undefined, value: { modified: string; withdrawn?: string | null }) {
  return stored !== undefined && stored.modified === value.modified && stored.withdrawn === (value.withdrawn ?? null);
}
