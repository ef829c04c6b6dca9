/**
 * Markings carried by every shared object (report, case, advisory, attachment, incident, ...).
 * TLP 2.0 as FIRST defines it; the access rule that reads these lives in ./rule.ts.
 */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export interface Marking {
  /** Organisation that owns (contributed) the object. */
  ownerOrgId: string;
  /** Member who created it; for RED the author is always a named recipient. */
  authorMemberId: string | null;
  tlp: Tlp;
  /** AMBER: members of this sharing group's organisations may see it. */
  sharingGroupId: string | null;
  /** ISO-8601 UTC instant; while in the future only owner, coordinators and embargo parties see the object. */
  embargoUntil: string | null;
  /** AMBER / AMBER+STRICT: organisations it is explicitly shared with. */
  sharedOrgIds: readonly string[];
  /** RED: the named individual recipients (members). */
  namedMemberIds: readonly string[];
  /** Organisations that are parties to the embargo (case participants). */
  embargoOrgIds: readonly string[];
}

/** A TLP:CLEAR marking owned by one organisation, with no author, nothing shared and no embargo; `over` sets the rest. */
export function clearMarking(ownerOrgId: string, over: Partial<Marking> = {}): Marking {
  return {
    ownerOrgId,
    authorMemberId: null,
    tlp: 'CLEAR',
    sharingGroupId: null,
    embargoUntil: null,
    sharedOrgIds: [],
    namedMemberIds: [],
    embargoOrgIds: [],
    ...over,
  };
}

/** Order from widest to narrowest audience, used when a format cannot carry a marking and must narrow it. */
export const TLP_RANK: Record<Tlp, number> = { CLEAR: 0, GREEN: 1, AMBER: 2, 'AMBER+STRICT': 3, RED: 4 };

export function narrowest(a: Tlp, b: Tlp): Tlp {
  return TLP_RANK[a] >= TLP_RANK[b] ? a : b;
}
