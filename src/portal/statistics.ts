/**
 * Advisory statistics for the dashboards: advisories by month of publication and by MITRE ATLAS tactic, counted on
 * the server over exactly the advisories the caller may see (the access rule's `visibleFilter`). ATLAS techniques
 * recorded on an advisory are mapped to their tactics with the bundled ATLAS release; an advisory counts once per
 * tactic however many of its techniques fall under it.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { visibleFilter } from '../access/rule.js';
import type { RouteRegistry } from '../http/route.js';
import { type Caller, viewerOf } from '../participants/principal.js';
import type { Services } from '../services.js';
import { ATLAS_VERSION, atlasTactic, atlasTactics, atlasTechnique } from '../taxonomies/atlas.js';

export interface AdvisoryStatistics {
  total: number;
  byMonth: { month: string; count: number }[];
  byTactic: { tactic: string; name: string; count: number }[];
  /** Visible advisories that name no ATLAS technique (or only ones unknown to the bundled release). */
  withoutTactic: number;
  atlasVersion: string;
}

export const statisticsQuerySchema = z.object({
  withdrawn: z.enum(['include', 'exclude']).default('exclude'),
  months: z.coerce.number().int().min(1).max(240).default(24),
});

export async function advisoryStatistics(
  s: Services,
  caller: Caller,
  f: z.infer<typeof statisticsQuerySchema>,
): Promise<AdvisoryStatistics> {
  const q = s.db.kysely;
  const viewer = viewerOf(caller);
  const now = s.clock().toISOString();
  const first = new Date(s.clock());
  first.setUTCDate(1);
  first.setUTCHours(0, 0, 0, 0);
  first.setUTCMonth(first.getUTCMonth() - (f.months - 1));
  const visible = () => {
    let query = q
      .selectFrom('advisories as a')
      .innerJoin('markings as m', 'm.object_id', 'a.id')
      .where(visibleFilter(viewer, now));
    if (f.withdrawn === 'exclude') query = query.where('a.withdrawn_at', 'is', null);
    return query;
  };

  const month = sql<string>`substr(a.published_at, 1, 7)`;
  const [totalRow, monthRows, termRows] = await Promise.all([
    visible()
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow(),
    visible()
      .where('a.published_at', '>=', first.toISOString())
      .select([month.as('month'), (eb) => eb.fn.countAll<string | number>().as('n')])
      .groupBy(month)
      .orderBy(month)
      .execute(),
    visible()
      .innerJoin('object_terms as t', 't.object_id', 'a.id')
      .where('t.kind', '=', 'atlas')
      .select(['a.id', 't.value'])
      .distinct()
      .execute(),
  ]);

  const tacticsOf = new Map<string, Set<string>>();
  for (const r of termRows) {
    const id = r.value.toUpperCase();
    const tactics = atlasTactic(id) ? [id] : (atlasTechnique(id)?.tactics ?? []);
    if (tactics.length === 0) continue;
    const set = tacticsOf.get(r.id) ?? new Set<string>();
    for (const t of tactics) set.add(t);
    tacticsOf.set(r.id, set);
  }
  const counts = new Map<string, number>();
  for (const set of tacticsOf.values()) for (const t of set) counts.set(t, (counts.get(t) ?? 0) + 1);
  const names = new Map(atlasTactics().map((t) => [t.id, t.name]));
  const total = Number(totalRow.n);
  return {
    total,
    byMonth: monthRows.map((r) => ({ month: r.month, count: Number(r.n) })),
    byTactic: [...counts]
      .map(([tactic, count]) => ({ tactic, name: names.get(tactic) ?? tactic, count }))
      .sort((a, b) => b.count - a.count || a.tactic.localeCompare(b.tactic)),
    withoutTactic: total - tacticsOf.size,
    atlasVersion: ATLAS_VERSION,
  };
}

export function registerStatisticsRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  r.add(app, {
    method: 'GET',
    url: '/api/v1/advisories/statistics',
    summary:
      'Counts of the advisories the caller may see, by month of publication and by MITRE ATLAS tactic (anonymous: TLP:CLEAR)',
    tags: ['advisories'],
    public: true,
    query: statisticsQuerySchema,
    handler: async ({ caller, query }) => advisoryStatistics(s, caller, query),
  });
}
