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
  addHolder,
  type Comp,
  type Entry,
  entryMatches,
  forEachHit,
  insertSorted,
  newComp,
  type Part,
  type Pkg,
  removeHolder,
  sweepPackage,
} from './package-state.js';
import { schemeFor, type VersionScheme } from './schemes/index.js';
import { type SpaceEvent, VersionSpace } from './space.js';
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
  private readonly hot: number;

  /** `hotThreshold`: a component held by at least this many inventories also keeps a bitset of them. */
  constructor(options: { hotThreshold?: number } = {}) {
    this.hot = options.hotThreshold ?? 64;
  }

  // ---- advisories ----

  upsertAdvisory(a: MatchAdvisory): void {
    this.removeAdvisory(a.id);
    if (isWithdrawn(a)) return;
    const adv: Adv = { id: a.id, pkgs: [], group: a.id, groupVersion: -1 };
    this.advisories.set(a.id, adv);
    this.groups.set(a.id, a.aliases ?? []);
    for (const af of a.affected ?? []) {
      if (!af.package) continue;
      const e = normalizeEcosystem(af.package.ecosystem);
      const pkg = this.pkg(e.base, normalizeName(e.base, af.package.name));
      pkg.entries.push(this.entry(adv, pkg, e.base, e.release, af));
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
    this.advisories.delete(id);
    this.groups.delete(id);
  }

  /** Inventory ids holding a component the advisory affects, in registration order. Empty when unknown/withdrawn. */
  inventoriesForAdvisory(id: string): string[] {
    const acc = new Uint32Array((this.inventories.length >>> 5) + 1);
    this.forAdvisoryHits(id, (comp) => {
      if (comp.bits) {
        const b = comp.bits;
        const n = Math.min(b.length, acc.length);
        for (let w = 0; w < n; w++) acc[w]! |= b[w]!;
      } else for (const i of comp.invs) acc[i >>> 5]! |= 1 << (i & 31);
    });
    const out: string[] = [];
    for (let w = 0; w < acc.length; w++) {
      let word = acc[w]!;
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        out.push(this.inventoryIds[(w << 5) + bit]!);
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
    const seen = new Set<Comp>();
    for (const pkg of adv.pkgs) {
      for (const e of pkg.entries) {
        if (e.adv !== adv) continue;
        forEachHit(pkg, e, (comp) => {
          if (comp.invs.length === 0 || seen.has(comp)) return;
          seen.add(comp);
          hit(comp);
        });
      }
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
    const distinct = new Set<string>();
    for (const comp of this.comps.values()) {
      const advs = comp.matches;
      if (comp.invs.length === 0 || advs.length === 0) continue;
      affectedComponents++;
      let groups = 1;
      if (advs.length > 1) {
        distinct.clear();
        for (const a of advs) distinct.add(this.groupOfAdv(a));
        groups = distinct.size;
      }
      findings += groups * comp.invs.length;
    }
    return { findings, affectedComponents };
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
    }
    return a.group;
  }

  // ---- internals ----

  private pkg(base: string, name: string): Pkg {
    const key = `${base}\0${name}`;
    let p = this.packages.get(key);
    if (!p) {
      p = { spaces: new Map(), entries: [], comps: [], sorted: new Map(), byVersion: new Map(), gen: ++this.tick };
      this.packages.set(key, p);
    }
    return p;
  }

  private space(pkg: Pkg, scheme: VersionScheme): VersionSpace {
    let s = pkg.spaces.get(scheme);
    if (!s) {
      s = new VersionSpace(scheme);
      pkg.spaces.set(scheme, s);
      for (const comp of pkg.comps) insertSorted(pkg, s, comp);
    }
    return s;
  }

  private part(parts: Part[], space: VersionSpace): Part {
    let p = parts.find((x) => x.space === space);
    if (!p) {
      p = { space, ranges: [], points: [], gen: -1, iv: [] };
      parts.push(p);
    }
    return p;
  }

  private entry(adv: Adv, pkg: Pkg, base: string, release: string | null, af: OsvAffected): Entry {
    const parts: Part[] = [];
    const versions = af.versions ?? [];
    const unparsed: string[] = [];
    const eco = schemeFor(base);
    for (const v of versions) {
      const p = eco ? eco.parse(v) : null;
      if (p === null) {
        unparsed.push(v);
        continue;
      }
      const space = this.space(pkg, eco!);
      space.add(p);
      this.part(parts, space).points.push(p);
    }
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
      const space = this.space(pkg, scheme);
      for (const e of events) if (e.p !== null) space.add(e.p);
      this.part(parts, space).ranges.push(events);
    }
    return {
      adv,
      release,
      exact: versions.length ? new Set(versions) : null,
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
      for (const space of pkg.spaces.values()) insertSorted(pkg, space, c);
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
