import { describe, expect, it } from 'vitest';
import { type Criticality, type PriorityInput, prioritise } from '../../src/exposure/priority.js';

const base: PriorityInput = {
  ssvc: null,
  kev: false,
  cvssSeverity: null,
  criticality: 'medium',
  internetFacing: false,
  firstSeen: '2026-11-26T10:00:00.000Z',
};

// Step 1 of the policy table (docs/exposure.md), on a medium-criticality internal asset (no context shift).
const threatRows: [string, Partial<PriorityInput>, string][] = [
  ['KEV', { kev: true }, 'P1'],
  ['KEV beats SSVC Track', { kev: true, ssvc: 'Track' }, 'P1'],
  ['SSVC Act', { ssvc: 'Act' }, 'P1'],
  ['SSVC Attend', { ssvc: 'Attend' }, 'P2'],
  ['SSVC Track*', { ssvc: 'Track*' }, 'P3'],
  ['SSVC Track', { ssvc: 'Track' }, 'P4'],
  ['SSVC beats CVSS', { ssvc: 'Track', cvssSeverity: 'CRITICAL' }, 'P4'],
  ['no SSVC, CVSS CRITICAL', { cvssSeverity: 'CRITICAL' }, 'P2'],
  ['no SSVC, CVSS critical (lower case)', { cvssSeverity: 'critical' }, 'P2'],
  ['no SSVC, CVSS HIGH', { cvssSeverity: 'HIGH' }, 'P3'],
  ['no SSVC, CVSS MEDIUM', { cvssSeverity: 'MEDIUM' }, 'P4'],
  ['no SSVC, CVSS LOW', { cvssSeverity: 'LOW' }, 'P4'],
  ['no SSVC, CVSS NONE', { cvssSeverity: 'NONE' }, 'P4'],
  ['no SSVC, no CVSS', {}, 'P3'],
  ['no SSVC, unknown severity word', { cvssSeverity: 'severe' }, 'P3'],
];

// Step 2: context shift per (criticality, internet facing): +1 raises one level, -1 lowers one level.
const contextRows: [Criticality, boolean, -1 | 0 | 1][] = [
  ['low', false, -1],
  ['low', true, 0],
  ['medium', false, 0],
  ['medium', true, 0],
  ['high', false, 0],
  ['high', true, 1],
  ['critical', false, 1],
  ['critical', true, 1],
];

const LEVELS = ['P1', 'P2', 'P3', 'P4'];
const DUE: Record<string, string> = {
  P1: '2026-12-10', // 14 days
  P2: '2026-12-26', // 30 days
  P3: '2027-02-24', // 90 days
  P4: '2027-05-25', // 180 days
};

describe('prioritise: the policy table row by row', () => {
  for (const [name, input, expected] of threatRows)
    it(`threat: ${name} -> ${expected}`, () => {
      const r = prioritise({ ...base, ...input });
      expect(r.priority).toBe(expected);
      expect(r.dueDate).toBe(DUE[expected]);
      expect(r.reasons.length).toBeGreaterThanOrEqual(2);
    });

  for (const [criticality, internetFacing, shift] of contextRows)
    it(`context: ${criticality}, internet facing ${internetFacing} -> shift ${shift}`, () => {
      // Attend (P2) moves both ways.
      const r = prioritise({ ...base, ssvc: 'Attend', criticality, internetFacing });
      expect(r.priority).toBe(LEVELS[1 - shift]);
      expect(r.dueDate).toBe(DUE[LEVELS[1 - shift]!]);
      if (shift !== 0) expect(r.reasons.join('\n')).toMatch(shift === 1 ? /raised to P1/ : /lowered to P3/);
    });

  it('never above P1, never below P4', () => {
    expect(prioritise({ ...base, ssvc: 'Act', criticality: 'critical', internetFacing: true }).priority).toBe('P1');
    expect(prioritise({ ...base, ssvc: 'Track', criticality: 'low' }).priority).toBe('P4');
  });

  it('KEV and SSVC Act are not lowered on a low-criticality internal asset', () => {
    const kev = prioritise({ ...base, kev: true, criticality: 'low' });
    expect(kev.priority).toBe('P1');
    expect(kev.reasons.join('\n')).toMatch(/not lowered/);
    expect(prioritise({ ...base, ssvc: 'Act', criticality: 'low' }).priority).toBe('P1');
    // Attend is lowered there.
    expect(prioritise({ ...base, ssvc: 'Attend', criticality: 'low' }).priority).toBe('P3');
  });

  it('the full grid is monotone: more threat or more exposure never lowers the priority', () => {
    const threats: Partial<PriorityInput>[] = [
      { ssvc: 'Track' },
      { ssvc: 'Track*' },
      { ssvc: 'Attend' },
      { ssvc: 'Act' },
      { kev: true },
    ];
    const contexts = contextRows.map(([criticality, internetFacing]) => ({ criticality, internetFacing }));
    const rank = (p: string) => LEVELS.indexOf(p);
    for (let i = 1; i < threats.length; i++)
      for (const c of contexts)
        expect(rank(prioritise({ ...base, ...threats[i], ...c }).priority)).toBeLessThanOrEqual(
          rank(prioritise({ ...base, ...threats[i - 1], ...c }).priority),
        );
  });

  it('due date counts calendar days from the UTC day first seen, across month and leap-year ends', () => {
    expect(prioritise({ ...base, kev: true, firstSeen: '2028-02-20T23:59:59.999Z' }).dueDate).toBe('2028-03-05');
    expect(prioritise({ ...base, kev: true, firstSeen: '2026-12-31T00:00:00.000Z' }).dueDate).toBe('2027-01-14');
    // An offset is taken as the instant it names: 01:00+02:00 is the previous UTC day.
    expect(prioritise({ ...base, kev: true, firstSeen: '2026-03-01T01:00:00+02:00' }).dueDate).toBe('2026-03-14');
    expect(prioritise({ ...base, kev: true, firstSeen: '2026-03-01' }).dueDate).toBe('2026-03-15');
  });

  it('reasons name the rule that decided and the due rule', () => {
    const r = prioritise({ ...base, ssvc: 'Attend', criticality: 'critical', internetFacing: true });
    expect(r.reasons).toEqual([
      'SSVC Attend: P2',
      'critical-criticality asset, internet facing: raised to P1',
      'P1: due 14 days after first seen (2026-11-26)',
    ]);
  });

  it('an unparsable firstSeen is refused', () => {
    expect(() => prioritise({ ...base, firstSeen: 'yesterday' })).toThrow(/firstSeen/);
  });
});
