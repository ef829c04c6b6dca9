/**
 * Who takes part in a review window, and as what. Model access is confidential: the window's marking (AMBER, owned by
 * the developer organisation, shared with the organisations holding an accepted grant) is the outer bound, checked by
 * the one access rule in SQL; this pure function narrows it to the people who actually have a part. A member of a
 * grantee organisation whose grant names another member has no part. Pure, no I/O.
 */
import type { Marking } from '../../access/marking.js';
import type { Viewer } from '../../access/rule.js';
import type { GrantRole, GrantStatus } from './windows.schema.js';

export type WindowRole =
  | 'coordinator'
  | 'developer'
  | 'government_reviewer'
  | 'trusted_partner_reviewer'
  | 'developer_liaison'
  | 'observer';

export interface GrantParty {
  id: string;
  granteeOrgId: string;
  granteeMemberId: string | null;
  role: GrantRole;
  status: GrantStatus;
}

/** Grants that give their holder a part in the window (a proposal not yet accepted, or declined, gives none). */
export const PART_STATUSES: readonly GrantStatus[] = ['active', 'revoked', 'expired'];

const ROLE_ORDER: readonly GrantRole[] = [
  'government_reviewer',
  'trusted_partner_reviewer',
  'developer_liaison',
  'observer',
];

/** The grants that are the viewer's own: for the viewer's organisation, and for the viewer when a member is named. */
export function ownGrants<G extends GrantParty>(viewer: Viewer, grants: readonly G[]): G[] {
  if (viewer.kind !== 'member') return [];
  return grants.filter(
    (g) => g.granteeOrgId === viewer.orgId && (g.granteeMemberId === null || g.granteeMemberId === viewer.memberId),
  );
}

/** The viewer's role, or null when the viewer has no part (then the window does not exist for them: 404). */
export function windowRole(viewer: Viewer, developerOrgId: string, grants: readonly GrantParty[]): WindowRole | null {
  if (viewer.kind !== 'member') return null;
  if (viewer.orgKind === 'coordinator') return 'coordinator';
  const mine = ownGrants(viewer, grants).filter((g) => PART_STATUSES.includes(g.status));
  for (const r of ROLE_ORDER) if (mine.some((g) => g.role === r)) return r;
  if (viewer.orgId === developerOrgId) return 'developer';
  return null;
}

export function isDeveloper(viewer: Viewer, developerOrgId: string): boolean {
  return viewer.kind === 'member' && viewer.orgId === developerOrgId;
}

/** The window's marking: AMBER, owned by the developer, shared with every organisation that holds an accepted grant. */
export function windowMarking(
  developerOrgId: string,
  authorMemberId: string,
  grants: readonly Pick<GrantParty, 'granteeOrgId' | 'status'>[],
): Marking {
  const shared = [...new Set(grants.filter((g) => PART_STATUSES.includes(g.status)).map((g) => g.granteeOrgId))];
  return {
    ownerOrgId: developerOrgId,
    authorMemberId,
    tlp: 'AMBER',
    sharingGroupId: null,
    embargoUntil: null,
    sharedOrgIds: shared.filter((o) => o !== developerOrgId),
    namedMemberIds: [],
    embargoOrgIds: [],
  };
}

/** Endpoint details (upstream base URL and model ids) are for the developer and coordinators only; the secret for none. */
export function seesEndpoint(role: WindowRole | null): boolean {
  return role === 'developer' || role === 'coordinator';
}
