/**
 * Pure rules for date_added as a reader sees it: which organisations a marking change widened an advisory to, the
 * instant a grant is dated, and a marking's comparable form. Everything here is decided with the one access rule
 * (canSee); a grant never decides what is served, only when it was added for an organisation.
 */
import type { Marking } from '../../access/marking.js';
import { canSee, type OrgKind, type Viewer } from '../../access/rule.js';

/** A marking as JSON with its lists sorted, so that equal markings compare equal. */
export function markingKey(m: Marking): string {
  const sorted = (l: readonly string[]) => [...l].sort();
  return JSON.stringify({
    ownerOrgId: m.ownerOrgId,
    authorMemberId: m.authorMemberId,
    tlp: m.tlp,
    sharingGroupId: m.sharingGroupId,
    embargoUntil: m.embargoUntil,
    sharedOrgIds: sorted(m.sharedOrgIds),
    namedMemberIds: sorted(m.namedMemberIds),
    embargoOrgIds: sorted(m.embargoOrgIds),
  });
}

/** The first instant after every date_added handed out so far, and not before now: a new grant's date_added. */
export function stampAfter(last: string | null, now: string): string {
  if (last === null || last < now) return now;
  return new Date(Date.parse(last) + 1).toISOString();
}

export interface OrgView {
  id: string;
  kind: string;
  groupIds: string[];
}

function viewer(o: OrgView, memberId = ''): Viewer {
  return { kind: 'member', memberId, orgId: o.id, orgKind: o.kind as OrgKind, role: 'viewer', groupIds: o.groupIds };
}

/**
 * The organisations that may see an object under `after` and could not under `before`, both judged at `now`. TLP:RED
 * names members: `memberOrgs` (member id → organisation id) holds the named members and the author, and an
 * organisation gains when one of its members does. An organisation still kept out by an active embargo gains nothing
 * (the embargo's end adds the object for it).
 */
export function gainedOrganisations(
  orgs: OrgView[],
  memberOrgs: Map<string, string>,
  before: Marking,
  after: Marking,
  now: string,
): Set<string> {
  const gained = new Set<string>();
  const gains = (v: Viewer) => canSee(v, after, now) && !canSee(v, before, now);
  const byId = new Map(orgs.map((o) => [o.id, o]));
  for (const o of orgs) if (gains(viewer(o))) gained.add(o.id);
  for (const [memberId, orgId] of memberOrgs) {
    const o = byId.get(orgId);
    if (o && gains(viewer(o, memberId))) gained.add(o.id);
  }
  return gained;
}
