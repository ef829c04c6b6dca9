import { describe, expect, it } from 'vitest';
import { marking } from '../../test/fixtures.js';
import type { Marking } from './marking.js';
import { canSee, type Viewer } from './rule.js';

const NOW = '2026-06-01T00:00:00.000Z';
const base: Marking = marking('owner', { authorMemberId: 'author' });
const member = (orgId: string, memberId = `${orgId}-m`, groupIds: string[] = []): Viewer => ({
  kind: 'member',
  memberId,
  orgId,
  orgKind: orgId === 'coord' ? 'coordinator' : 'infrastructure_operator',
  role: 'analyst',
  groupIds,
});
const anon: Viewer = { kind: 'anonymous' };
const ownerMember = member('owner', 'author');
const coord = member('coord');
const stranger = member('stranger');
const sharedWith = member('partner');
const grouped = member('grouped', 'grouped-m', ['g1']);
const named = member('stranger', 'named');

const cases: [string, Partial<Marking>, [Viewer, boolean][]][] = [
  [
    'CLEAR',
    {},
    [
      [anon, true],
      [stranger, true],
    ],
  ],
  [
    'GREEN',
    { tlp: 'GREEN' },
    [
      [anon, false],
      [stranger, true],
      [coord, true],
    ],
  ],
  [
    'AMBER',
    { tlp: 'AMBER', sharedOrgIds: ['partner'], sharingGroupId: 'g1' },
    [
      [anon, false],
      [stranger, false],
      [ownerMember, true],
      [coord, true],
      [sharedWith, true],
      [grouped, true],
    ],
  ],
  [
    'AMBER+STRICT',
    { tlp: 'AMBER+STRICT', sharedOrgIds: ['partner'], sharingGroupId: 'g1' },
    [
      [anon, false],
      [stranger, false],
      [ownerMember, true],
      [coord, false],
      [sharedWith, true],
      [grouped, false],
    ],
  ],
  [
    'RED',
    { tlp: 'RED', namedMemberIds: ['named'], sharedOrgIds: ['partner'] },
    [
      [anon, false],
      [ownerMember, true],
      [member('owner', 'colleague'), false],
      [named, true],
      [sharedWith, false],
      [coord, false],
    ],
  ],
  [
    'CLEAR under embargo',
    { embargoUntil: '2026-07-01T00:00:00.000Z', embargoOrgIds: ['partner'] },
    [
      [anon, false],
      [stranger, false],
      [ownerMember, true],
      [coord, true],
      [sharedWith, true],
    ],
  ],
  [
    'CLEAR after the embargo ended',
    { embargoUntil: '2026-05-01T00:00:00.000Z' },
    [
      [anon, true],
      [stranger, true],
    ],
  ],
  [
    'AMBER under embargo: the embargo party must also be in the AMBER audience',
    { tlp: 'AMBER', embargoUntil: '2026-07-01T00:00:00.000Z', embargoOrgIds: ['stranger'] },
    [
      [stranger, false],
      [coord, true],
    ],
  ],
];

describe('canSee', () => {
  for (const [name, change, expectations] of cases) {
    it(name, () => {
      for (const [viewer, visible] of expectations) {
        const who = viewer.kind === 'anonymous' ? 'anonymous' : `${viewer.orgId}/${viewer.memberId}`;
        expect({ who, visible: canSee(viewer, { ...base, ...change }, NOW) }).toEqual({ who, visible });
      }
    });
  }
});
