/**
 * inventoriesForAdvisory over portfolios large enough for its word-level paths: components held through a bitset
 * (past the hot threshold) and through a list, 32-bit words held entirely, partly and not at all, inventories removed
 * and registered again, and a bound added by a later advisory to a package whose components are already sorted.
 */
import { describe, expect, it } from 'vitest';
import { MatchIndex } from './match-index.js';
import type { MatchAdvisory } from './types.js';

const advisory = (id: string, fixed: string): MatchAdvisory => ({
  id,
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
    },
  ],
});

describe.each([
  ['bitsets', 4],
  ['lists', 1_000_000],
])('inventoriesForAdvisory with holders in %s', (_, hotThreshold) => {
  it('lists exactly the holders, in registration order, across full, partial and empty words', () => {
    const idx = new MatchIndex({ hotThreshold });
    const expected: string[] = [];
    for (let i = 0; i < 130; i++) {
      // inventory 40 holds a fixed version, 100..127 (one whole word) hold another package
      const version = i === 40 ? '2.0.0' : '1.0.0';
      const name = i >= 100 && i < 128 ? 'right-pad' : 'left-pad';
      idx.upsertInventory(`inv${i}`, [{ ecosystem: 'npm', name, version }]);
      if (version === '1.0.0' && name === 'left-pad') expected.push(`inv${i}`);
    }
    idx.upsertAdvisory(advisory('A-1', '1.5.0'));
    expect(idx.inventoriesForAdvisory('A-1')).toEqual(expected);

    // removed inventories leave the answer; registered again they come last
    idx.removeInventory('inv3');
    idx.removeInventory('inv70');
    idx.upsertInventory('inv3', [{ ecosystem: 'npm', name: 'left-pad', version: '1.2.0' }]);
    const after = [...expected.filter((x) => x !== 'inv3' && x !== 'inv70'), 'inv3'];
    expect(idx.inventoriesForAdvisory('A-1')).toEqual(after);

    // a later advisory adds a bound between the versions already held: 1.0.0 affected, 1.2.0 not
    idx.upsertAdvisory(advisory('A-2', '1.1.0'));
    expect(idx.inventoriesForAdvisory('A-2')).toEqual(after.slice(0, -1));
    expect(idx.inventoriesForAdvisory('A-1')).toEqual(after);
    expect(idx.rematchAll().findings).toBe(after.length + after.length - 1);
  });
});
