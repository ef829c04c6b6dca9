/**
 * Per-package state of the MatchIndex and the operations on it. A package holds its advisories' `affected[]`
 * entries compiled to integer intervals over a VersionSpace, and its interned components, kept sorted by version
 * in each space with a start table, so that an interval maps to a contiguous block of components in O(1).
 *
 * Everything derived (intervals, sorted lists, start tables) is kept current at ingest: a new bound shifts the
 * intervals and the start table of its space in place (no comparisons but the new bound's), a new component shifts
 * the start table. No query builds anything on first touch.
 */
import { releaseApplies } from './ecosystem.js';
import type { VersionScheme } from './schemes/index.js';
import { VersionSpace } from './space.js';
import type { Finding, FindingComponent, NormalComponent } from './types.js';

export interface Adv {
  id: string;
  /** Packages the advisory names, and its entries in them. */
  pkgs: Pkg[];
  entries: Entry[];
  group: string;
  /** The group's number in MatchIndex.groupNos (valid with `group`). */
  groupNo: number;
  groupVersion: number;
}
/** One scheme of a package: its VersionSpace, the components whose version parses there (sorted), their start table. */
export interface Slot {
  space: VersionSpace;
  list: Comp[];
  /**
   * `table[pos]` is the index in `list` of the first component whose position is >= pos, for every position of the
   * space (0 .. 2·bounds + 2), so an interval [lo, hi) is the block list[table[lo] .. table[hi]).
   */
  table: Int32Array;
}
export interface Part {
  slot: Slot;
  /** Intervals [lo, hi) over the slot's positions (ranges, then listed versions), kept current as bounds are added. */
  iv: number[];
}
export interface Entry {
  adv: Adv;
  pkg: Pkg;
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
  /** How many of `matches` the running sweep has filled. */
  filled: number;
  /** Stamp of the last query that visited the component (de-duplicates hits without a Set). */
  visit: number;
  /** Findings of this component (shared by every inventory holding it), valid for `gen` and `groupsVersion`. */
  grouped: Finding[] | null;
  groupsVersion: number;
  fc: FindingComponent | null;
}
export interface Pkg {
  slots: Map<VersionScheme, Slot>;
  entries: Entry[];
  comps: Comp[];
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
    filled: 0,
    visit: 0,
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

/** The package's slot for a scheme, made (with its components sorted and its start table) on first use at ingest. */
export function slotOf(pkg: Pkg, scheme: VersionScheme): Slot {
  let slot = pkg.slots.get(scheme);
  if (!slot) {
    const space = new VersionSpace(scheme);
    const list = pkg.comps.filter((c) => parsedIn(c, scheme) !== null);
    list.sort((a, b) => scheme.compare(parsedIn(a, scheme), parsedIn(b, scheme)));
    // no bounds yet: every component is at position 0
    slot = { space, list, table: Int32Array.of(0, list.length, list.length) };
    pkg.slots.set(scheme, slot);
  }
  return slot;
}

/**
 * Add a bound to a slot's space. When it is new (number i), every compiled interval of the package in that space
 * (and of `building`, the parts of an entry not yet in the package) and the start table move up by 2 above
 * position 2i, and the components between bounds i-1 and i+1 are split by comparing them to the new bound (a binary
 * search inside that block). Returns i, or -1 when the space had the bound already.
 */
export function addBound(pkg: Pkg, slot: Slot, p: unknown, building: Part[]): number {
  const i = slot.space.add(p);
  if (i < 0) return -1;
  for (const e of pkg.entries)
    for (const part of e.parts) if (part.slot === slot) VersionSpace.shiftThresholds(part.iv, i);
  for (const part of building) if (part.slot === slot) VersionSpace.shiftThresholds(part.iv, i);
  const old = slot.table;
  const table = new Int32Array(old.length + 2);
  table.set(old.subarray(0, 2 * i + 1), 0);
  table.set(old.subarray(2 * i + 1), 2 * i + 3);
  const scheme = slot.space.scheme;
  const list = slot.list;
  // components at old position 2i (strictly between bounds i-1 and i) are list[old[2i] .. old[2i+1])
  const from = old[2 * i]!;
  const to = old[2 * i + 1]!;
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scheme.compare(parsedIn(list[mid]!, scheme), p) < 0) lo = mid + 1;
    else hi = mid;
  }
  table[2 * i + 1] = lo;
  hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scheme.compare(parsedIn(list[mid]!, scheme), p) <= 0) lo = mid + 1;
    else hi = mid;
  }
  table[2 * i + 2] = lo;
  slot.table = table;
  return i;
}

/** Add a new component to the sorted list of every slot whose scheme parses its version, shifting the start tables. */
export function addComp(pkg: Pkg, comp: Comp): void {
  for (const slot of pkg.slots.values()) {
    const scheme = slot.space.scheme;
    const p = parsedIn(comp, scheme);
    if (p === null) continue;
    const list = slot.list;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scheme.compare(parsedIn(list[mid]!, scheme), p) < 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, comp);
    const table = slot.table;
    for (let pos = position(comp, slot.space) + 1; pos < table.length; pos++) table[pos]!++;
  }
}

/** Whether a position lies in one of the intervals. */
export function covers(iv: readonly number[], pos: number): boolean {
  for (let i = 0; i < iv.length; i += 2) if (pos >= iv[i]! && pos < iv[i + 1]!) return true;
  return false;
}

/** Whether one entry covers one component (the single-component path: a new inventory's components). */
export function entryMatches(e: Entry, comp: Comp): boolean {
  if (!releaseApplies(e.release, comp.n.release)) return false;
  if (e.exact?.has(comp.n.version)) return true;
  for (const part of e.parts) {
    const pos = position(comp, part.slot.space);
    if (pos < 0) continue;
    if (covers(part.iv, pos)) return true;
  }
  return false;
}

/** Index in the slot's list of the first component at or above position t (t may be +Infinity). */
function at(slot: Slot, t: number): number {
  const table = slot.table;
  return t < table.length ? table[t]! : slot.list.length;
}

/**
 * Every component of the package that one entry covers, each once per `stamp` (a caller's fresh number): listed
 * versions by string, intervals as blocks of the sorted component lists. Cost: the hits, never the package's other
 * components.
 */
export function forEachHit(pkg: Pkg, e: Entry, stamp: number, hit: (comp: Comp) => void): void {
  if (e.unparsed) {
    for (const v of e.unparsed) {
      const same = pkg.byVersion.get(v);
      if (!same) continue;
      for (const comp of same) {
        if (comp.visit === stamp || !releaseApplies(e.release, comp.n.release)) continue;
        comp.visit = stamp;
        hit(comp);
      }
    }
  }
  for (const part of e.parts) {
    const slot = part.slot;
    const list = slot.list;
    const iv = part.iv;
    for (let i = 0; i < iv.length; i += 2) {
      const end = at(slot, iv[i + 1]!);
      for (let j = at(slot, iv[i]!); j < end; j++) {
        const comp = list[j]!;
        if (comp.visit === stamp || !releaseApplies(e.release, comp.n.release)) continue;
        comp.visit = stamp;
        hit(comp);
      }
    }
  }
}

/** OR the holders of one component into a bitset of `words` words over inventory numbers. */
function orHolders(comp: Comp, acc: Uint32Array, words: number): void {
  const b = comp.bits;
  if (b) {
    const n = Math.min(b.length, words);
    for (let w = 0; w < n; w++) acc[w]! |= b[w]!;
    return;
  }
  const invs = comp.invs;
  for (let k = 0; k < invs.length; k++) {
    const i = invs[k]!;
    acc[i >>> 5]! |= 1 << (i & 31);
  }
}

/**
 * The inventories holding a component one entry covers, ORed into `acc` (forEachHit without a callback: the path of
 * a new advisory, where every microsecond of the slowest advisories counts). A component reached twice is ORed twice
 * (harmless), so nothing is written to the components.
 */
export function orEntryHolders(e: Entry, acc: Uint32Array, words: number): void {
  const release = e.release;
  if (e.unparsed) {
    for (const v of e.unparsed) {
      const same = e.pkg.byVersion.get(v);
      if (!same) continue;
      for (const comp of same)
        if (release === null || releaseApplies(release, comp.n.release)) orHolders(comp, acc, words);
    }
  }
  for (const part of e.parts) {
    const slot = part.slot;
    const list = slot.list;
    const iv = part.iv;
    for (let i = 0; i < iv.length; i += 2) {
      const end = at(slot, iv[i + 1]!);
      for (let j = at(slot, iv[i]!); j < end; j++) {
        const comp = list[j]!;
        if (release === null || releaseApplies(release, comp.n.release)) orHolders(comp, acc, words);
      }
    }
  }
}

/** Append adv to the component's matches being filled by a sweep (entries of one advisory come one after another). */
function fill(comp: Comp, adv: Adv, release: string | null): void {
  const k = comp.filled;
  const m = comp.matches;
  if (k > 0 && m[k - 1] === adv) return;
  if (release !== null && !releaseApplies(release, comp.n.release)) return;
  m[k] = adv;
  comp.filled = k + 1;
}

/**
 * Recompute `matches` of every component of the package in one sweep over its entries (the batch re-match). The
 * arrays are refilled in place, so a re-match that finds what the previous one found allocates nothing.
 */
export function sweepPackage(pkg: Pkg): void {
  const comps = pkg.comps;
  for (let c = 0; c < comps.length; c++) comps[c]!.filled = 0;
  for (const e of pkg.entries) {
    const adv = e.adv;
    const release = e.release;
    if (e.unparsed) {
      for (const v of e.unparsed) {
        const same = pkg.byVersion.get(v);
        if (same) for (const comp of same) fill(comp, adv, release);
      }
    }
    for (const part of e.parts) {
      const slot = part.slot;
      const list = slot.list;
      const iv = part.iv;
      for (let i = 0; i < iv.length; i += 2) {
        const end = at(slot, iv[i + 1]!);
        for (let j = at(slot, iv[i]!); j < end; j++) fill(list[j]!, adv, release);
      }
    }
  }
  for (let c = 0; c < comps.length; c++) {
    const comp = comps[c]!;
    if (comp.matches.length !== comp.filled) comp.matches.length = comp.filled;
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
