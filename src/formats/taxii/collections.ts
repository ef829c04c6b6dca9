/**
 * TAXII collections are views, never copies: each is an audience condition over the advisory's marking, applied
 * together with the one access rule (visibleFilter) at every read.
 *  - public:        TLP:CLEAR and not under embargo (what anonymous callers see); read-only.
 *  - participants:  TLP:CLEAR and TLP:GREEN the caller may see (members only).
 *  - restricted:    TLP:AMBER, AMBER+STRICT and RED the caller may see (members only).
 *  - group:<id>:    what is marked for a sharing group the caller's organisation belongs to.
 * Collection ids are UUIDv5 names, stable per deployment.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { MarkingInput } from '../../access/marking.schema.js';
import type { SharingGroup } from '../../participants/participants.js';
import type { Principal } from '../../participants/principal.js';
import { uuidV5 } from '../stix/index.js';
import { STIX_MEDIA_TYPE } from './media.js';

export interface Collection {
  id: string;
  title: string;
  description: string;
  canRead: boolean;
  canWrite: boolean;
  /** SQL condition over `markings m` (besides the access rule). */
  audience: (now: string) => RawBuilder<SqlBool>;
  /** The marking of reports made from POSTed objects that carry none (or a wider one). */
  writeMarking: MarkingInput | null;
}

export function collectionId(key: string): string {
  return uuidV5(`taxii-collection:${key}`);
}

const none = { sharedWithOrgIds: [], namedMemberIds: [] };

export function collectionsFor(principal: Principal | null, groups: SharingGroup[]): Collection[] {
  const write = principal?.scopes.includes('write') ?? false;
  const out: Collection[] = [
    {
      id: collectionId('public'),
      title: 'Public advisories',
      description: 'TLP:CLEAR advisories that are not under embargo, as STIX 2.1 objects.',
      canRead: true,
      canWrite: false,
      audience: (now) => sql<SqlBool>`(m.tlp = 'CLEAR' AND (m.embargo_until IS NULL OR m.embargo_until <= ${now}))`,
      writeMarking: null,
    },
  ];
  if (!principal) return out;
  out.push(
    {
      id: collectionId('participants'),
      title: 'All participants',
      description:
        'TLP:CLEAR and TLP:GREEN advisories for every participant (embargoed ones only for the embargo parties). POSTed vulnerability objects become TLP:GREEN reports unless marked narrower.',
      canRead: true,
      canWrite: write,
      audience: () => sql<SqlBool>`m.tlp IN ('CLEAR', 'GREEN')`,
      writeMarking: { tlp: 'GREEN', ...none },
    },
    {
      id: collectionId('restricted'),
      title: 'Restricted to you',
      description:
        'TLP:AMBER, AMBER+STRICT and RED advisories you may see. POSTed vulnerability objects become TLP:AMBER reports (your organisation and the coordinators) unless marked narrower.',
      canRead: true,
      canWrite: write,
      audience: () => sql<SqlBool>`m.tlp IN ('AMBER', 'AMBER+STRICT', 'RED')`,
      writeMarking: { tlp: 'AMBER', ...none },
    },
  );
  for (const g of groups)
    if (g.memberOrgIds.includes(principal.viewer.orgId))
      out.push({
        id: collectionId(`group:${g.id}`),
        title: `Sharing group: ${g.name}`,
        description: `Advisories marked for the sharing group ${g.name}. POSTed vulnerability objects become TLP:AMBER reports for this group unless marked narrower.`,
        canRead: true,
        canWrite: write,
        audience: () => sql<SqlBool>`m.sharing_group_id = ${g.id}`,
        writeMarking: { tlp: 'AMBER', sharingGroupId: g.id, ...none },
      });
  return out;
}

/** The TAXII collection resource. */
export function presentCollection(c: Collection): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    can_read: c.canRead,
    can_write: c.canWrite,
    media_types: [STIX_MEDIA_TYPE],
  };
}
