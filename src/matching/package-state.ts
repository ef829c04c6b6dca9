/**
 * Per-package state of the MatchIndex and the operations on it. A package holds its advisories' `affected[]`
 * entries compiled to integer intervals over a VersionSpace, and its interned components, kept sorted by version
 * in each space so that an interval maps to a contiguous block of components (found by binary search).
 */
import { releaseApplies } from './ecosystem.js';
import type { VersionScheme } from './schemes/index.js';
import type { SpaceEvent, VersionSpace } from './space.js';
import type { Finding, FindingComponent, NormalComponent } from './types.js';

export interface Adv {
  id: string;
  pkgs: Pkg[];
  group: string;
  groupVersion: number;
}
export interface Part {
  space: VersionSpace;
  ranges: SpaceEvent[][];
  points: unknown[];
  gen: number;
  iv: number[];
}
export interface Entry {
  adv: Adv;
  release: string | null;
  exact: Set<string> | null;
  /** Listed versions the scheme cannot parse (the others are points in `parts`): the only ones looked up by string. */
  unparsed: string[] | null;
  parts: Part[];
}
export interface Comp {
  n: NormalComponent;
  pkg: Pkg;
  invs: number[];
  /** For components held by many inventories: the same set as a bitset over inventory numbers (fast unions). */
  bits: Uint32Array | null;
  parsed: Map<VersionScheme, unknown>;
  posSpace: VersionSpace | null;
  posGen: number;
  pos: number;
  gen: number;
  matches: Adv[];
  /** Findings of this component (shared by every inventory holding it), valid for `gen` and `groupsVersion`. */
  grouped: Finding[] | null;
  groupsVersion: number;
  fc: FindingComponent | null;
}
export interface Pkg {
  spaces: Map<VersionScheme, VersionSpace>;
  entries: Entry[];
  comps: Comp[];
  /** Components sorted by version per space (those whose version parses in it). */
  sorted: Map<VersionSpace, Comp[]>;
  /** Per space, the start table of its sorted list (see startTable); rebuilt when the space or the list changes. */
  starts?: Map<VersionSpace, StartTable>;
  byVersion: Map<string, Comp[]>;
  gen: number;
}

export function newComp(n: NormalComponent, pkg: Pkg): Comp {
  return {
    n,
    pkg,
    invs: [],
    bits: null,
    parsed: new Map(),
    posSpace: null,
    posGen: -1,
    pos: -1,
    gen: -1,
    matches: [],
    grouped: null,
    groupsVersion: -1,
    fc: null,
  };
}

export function parsedIn(comp: Comp, scheme: VersionScheme): unknown {
  let p = comp.parsed.get(scheme);
  if (p === undefined) {
    p = scheme.parse(comp.n.version);
    comp.parsed.set(scheme, p);
  }
  return p;
}

/** The component's position in the space, or -1 when its version does not parse there. */
export function position(comp: Comp, space: VersionSpace): number {
  if (comp.posSpace === space && comp.posGen === space.gen) return comp.pos;
  const p = parsedIn(comp, space.scheme);
  const pos = p === null ? -1 : space.position(p);
  comp.posSpace = space;
  comp.posGen = space.gen;
  comp.pos = pos;
  return pos;
}

/** Add a component to the sorted list of one space (if its version parses there). */
export function insertSorted(pkg: Pkg, space: VersionSpace, comp: Comp): void {
  const p = parsedIn(comp, space.scheme);
  if (p === null) return;
  let list = pkg.sorted.get(space);
  if (!list) {
    list = [];
    pkg.sorted.set(space, list);
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (space.scheme.compare(parsedIn(list[mid]!, space.scheme), p) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, comp);
}

export function compiled(part: Part): number[] {
  if (part.gen !== part.space.gen) {
    part.iv = [];
    for (const r of part.ranges) part.space.compileRange(r, part.iv);
    for (const p of part.points) part.space.compilePoint(p, part.iv);
    part.gen = part.space.gen;
  }
  return part.iv;
}

/** Whether one entry covers one component (the single-component path: a new inventory's components). */
export function entryMatches(e: Entry, comp: Comp): boolean {
  if (!releaseApplies(e.release, comp.n.release)) return false;
  if (e.exact?.has(comp.n.version)) return true;
  for (const part of e.parts) {
    const pos = position(comp, part.space);
    if (pos < 0) continue;
    const iv = compiled(part);
    for (let i = 0; i < iv.length; i += 2) if (pos >= iv[i]! && pos < iv[i + 1]!) return true;
  }
  return false;
}

/**
 * For one sorted component list: `table[pos]` is the first index whose position is >= pos, for every position of the
 * space (0 .. 2·bounds + 1), so an interval [lo, hi) maps to its block of components in O(1) instead of two binary
 * searches. Valid while the space's generation and the list's length are those it was built for (components are
 * only ever added to a package).
 */
export interface StartTable {
  gen: number;
  length: number;
  table: Int32Array;
}

export function startTable(pkg: Pkg, space: VersionSpace, list: Comp[]): Int32Array {
  pkg.starts ??= new Map();
  const kept = pkg.starts.get(space);
  if (kept && kept.gen === space.gen && kept.length === list.length) return kept.table;
  const size = 2 * space.size + 2;
  const table = new Int32Array(size + 1);
  let j = 0;
  for (let pos = 0; pos <= size; pos++) {
    while (j < list.length && position(list[j]!, space) < pos) j++;
    table[pos] = j;
  }
  pkg.starts.set(space, { gen: space.gen, length: list.length, table });
  return table;
}

/** The block [start, end) of a sorted list covered by the interval [lo, hi) (hi may be +Infinity). */
function block(table: Int32Array, length: number, lo: number, hi: number): [number, number] {
  const last = table.length - 1;
  const start = lo > last ? length : table[lo]!;
  const end = hi === Number.POSITIVE_INFINITY || hi > last ? length : table[hi]!;
  return [start, end];
}

/**
 * Every component of the package that one entry covers (a component may be reported more than once): listed
 * versions by string, intervals as blocks of the sorted component lists. Cost: the intervals' binary searches and
 * the hits, never the package's other components.
 */
export function forEachHit(pkg: Pkg, e: Entry, hit: (comp: Comp) => void): void {
  if (e.unparsed) {
    for (const v of e.unparsed) {
      for (const comp of pkg.byVersion.get(v) ?? []) if (releaseApplies(e.release, comp.n.release)) hit(comp);
    }
  }
  for (const part of e.parts) {
    const list = pkg.sorted.get(part.space);
    if (!list || list.length === 0) continue;
    const iv = compiled(part);
    const table = startTable(pkg, part.space, list);
    for (let i = 0; i < iv.length; i += 2) {
      const [start, end] = block(table, list.length, iv[i]!, iv[i + 1]!);
      for (let j = start; j < end; j++) {
        const comp = list[j]!;
        if (releaseApplies(e.release, comp.n.release)) hit(comp);
      }
    }
  }
}

/** Recompute `matches` of every component of the package in one sweep over its entries (the batch re-match). */
export function sweepPackage(pkg: Pkg): void {
  for (const comp of pkg.comps) comp.matches.length = 0;
  for (const e of pkg.entries) {
    const adv = e.adv;
    if (e.unparsed) {
      for (const v of e.unparsed) {
        const same = pkg.byVersion.get(v);
        if (!same) continue;
        for (const comp of same) {
          const m = comp.matches;
          if (m[m.length - 1] !== adv && releaseApplies(e.release, comp.n.release)) m.push(adv);
        }
      }
    }
    for (const part of e.parts) {
      const list = pkg.sorted.get(part.space);
      if (!list || list.length === 0) continue;
      const iv = compiled(part);
      const table = startTable(pkg, part.space, list);
      for (let i = 0; i < iv.length; i += 2) {
        const [start, end] = block(table, list.length, iv[i]!, iv[i + 1]!);
        for (let j = start; j < end; j++) {
          const comp = list[j]!;
          const m = comp.matches;
          if (m[m.length - 1] !== adv && releaseApplies(e.release, comp.n.release)) m.push(adv);
        }
      }
    }
  }
  for (const comp of pkg.comps) {
    comp.gen = pkg.gen;
    comp.grouped = null;
  }
}

/** Record that inventory number i holds the component; past `hot` holders the component keeps a bitset too. */
export function addHolder(comp: Comp, i: number, hot: number): void {
  comp.invs.push(i);
  if (comp.bits) setBit(comp, i);
  else if (comp.invs.length >= hot) for (const j of comp.invs) setBit(comp, j);
}

export function removeHolder(comp: Comp, i: number): void {
  const at = comp.invs.indexOf(i);
  if (at < 0) return;
  comp.invs[at] = comp.invs[comp.invs.length - 1]!;
  comp.invs.pop();
  if (comp.bits && i >>> 5 < comp.bits.length) comp.bits[i >>> 5]! &= ~(1 << (i & 31));
}

function setBit(comp: Comp, i: number): void {
  const w = i >>> 5;
  if (!comp.bits || w >= comp.bits.length) {
    const grown = new Uint32Array(Math.max(w + 1, (comp.bits?.length ?? 0) * 2, 4));
    if (comp.bits) grown.set(comp.bits);
    comp.bits = grown;
  }
  comp.bits[w]! |= 1 << (i & 31);
}
