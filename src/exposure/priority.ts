/**
 * Remediation priority and due date of one finding, from the advisory's threat (CISA KEV, SSVC decision, CVSS
 * severity) and the asset's context (criticality, internet exposure). Pure: the same input always gives the same
 * output. The policy table, with its sources, is in docs/exposure.md ("Priority and due dates"); the constants below
 * are that table and the tests check it row by row.
 */

export type SsvcLevel = 'Track' | 'Track*' | 'Attend' | 'Act';
export type Criticality = 'low' | 'medium' | 'high' | 'critical';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
export const CRITICALITIES: readonly Criticality[] = ['low', 'medium', 'high', 'critical'];

export interface PriorityInput {
  ssvc: SsvcLevel | null;
  kev: boolean;
  /** CVSS qualitative severity (NONE, LOW, MEDIUM, HIGH, CRITICAL; any case), or null when unscored. */
  cvssSeverity: string | null;
  criticality: Criticality;
  internetFacing: boolean;
  /** When the finding was first seen (ISO-8601); the due date counts from this day (UTC). */
  firstSeen: string;
}

export interface PriorityResult {
  priority: Priority;
  /** YYYY-MM-DD (UTC). */
  dueDate: string;
  /** Each step of the policy that applied, in order, for people to read. */
  reasons: string[];
}

/** Step 1: the threat level from the advisory. KEV wins; then SSVC; without SSVC, the CVSS severity. */
export const SSVC_BASE: Record<SsvcLevel, Priority> = { Act: 'P1', Attend: 'P2', 'Track*': 'P3', Track: 'P4' };
export const CVSS_BASE: Record<'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NONE' | 'UNKNOWN', Priority> = {
  CRITICAL: 'P2',
  HIGH: 'P3',
  MEDIUM: 'P4',
  LOW: 'P4',
  NONE: 'P4',
  // Unscored is not the same as harmless: it sits one level above MEDIUM until the advisory is scored.
  UNKNOWN: 'P3',
};

/**
 * Step 2: the asset's context, as points: criticality (low -1, medium 0, high 1, critical 2) plus 1 when internet
 * facing. Two points or more raise the priority one level; -1 lowers it one level; in between it stays.
 */
export const CRITICALITY_POINTS: Record<Criticality, number> = { low: -1, medium: 0, high: 1, critical: 2 };

/** Step 3: days from first seen to the due date, per priority. */
export const DUE_DAYS: Record<Priority, number> = { P1: 14, P2: 30, P3: 90, P4: 180 };

const DAY_MS = 86_400_000;

function contextShift(criticality: Criticality, internetFacing: boolean): -1 | 0 | 1 {
  const points = CRITICALITY_POINTS[criticality] + (internetFacing ? 1 : 0);
  if (points >= 2) return 1;
  if (points <= -1) return -1;
  return 0;
}

function severityKey(s: string | null): keyof typeof CVSS_BASE {
  const k = (s ?? '').trim().toUpperCase();
  return k === 'CRITICAL' || k === 'HIGH' || k === 'MEDIUM' || k === 'LOW' || k === 'NONE' ? k : 'UNKNOWN';
}

/** The UTC calendar day of an ISO-8601 instant (or date), or null when it does not parse. */
function utcDay(iso: string): number | null {
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(t)) return null;
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Priority and due date of a finding by the documented policy (docs/exposure.md). Throws on an unparsable firstSeen. */
export function prioritise(input: PriorityInput): PriorityResult {
  const reasons: string[] = [];
  let base: Priority;
  // KEV and SSVC Act are the evidence of exploitation the policy never lowers (BOD 22-01; CISA's "act as soon as
  // possible").
  let floorP1 = false;
  if (input.kev) {
    base = 'P1';
    floorP1 = true;
    reasons.push('known exploited (CISA KEV, BOD 22-01): P1');
    if (input.ssvc) reasons.push(`SSVC ${input.ssvc} (KEV takes precedence)`);
  } else if (input.ssvc) {
    base = SSVC_BASE[input.ssvc];
    floorP1 = input.ssvc === 'Act';
    reasons.push(`SSVC ${input.ssvc}: ${base}`);
  } else {
    const sev = severityKey(input.cvssSeverity);
    base = CVSS_BASE[sev];
    reasons.push(
      sev === 'UNKNOWN' ? `no SSVC decision, no CVSS severity: ${base}` : `no SSVC decision, CVSS ${sev}: ${base}`,
    );
  }

  const shift = contextShift(input.criticality, input.internetFacing);
  const where = `${input.criticality}-criticality asset${input.internetFacing ? ', internet facing' : ', not internet facing'}`;
  let index = PRIORITIES.indexOf(base);
  if (shift === 1 && index > 0) {
    index -= 1;
    reasons.push(`${where}: raised to ${PRIORITIES[index]}`);
  } else if (shift === -1 && !floorP1 && index < PRIORITIES.length - 1) {
    index += 1;
    reasons.push(`${where}: lowered to ${PRIORITIES[index]}`);
  } else if (shift === -1 && floorP1) {
    reasons.push(`${where}: not lowered (exploitation evidence)`);
  }
  const priority = PRIORITIES[index] as Priority;

  const day = utcDay(input.firstSeen);
  if (day === null) throw new RangeError(`firstSeen is not an ISO-8601 date: ${JSON.stringify(input.firstSeen)}`);
  const days = DUE_DAYS[priority];
  const dueDate = new Date(day + days * DAY_MS).toISOString().slice(0, 10);
  reasons.push(`${priority}: due ${days} days after first seen (${new Date(day).toISOString().slice(0, 10)})`);
  return { priority, dueDate, reasons };
}
