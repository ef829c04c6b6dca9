/**
 * The matching index. Per package (ecosystem + name) a VersionSpace per scheme ranks the versions the advisories
 * name, and each `affected[]` entry is compiled into integer intervals over those ranks. Components are interned
 * (one record per distinct ecosystem/name/version, with its parsed version and rank cached) and carry the list of
 * inventories that hold them, so:
 * - a new or changed advisory finds its inventories through its packages' components, never the whole portfolio;
 * - a new inventory finds its advisories through its components' packages, never the whole advisory set.
 * Semantics are exactly osv-eval.ts (B0); the property and corpus tests hold the two equal.
 */
import type { OsvAffected } from '../vulnerabilities/advisory.model.js';
import { AliasGroups } from './aliases.js';
import { normalizeEcosystem, normalizeName } from './ecosystem.js';
import { isInfiniteLimit, isZeroIntroduced, KIND_CODE, rangeEvents, rangeScheme } from './osv-eval.js';
import {
  type Adv,
  addBound,
  addComp,
  addHolder,
  type Comp,
  type Entry,
  entryMatches,
  forEachHit,
  newComp,
  orEntryHolders,
  type Part,
  type Pkg,
  removeHolder,
  type Slot,
  slotOf,
  sweepPackage,
} from './package-state.js';
import { schemeFor } from './schemes/index.js';
import type { SpaceEvent } from './space.js';
import {
  type ComponentInput,
  type Finding,
  findingComponent,
  isWithdrawn,
  type MatchAdvisory,
  type NormalComponent,
  normalizeComponent,
} from './types.js';

interface Inventory {
  id: string;
  comps: Comp[];
}

export interface UpsertInventoryResult {
  accepted: number;
  rejected: { index: number; reason: string }[];
}

export class MatchIndex {
  private advisories = new Map<string, Adv>();
  private packages = new Map<string, Pkg>();
  private comps = new Map<string, Comp>();
  private inventories: (Inventory | undefined)[] = [];
  /** Inventory ids by number, beside `inventories`, so that listing thousands of hits copies ids from one array. */
  private inventoryIds: string[] = [];
  private inventoryIndex = new Map<string, number>();
  private groups = new AliasGroups();
  private tick = 0;
  /** Stamp of the running query (see Comp.visit). */
  private visit = 0;
  /** A number per group id ever seen (never reused), and per number the last `visit` that counted it. */
  private groupNos = new Map<string, number>();
  private groupStamp = new Int32Array(0);
  /** Scratch bitset over inventory numbers for inventoriesForAdvisory, reused across calls. */
  private acc = new Uint32Array(0);
  private readonly hot: number;

  /** `hotThreshold`: a component held by at least this many inventories also keeps a bitset of them. */
  constructor(options: { hotThreshold?: number } = {}) {
    this.hot = options.hotThreshold ?? 64;
  }

  // ---- advisories ----

  upsertAdvisory(a: MatchAdvisory): void {
    this.removeAdvisory(a.id);
    if (isWithdrawn(a)) return;
    const adv: Adv = { id: a.id, pkgs: [], entries: [], group: a.id, groupNo: 0, groupVersion: -1 };
    this.advisories.set(a.id, adv);
    this.groups.set(a.id, a.aliases ?? []);
    for (const af of a.affected ?? []) {
      if (!af.package) continue;
      const e = normalizeEcosystem(af.package.ecosystem);
      const pkg = this.pkg(e.base, normalizeName(e.base, af.package.name));
      const entry = this.entry(adv, pkg, e.base, e.release, af);
      pkg.entries.push(entry);
      adv.entries.push(entry);
      pkg.gen = ++this.tick;
      if (!adv.pkgs.includes(pkg)) adv.pkgs.push(pkg);
    }
  }

  removeAdvisory(id: string): void {
    const adv = this.advisories.get(id);
    if (!adv) return;
    for (const pkg of adv.pkgs) {
      pkg.entries = pkg.entries.filter((e) => e.adv !== adv);
      pkg.gen = ++this.tick;
    }
    adv.entries.length = 0;
    this.advisories.delete(id);
    this.groups.delete(id);
  }

  /** Inventory ids holding a component the advisory affects, in registration order. Empty when unknown/withdrawn. */
  inventoriesForAdvisory(id: string): string[] {
    const adv = this.advisories.get(id);
    if (!adv) return [];
    const words = (this.inventories.length >>> 5) + 1;
    if (this.acc.length < words) this.acc = new Uint32Array(words * 2);
    const acc = this.acc;
    acc.fill(0, 0, words);
    for (const e of adv.entries) orEntryHolders(e, acc, words);
    let count = 0;
    for (let w = 0; w < words; w++) {
      // population count of a 32-bit word (SWAR)
      let x = acc[w]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      count += (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
    }
    const ids = this.inventoryIds;
    const out = new Array<string>(count);
    let k = 0;
    for (let w = 0; w < words; w++) {
      let word = acc[w]!;
      const base = w << 5;
      if (word === 0xffffffff) {
        // all 32 held (common in the answers of packages nearly every inventory holds)
        for (let b = 0; b < 32; b++) out[k++] = ids[base + b]!;
        continue;
      }
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        out[k++] = ids[base + bit]!;
        word &= word - 1;
      }
    }
    return out;
  }

  /** The findings (whole alias group per component) that an advisory takes part in. */
  findingsForAdvisory(id: string): Finding[] {
    const group = this.groups.groupOf(id);
    const out: Finding[] = [];
    this.forAdvisoryHits(id, (comp) => {
      const ids = this.matchesOf(comp)
        .map((a) => a.id)
        .filter((x) => this.groups.groupOf(x) === group);
      const component = findingComponent(comp.n);
      for (const i of comp.invs)
        out.push({ inventoryId: this.inventories[i]!.id, component, groupId: group, advisoryIds: ids.sort() });
    });
    return out;
  }

  private forAdvisoryHits(id: string, hit: (comp: Comp) => void): void {
    const adv = this.advisories.get(id);
    if (!adv) return;
    const stamp = ++this.visit;
    for (const e of adv.entries) {
      forEachHit(e.pkg, e, stamp, (comp) => {
        if (comp.invs.length > 0) hit(comp);
      });
    }
  }

  // ---- inventories ----

  upsertInventory(id: string, components: readonly ComponentInput[]): UpsertInventoryResult {
    const rejected: UpsertInventoryResult['rejected'] = [];
    const list: Comp[] = [];
    const seen = new Set<string>();
    components.forEach((c, index) => {
      const n = normalizeComponent(c);
      if (!n.ok) {
        rejected.push({ index, reason: n.reason });
        return;
      }
      if (seen.has(n.value.key)) return;
      seen.add(n.value.key);
      list.push(this.intern(n.value));
    });
    this.removeInventory(id);
    const idx = this.inventories.length;
    this.inventories.push({ id, comps: list });
    this.inventoryIds.push(id);
    this.inventoryIndex.set(id, idx);
    for (const comp of list) addHolder(comp, idx, this.hot);
    return { accepted: list.length, rejected };
  }

  removeInventory(id: string): void {
    const idx = this.inventoryIndex.get(id);
    if (idx === undefined) return;
    for (const comp of this.inventories[idx]!.comps) removeHolder(comp, idx);
    this.inventories[idx] = undefined;
    this.inventoryIndex.delete(id);
  }

  findingsForInventory(id: string): Finding[] {
    const idx = this.inventoryIndex.get(id);
    return idx === undefined ? [] : this.findingsOf(this.inventories[idx]!);
  }

  /** Every finding of every inventory. */
  matchAll(): Finding[] {
    const out: Finding[] = [];
    for (const inv of this.inventories) if (inv) for (const f of this.findingsOf(inv)) out.push(f);
    return out;
  }

  stats(): { advisories: number; packages: number; components: number; inventories: number; references: number } {
    let references = 0;
    for (const inv of this.inventories) if (inv) references += inv.comps.length;
    return {
      advisories: this.advisories.size,
      packages: this.packages.size,
      components: this.comps.size,
      inventories: this.inventoryIndex.size,
      references,
    };
  }

  /**
   * Re-evaluate every distinct component against its package's advisories (dropping all cached results first) and
   * count the findings across the portfolio without materialising them; findingsForInventory then reads the
   * results. This is the full re-match the benchmark times.
   */
  rematchAll(): { findings: number; affectedComponents: number } {
    for (const pkg of this.packages.values()) sweepPackage(pkg);
    // count (component, group) pairs without building Finding objects; findingsForInventory builds them on demand
    let findings = 0;
    let affectedComponents = 0;
    for (const pkg of this.packages.values()) {
      for (const comp of pkg.comps) {
        const advs = comp.matches;
        if (comp.invs.length === 0 || advs.length === 0) continue;
        affectedComponents++;
        findings += this.groupCount(advs) * comp.invs.length;
      }
    }
    return { findings, affectedComponents };
  }

  /** Number of distinct alias groups among a component's matches: group numbers stamped in one array, no Set. */
  private groupCount(advs: Adv[]): number {
    if (advs.length === 1) return 1;
    const stamp = ++this.visit;
    let groups = 0;
    for (let i = 0; i < advs.length; i++) {
      const a = advs[i]!;
      if (a.groupVersion !== this.groups.version) this.groupOfAdv(a);
      const g = a.groupNo;
      if (this.groupStamp[g] !== stamp) {
        this.groupStamp[g] = stamp;
        groups++;
      }
    }
    return groups;
  }

  private findingsOf(inv: Inventory): Finding[] {
    const out: Finding[] = [];
    for (const comp of inv.comps) {
      for (const g of this.groupedOf(comp)) {
        out.push({ inventoryId: inv.id, component: g.component, groupId: g.groupId, advisoryIds: g.advisoryIds });
      }
    }
    return out;
  }

  /** The component's findings (inventoryId left empty), cached until its package or the alias groups change. */
  private groupedOf(comp: Comp): Finding[] {
    const advs = this.matchesOf(comp);
    if (comp.grouped && comp.groupsVersion === this.groups.version) return comp.grouped;
    comp.groupsVersion = this.groups.version;
    if (advs.length === 0) {
      comp.grouped = [];
      return comp.grouped;
    }
    comp.fc ??= findingComponent(comp.n);
    if (advs.length === 1) {
      const a = advs[0]!;
      comp.grouped = [{ inventoryId: '', component: comp.fc, groupId: this.groupOfAdv(a), advisoryIds: [a.id] }];
      return comp.grouped;
    }
    const byGroup = new Map<string, string[]>();
    for (const a of advs) {
      const g = this.groupOfAdv(a);
      const list = byGroup.get(g);
      if (list) list.push(a.id);
      else byGroup.set(g, [a.id]);
    }
    const fc = comp.fc;
    comp.grouped = [...byGroup.keys()]
      .sort()
      .map((groupId) => ({ inventoryId: '', component: fc, groupId, advisoryIds: byGroup.get(groupId)!.sort() }));
    return comp.grouped;
  }

  private groupOfAdv(a: Adv): string {
    if (a.groupVersion !== this.groups.version) {
      a.group = this.groups.groupOf(a.id);
      a.groupVersion = this.groups.version;
      let no = this.groupNos.get(a.group);
      if (no === undefined) {
        no = this.groupNos.size;
        this.groupNos.set(a.group, no);
        if (no >= this.groupStamp.length) {
          const grown = new Int32Array(Math.max(1024, 2 * no));
          grown.set(this.groupStamp);
          this.groupStamp = grown;
        }
      }
      a.groupNo = no;
    }
    return a.group;
  }

  // ---- internals ----

  private pkg(base: string, name: string): Pkg {
    const key = `${base}\0${name}`;
    let p = this.packages.get(key);
    if (!p) {
      p = { slots: new Map(), entries: [], comps: [], byVersion: new Map(), gen: ++this.tick };
      this.packages.set(key, p);
    }
    return p;
  }

  private part(parts: Part[], slot: Slot): Part {
    let p = parts.find((x) => x.slot === slot);
    if (!p) {
      p = { slot, iv: [] };
      parts.push(p);
    }
    return p;
  }

  /**
   * Compile one `affected[]` entry: its ranges' events become bounds and intervals; then each listed version that
   * parses is first compared with the ends of the entry's intervals: inside one already (the common case: listed
   * versions mostly lie in the entry's own ranges) it adds nothing; else it is looked up in its space: equal to a
   * bound it adds that bound's point, otherwise it becomes a bound.
   */
  private entry(adv: Adv, pkg: Pkg, base: string, release: string | null, af: OsvAffected): Entry {
    const parts: Part[] = [];
    const ranges: SpaceEvent[][][] = [];
    for (const range of af.ranges ?? []) {
      const scheme = rangeScheme(range, base);
      if (!scheme) continue;
      const events: SpaceEvent[] = [];
      let ok = true;
      for (const e of rangeEvents(range)) {
        const min = isZeroIntroduced(e);
        const inf = isInfiniteLimit(e);
        const p = min || inf ? null : scheme.parse(e.value);
        if (!min && !inf && p === null) {
          ok = false;
          break;
        }
        events.push({ kind: KIND_CODE[e.kind], min, inf, p });
      }
      if (!ok) continue;
      const slot = slotOf(pkg, scheme);
      for (const e of events) if (e.p !== null) addBound(pkg, slot, e.p, parts);
      const k = parts.indexOf(this.part(parts, slot));
      ranges[k] ??= [];
      ranges[k].push(events);
    }
    // compiled once all of the ranges' bounds are in; later bounds shift the intervals in place (addBound)
    parts.forEach((part, k) => {
      for (const events of ranges[k] ?? []) part.slot.space.compileRange(events, part.iv);
    });
    const unparsed: string[] = [];
    const eco = schemeFor(base);
    let part: Part | null = null;
    for (const v of af.versions ?? []) {
      const p = eco ? eco.parse(v) : null;
      if (p === null) {
        unparsed.push(v);
        continue;
      }
      part ??= this.part(parts, slotOf(pkg, eco!));
      const slot = part.slot;
      if (slot.space.inIntervals(p, part.iv)) continue;
      let pos = slot.space.position(p);
      if ((pos & 1) === 0) pos = 2 * addBound(pkg, slot, p, parts) + 1;
      part.iv.push(pos, pos + 1);
    }
    return {
      adv,
      pkg,
      release,
      // a listed version that parses matches through its point (equal strings parse equal): only the others by string
      exact: unparsed.length ? new Set(unparsed) : null,
      unparsed: unparsed.length ? unparsed : null,
      parts,
    };
  }

  private intern(n: NormalComponent): Comp {
    let c = this.comps.get(n.key);
    if (!c) {
      const pkg = this.pkg(n.base, n.name);
      c = newComp(n, pkg);
      pkg.comps.push(c);
      const same = pkg.byVersion.get(n.version);
      if (same) same.push(c);
      else pkg.byVersion.set(n.version, [c]);
      addComp(pkg, c);
      this.comps.set(n.key, c);
    }
    return c;
  }

  private matchesOf(comp: Comp): Adv[] {
    if (comp.gen === comp.pkg.gen) return comp.matches;
    const out: Adv[] = [];
    for (const e of comp.pkg.entries) {
      if (out.includes(e.adv)) continue;
      if (entryMatches(e, comp)) out.push(e.adv);
    }
    comp.matches = out;
    comp.gen = comp.pkg.gen;
    comp.grouped = null;
    return out;
  }
}
