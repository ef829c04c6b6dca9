/** The API's shapes the portal reads (a subset of the OpenAPI document at /api/v1/openapi.json). */

export interface Marking {
  tlp: string;
  ownerOrgId: string;
  embargoUntil: string | null;
  sharingGroupId: string | null;
  sharedWithOrgIds: string[];
}

export interface Range {
  type: string;
  repo?: string;
  events: Record<string, string>[];
}

export interface Advisory {
  id: string;
  version: number;
  summary: string;
  details: string;
  aliases: string[];
  affected: { package: { ecosystem: string; name: string; purl?: string }; ranges: Range[]; versions?: string[] }[];
  cvss: { version: string; vector: string; score: number | null; severity: string | null }[];
  ssvc: {
    model: string;
    decision: string;
    trace: string[];
    exploitation: string;
    automatable: string;
    technicalImpact: string;
    missionAndWellBeing: string;
  } | null;
  kev: { dateAdded?: string; dueDate?: string } | null;
  cweIds: string[];
  atlasIds: string[];
  owaspLlmIds: string[];
  references: { type: string; url: string }[];
  published: string;
  modified: string;
  withdrawn: string | null;
  source: { name: string; url?: string; licence?: string } | null;
  marking: Marking;
  caseId: string | null;
}

export interface Report {
  id: string;
  title: string;
  description: string;
  provenance: { discoveryMethod: string; model?: string; harness?: string; humanReview?: string };
  affected: { purl: string; ranges: Range[]; versions: string[] }[];
  cweIds: string[];
  atlasIds: string[];
  owaspLlmIds: string[];
  cvss: { score: number | null; severity: string | null; vector: string } | null;
  submitterOrgId: string;
  caseId: string | null;
  validationState: string;
  createdAt: string;
  marking: Marking;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
  total?: number;
}

export interface Organisation {
  id: string;
  name: string;
  kind: string;
  sector: string | null;
  status: string;
}

export interface CaseSummary {
  id: string;
  title: string;
  rmState: string;
  caseState: string;
  tlp: string;
  embargoInForce: boolean;
  embargo: { state: string; endsAt: string | null; proposal: { endsAt: string; reason?: string } | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface CaseDetail extends CaseSummary {
  embargo: {
    state: string;
    endsAt: string | null;
    proposal: { endsAt: string; reason?: string; byOrgId: string; rsvpBy?: string } | null;
    consents: Record<string, { orgId: string; status: string }>;
    history: { at: string; kind: string; byOrgId: string; detail: string }[];
  } | null;
  reports: { reportId: string; relation: string; addedAt: string; visible: boolean }[];
  participants: {
    orgId: string;
    role: string;
    status: string;
    effectiveStatus: string;
    statusDeadline: string | null;
    timeZone: string | null;
    embargoEndsLocal: string | null;
  }[];
  timeline: { at: string; actorMemberId: string | null; kind: string; details: Record<string, unknown> }[];
}

/** GET /api/v1/advisories/statistics: counts over the advisories the caller may see. */
export interface AdvisoryStatistics {
  total: number;
  byMonth: { month: string; count: number }[];
  byTactic: { tactic: string; name: string; count: number }[];
  withoutTactic: number;
  atlasVersion: string;
}
