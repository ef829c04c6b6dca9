import { describe, expect, it } from 'vitest';
import type { Marking } from '../../access/marking.js';
import { gainedOrganisations, markingKey, type OrgView, stampAfter } from './visibility.js';

const NOW = '2026-11-26T12:00:00.000Z';
const orgs: OrgView[] = [
  { id: 'coord', kind: 'coordinator', groupIds: [] },
  { id: 'owner', kind: 'ai_developer', groupIds: ['g1'] },
  { id: 'grouped', kind: 'vendor', groupIds: ['g1'] },
  { id: 'partner', kind: 'federal_agency', groupIds: [] },
  { id: 'stranger', kind: 'vendor', groupIds: [] },
];
const amber: Marking = {
  ownerOrgId: 'owner',
  authorMemberId: 'm-owner',
  tlp: 'AMBER',
  sharingGroupId: null,
  embargoUntil: null,
  sharedOrgIds: [],
  namedMemberIds: [],
  embargoOrgIds: [],
};
const gained = (before: Marking, after: Marking, members = new Map<string, string>()) =>
  [...gainedOrganisations(orgs, members, before, after, NOW)].sort();

describe('TAXII: organisations a marking change widened an advisory to', () => {
  it('a share or a sharing group adds exactly the organisations that could not see it', () => {
    expect(gained(amber, { ...amber, sharedOrgIds: ['partner'] })).toEqual(['partner']);
    expect(gained(amber, { ...amber, sharingGroupId: 'g1' })).toEqual(['grouped']);
    expect(gained({ ...amber, sharedOrgIds: ['partner'] }, { ...amber, sharedOrgIds: ['partner'] })).toEqual([]);
  });

  it('a wider TLP adds everyone newly in the audience; a narrower one adds nobody', () => {
    expect(gained(amber, { ...amber, tlp: 'GREEN' })).toEqual(['grouped', 'partner', 'stranger']);
    expect(gained({ ...amber, tlp: 'GREEN' }, amber)).toEqual([]);
    expect(gained({ ...amber, tlp: 'GREEN' }, { ...amber, tlp: 'CLEAR' })).toEqual([]);
  });

  it('an active embargo keeps non-parties out; a new embargo party gains', () => {
    const embargoed = { ...amber, tlp: 'GREEN' as const, embargoUntil: '2026-12-01T00:00:00.000Z' };
    expect(gained(amber, embargoed)).toEqual([]);
    expect(gained(embargoed, { ...embargoed, embargoOrgIds: ['stranger'] })).toEqual(['stranger']);
    // An embargo that has already ended by now no longer hides anything: nothing is gained by lifting it.
    const ended = { ...embargoed, embargoUntil: '2026-11-01T00:00:00.000Z' };
    expect(gained(ended, { ...ended, embargoUntil: null })).toEqual([]);
  });

  it('TLP:RED: the organisation of a newly named member gains, and no other', () => {
    const red: Marking = { ...amber, tlp: 'RED' };
    const members = new Map([
      ['m-owner', 'owner'],
      ['m-partner', 'partner'],
    ]);
    expect(gained(red, { ...red, namedMemberIds: ['m-partner'] }, members)).toEqual(['partner']);
    expect(gained(red, { ...red, sharedOrgIds: ['partner'] }, members)).toEqual([]);
  });
});

describe('TAXII: grant instants and marking keys', () => {
  it('a grant is dated now, or just after the last date handed out when that is not before now', () => {
    expect(stampAfter(null, NOW)).toBe(NOW);
    expect(stampAfter('2026-11-26T11:00:00.000Z', NOW)).toBe(NOW);
    expect(stampAfter(NOW, NOW)).toBe('2026-11-26T12:00:00.001Z');
    expect(stampAfter('2026-11-26T13:00:00.000Z', NOW)).toBe('2026-11-26T13:00:00.001Z');
  });

  it('markings that differ only in list order have one key', () => {
    expect(markingKey({ ...amber, sharedOrgIds: ['a', 'b'] })).toBe(markingKey({ ...amber, sharedOrgIds: ['b', 'a'] }));
    expect(markingKey({ ...amber, sharedOrgIds: ['a'] })).not.toBe(markingKey(amber));
  });
});
