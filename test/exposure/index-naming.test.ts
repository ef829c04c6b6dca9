/**
 * The exposure index's two answers for an advisory change, against its whole-asset answer:
 * - `desiredNaming(ids)` lists, by asset, exactly the findings of `desired(asset)` that name one of `ids`, for random
 *   advisories (package ranges and listed versions, models with and without revisions, shared aliases that merge
 *   groups, re-publications that drop an alias and split them, withdrawals) and random inventories;
 * - `positionsIn(asset, inventory)` gives for each finding key the position of the first component with that key, and
 *   nothing for an inventory the index does not hold for the asset.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  componentKey,
  type DesiredFinding,
  ExposureIndex,
  type IndexComponent,
} from '../../src/exposure/exposure-index.js';
import { advisoryDoc } from '../../src/formats/csaf/testing/samples.js';

const PACKAGES = ['left-pad', 'right-pad', 'json-tiny'];
const VERSIONS = ['0.9.0', '1.0.0', '1.2.0', '2.0.0'];
const MODELS = ['acme/vision-1', 'acme/chat-2'];
const REVISIONS = ['a1b2c3d4e5', 'f6e7d8c9b0'];

const affectedArb = fc.oneof(
  fc.record({
    package: fc.record({ ecosystem: fc.constant('npm'), name: fc.constantFrom(...PACKAGES) }),
    ranges: fc
      .tuple(fc.constantFrom('0', ...VERSIONS), fc.constantFrom(...VERSIONS, '9.9.9'))
      .map(([introduced, fixed]) => [{ type: 'SEMVER' as const, events: [{ introduced }, { fixed }] }]),
  }),
  fc.record({
    package: fc.record({ ecosystem: fc.constant('npm'), name: fc.constantFrom(...PACKAGES) }),
    versions: fc.subarray(VERSIONS, { minLength: 1 }),
  }),
  fc.record({
    package: fc.record({ ecosystem: fc.constant('Hugging Face'), name: fc.constantFrom(...MODELS) }),
    versions: fc.subarray(REVISIONS.map((r) => r.slice(0, 7))),
  }),
);

/** One step: publish (or re-publish) advisory `n` with these aliases and packages, or withdraw it. */
const stepArb = fc.record({
  n: fc.integer({ min: 1, max: 6 }),
  aliases: fc.subarray(['CVE-2099-0001', 'CVE-2099-0002']),
  affected: fc.array(affectedArb, { minLength: 1, maxLength: 2 }),
  withdrawn: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

const componentArb: fc.Arbitrary<IndexComponent> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...PACKAGES), fc.constantFrom(...VERSIONS))
    .map(([name, version]) => ({ name, version, purl: `pkg:npm/${name}@${version}`, kind: 'library' })),
  fc
    .tuple(fc.constantFrom(...MODELS), fc.constantFrom(...REVISIONS, null))
    .map(([name, version]) => ({ name, version, purl: null, kind: 'machine-learning-model' })),
);

const id = (n: number) => `CH-2026-${String(n).padStart(4, '0')}`;
const sorted = (ds: readonly DesiredFinding[]) =>
  ds.map((d) => `${d.componentKey} ${d.groupKey} ${d.advisoryIds.join(',')}`).sort();

describe('exposure index: the findings an advisory change reconciles', () => {
  it('desiredNaming(ids) = the findings of desired() that name one of ids, asset by asset', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(componentArb, { maxLength: 8 }), { minLength: 1, maxLength: 4 }),
        fc.subarray([1, 2, 3, 4, 5, 6], { minLength: 1 }),
        (steps, inventories, chosen) => {
          const index = new ExposureIndex();
          inventories.forEach((comps, i) => {
            index.setAsset(`asset-${i}`, `inv-${i}`, comps);
          });
          steps.forEach((s, i) => {
            index.upsertAdvisory(
              advisoryDoc({
                id: id(s.n),
                version: i + 1,
                aliases: s.aliases,
                affected: s.affected,
                withdrawn: s.withdrawn ? '2026-11-03T00:00:00.000Z' : null,
              }),
            );
          });
          const ids = new Set(chosen.map(id));
          const naming = index.desiredNaming(ids);
          for (let i = 0; i < inventories.length; i++) {
            const asset = `asset-${i}`;
            const expected = index.desired(asset).filter((d) => d.advisoryIds.some((a) => ids.has(a)));
            expect(sorted(naming.get(asset) ?? [])).toEqual(sorted(expected));
          }
          expect([...naming.keys()].every((a) => inventories[Number(a.slice(6))] !== undefined)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a merge by a shared alias moves the other record`s findings on other assets into the new group', () => {
    const index = new ExposureIndex();
    index.setAsset('holds-both', 'inv-1', [
      { name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0', kind: 'library' },
    ]);
    index.setAsset('holds-right', 'inv-2', [
      { name: 'right-pad', version: '1.0.0', purl: 'pkg:npm/right-pad@1.0.0', kind: 'library' },
    ]);
    const on = (n: number, name: string, aliases: string[]) =>
      advisoryDoc({ id: id(n), aliases, affected: [{ package: { ecosystem: 'npm', name }, versions: ['1.0.0'] }] });
    index.upsertAdvisory(on(2, 'right-pad', ['CVE-2099-0009']));
    index.upsertAdvisory(on(2, 'right-pad', ['CVE-2099-0009']));
    // Advisory 1 names only left-pad, but shares the alias: advisory 2's finding on holds-right changes group key.
    index.upsertAdvisory(on(1, 'left-pad', ['CVE-2099-0009']));
    const naming = index.desiredNaming([id(1), id(2)]);
    expect(naming.get('holds-right')).toEqual([
      { componentKey: 'npm\u001fright-pad\u001f1.0.0', groupKey: id(1), advisoryIds: [id(2)] },
    ]);
    expect(naming.get('holds-both')?.map((d) => d.groupKey)).toEqual([id(1)]);
  });

  it('positionsIn: the first component of each finding key, and only for the inventory the index holds', () => {
    const index = new ExposureIndex();
    const comps: IndexComponent[] = [
      { name: 'no purl', version: '1.0.0', purl: null, kind: 'library', idx: 0 },
      { name: 'left-pad', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0', kind: 'library', idx: 1 },
      { name: 'left-pad again', version: '1.0.0', purl: 'pkg:npm/left-pad@1.0.0', kind: 'library', idx: 2 },
      { name: 'Left-Pad', version: '1.2.0', purl: 'pkg:npm/left-pad', kind: 'library', idx: 3 },
      { name: 'acme/vision-1', version: 'A1B2C3D', purl: null, kind: 'machine-learning-model', idx: 4 },
      { name: 'no version', version: null, purl: 'pkg:npm/right-pad', kind: 'library', idx: 5 },
    ];
    index.setAsset('a', 'inv-1', comps);
    const at = index.positionsIn('a', 'inv-1');
    expect(at && Object.fromEntries(at)).toEqual({
      [componentKey(comps[1]!)!]: 1,
      [componentKey(comps[3]!)!]: 3,
      [componentKey(comps[4]!)!]: 4,
    });
    expect(index.positionsIn('a', 'inv-0')).toBeUndefined();
    // Without idx, the position in the list given.
    index.setAsset(
      'a',
      'inv-2',
      comps.slice(1, 3).map(({ idx: _idx, ...c }) => c),
    );
    expect(index.positionsIn('a', 'inv-1')).toBeUndefined();
    expect([...(index.positionsIn('a', 'inv-2')?.values() ?? [])]).toEqual([0]);
    index.removeAsset('a');
    expect(index.positionsIn('a', 'inv-2')).toBeUndefined();
  });
});
