/** A stored report as the clustering engine sees it. */
import type { AdvisoryDoc } from '../advisory.model.js';
import type { ReportRecord } from '../report.repository.js';
import type { TriageAffected, TriageDoc, TriageRange } from './features.js';

/** The engine's id of an advisory document (report ids are UUIDs, so the two never collide). */
export const ADVISORY_DOC_PREFIX = 'advisory:';

function rangesOf(
  ranges: { events: { introduced?: string; fixed?: string; last_affected?: string }[] }[],
): TriageRange[] {
  return ranges.map((rg) => {
    const out: TriageRange = {};
    for (const e of rg.events) {
      if (e.introduced) out.introduced = e.introduced;
      if (e.fixed) out.fixed = e.fixed;
      if (e.last_affected) out.lastAffected = e.last_affected;
    }
    return out;
  });
}

/** A published advisory as the engine sees it: no submitter (it is the clearinghouse's own), its aliases as identifiers. */
export function advisoryToDoc(a: AdvisoryDoc): TriageDoc {
  return {
    id: `${ADVISORY_DOC_PREFIX}${a.id}`,
    title: a.summary,
    description: a.details,
    aliases: [a.id, ...a.aliases],
    cweIds: a.cweIds,
    references: a.references.map((r) => r.url),
    affected: a.affected.map(
      (x): TriageAffected => ({
        ...(x.package?.purl ? { purl: x.package.purl } : {}),
        ...(x.package?.ecosystem ? { ecosystem: x.package.ecosystem } : {}),
        ...(x.package?.name ? { name: x.package.name } : {}),
        versions: x.versions ?? [],
        ranges: rangesOf((x.ranges ?? []).filter((r) => r.type !== 'GIT')),
      }),
    ),
  };
}

/** The submitter is the organisation (for the same-submitter discount). */
export function toDoc(r: ReportRecord): TriageDoc {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    aliases: r.aliases,
    cweIds: r.cweIds,
    references: r.references.map((x) => x.url),
    submitter: r.submitterOrgId,
    affected: r.affected.map((a) => ({
      ...(a.purl ? { purl: a.purl } : {}),
      ...(a.ecosystem ? { ecosystem: a.ecosystem } : {}),
      ...(a.name ? { name: a.name } : {}),
      ...(a.product ? { product: a.product } : {}),
      versions: a.versions ?? [],
      ranges: (a.ranges ?? []).map((rg) => {
        const out: { introduced?: string; fixed?: string; lastAffected?: string } = {};
        for (const e of rg.events) {
          if (e.introduced) out.introduced = e.introduced;
          if (e.fixed) out.fixed = e.fixed;
          if (e.last_affected) out.lastAffected = e.last_affected;
        }
        return out;
      }),
    })),
  };
}
