/**
 * A version space: the distinct versions one package's advisories name (range events and listed versions), in one
 * scheme, kept sorted. A version v gets the integer position 2·(number of bounds below v) + (1 if v is a bound), so
 * every OSV condition becomes a threshold on positions and every range a list of integer intervals [lo, hi):
 *   v >= bound k  <=>  pos >= 2k+1        v > bound k  <=>  pos >= 2k+2        v < bound k  <=>  pos < 2k+1
 * Adding bound number i moves every threshold above 2i up by 2 (see shiftThresholds); `gen` counts changes.
 */
import type { VersionScheme } from './schemes/index.js';

export interface SpaceEvent {
  kind: number; // KIND_CODE: introduced 0, fixed 1, last_affected 2, limit 3
  min: boolean; // introduced "0"
  inf: boolean; // limit "*"
  p: unknown; // parsed version (null for min / inf)
}

export class VersionSpace {
  gen = 0;
  private bounds: unknown[] = [];

  constructor(readonly scheme: VersionScheme) {}

  get size(): number {
    return this.bounds.length;
  }

  /** Number of bounds strictly below p. */
  private lower(p: unknown): number {
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.scheme.compare(this.bounds[mid], p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Add a bound; its index when it is new, -1 when an equal bound was there already. */
  add(p: unknown): number {
    const i = this.lower(p);
    if (i < this.bounds.length && this.scheme.compare(this.bounds[i], p) === 0) return -1;
    this.bounds.splice(i, 0, p);
    this.gen++;
    return i;
  }

  position(p: unknown): number {
    const i = this.lower(p);
    const eq = i < this.bounds.length && this.scheme.compare(this.bounds[i], p) === 0;
    return 2 * i + (eq ? 1 : 0);
  }

  /**
   * Whether a parsed version lies at or above threshold t, by one comparison with the bound t names (t = 2k+1:
   * >= bound k; t = 2k+2: > bound k; t = 0: always), without a search.
   */
  atOrAbove(p: unknown, t: number): boolean {
    if (t <= 0) return true;
    if (t === Number.POSITIVE_INFINITY) return false;
    const c = this.scheme.compare(p, this.bounds[(t - 1) >> 1]);
    return (t & 1) === 1 ? c >= 0 : c > 0;
  }

  /** Whether a parsed version lies in one of the intervals (two comparisons each). */
  inIntervals(p: unknown, iv: readonly number[]): boolean {
    for (let i = 0; i < iv.length; i += 2) if (this.atOrAbove(p, iv[i]!) && !this.atOrAbove(p, iv[i + 1]!)) return true;
    return false;
  }

  /** Index of a version that was added. */
  indexOf(p: unknown): number {
    return this.lower(p);
  }

  /**
   * Intervals of one range: events are put in the OSV order (by version; ties keep the record's order) and the OSV loop is run
   * once per segment between consecutive distinct thresholds (few events, so this stays cheap); limits cut
   * everything at or above the largest limit.
   */
  compileRange(events: readonly SpaceEvent[], out: number[]): void {
    const steps: { t: number; k: number; kind: number; at: number }[] = [];
    let cap = Number.POSITIVE_INFINITY;
    let limited = false;
    for (const [at, e] of events.entries()) {
      if (e.kind === 3) {
        const t = e.inf ? Number.POSITIVE_INFINITY : 2 * this.indexOf(e.p) + 1;
        cap = limited ? Math.max(cap, t) : t;
        limited = true;
      } else if (e.min) steps.push({ t: 0, k: -1, kind: e.kind, at });
      else {
        const k = this.indexOf(e.p);
        steps.push({ t: e.kind === 2 ? 2 * k + 2 : 2 * k + 1, k, kind: e.kind, at });
      }
    }
    steps.sort((a, b) => a.k - b.k || a.at - b.at);
    const starts = [...new Set([0, ...steps.map((s) => s.t)])].sort((a, b) => a - b);
    for (let i = 0; i < starts.length; i++) {
      const pos = starts[i]!;
      let vulnerable = false;
      for (const s of steps) if (s.t <= pos) vulnerable = s.kind === 0;
      if (!vulnerable) continue;
      const lo = pos;
      const hi = Math.min(i + 1 < starts.length ? starts[i + 1]! : Number.POSITIVE_INFINITY, cap);
      if (hi <= lo) continue;
      if (out.length > 0 && out[out.length - 1] === lo) out[out.length - 1] = hi;
      else out.push(lo, hi);
    }
  }

  /** Thresholds (interval ends) compiled before bound number i was added, moved to the positions after it. */
  static shiftThresholds(iv: number[], i: number): void {
    const at = 2 * i;
    for (let k = 0; k < iv.length; k++) if (iv[k]! > at) iv[k]! += 2;
  }
}
