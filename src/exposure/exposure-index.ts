/**
 * The node's in-memory view for matching: the MatchIndex of src/matching (package components of every asset's current
 * inventory against every advisory), a small model index beside it (AI models against advisories that name models),
 * the alias groups, and the facts of each advisory that priorities need. No I/O: the exposure service loads it from
 * the database at start and keeps it current with its own writes and with other nodes' bus messages.
 *
 * How an advisory names a model: an `affected[]` entry whose package ecosystem is "Hugging Face" (any case, with or
 * without the space) or whose package purl has type `huggingface`, with the model's `org/name` as the package name
 * (compared case-insensitively). `versions[]` lists affected revisions (a commit id, or a prefix of at least 7 of its
 * hex digits, or a tag); without `versions[]` every revision is affected. Ranges are not evaluated for models:
 * revisions have no order.
 */
import { PackageURL } from 'packageurl-js';
import {
  AliasGroups,
  type ComponentInput,
  type Finding,
  findingComponent,
  MatchIndex,
  normalizeComponent,
  purlToPackage,
} from '../matching/index.js';
import type { AdvisoryDoc } from '../vulnerabilities/advisory.model.js';
import type { ComponentKind } from './sbom/parse.js';

/** A component as the index receives it (a stored component row). */
export interface IndexComponent {
  name: string;
  version: string | null;
  purl: string | null;
  kind: ComponentKind | string;
  /** Its position in the inventory (the stored row's idx); the position in the list given when absent. */
  idx?: number;
}

export interface DesiredFinding {
  componentKey: string;
  groupKey: string;
  advisoryIds: string[];
}

export interface AdvisoryFacts {
  version: number;
  ssvc: 'Track' | 'Track*' | 'Attend' | 'Act' | null;
  kev: boolean;
  severity: string | null;
  withdrawn: boolean;
}

/** A model an asset holds: its name, revision (lower-cased) and finding key. */
interface AssetModel {
  name: string;
  version: string;
  key: string;
}

interface ModelEntry {
  name: string;
  /** Lower-cased revisions, or null for every revision. */
  versions: string[] | null;
}

/** Separates the parts of a stored component key (U+001F, the unit separator: PostgreSQL text cannot hold NUL). */
export const SEP = '\u001f';

const MODEL_ECOSYSTEMS = new Set(['hugging face', 'huggingface']);

function modelRef(purl: string | null | undefined): string | null {
  if (!purl) return null;
  try {
    const p = PackageURL.fromString(purl);
    const t = p.type.toLowerCase();
    if (t !== 'huggingface' && t !== 'mlflow') return null;
    return (p.namespace ? `${p.namespace}/${p.name}` : p.name).toLowerCase();
  } catch {
    return null;
  }
}

function modelPurlVersion(purl: string | null | undefined): string | null {
  if (!purl) return null;
  try {
    return PackageURL.fromString(purl).version ?? null;
  } catch {
    return null;
  }
}

/** The model's identity for matching: `org/name` lower-cased (from a huggingface/mlflow purl, else the name). */
export function modelName(c: IndexComponent): string {
  return modelRef(c.purl) ?? c.name.toLowerCase();
}

function revisionMatches(version: string, listed: string[]): boolean {
  const v = version.toLowerCase();
  return listed.some((l) => {
    if (l === v) return true;
    const hex = /^[0-9a-f]{7,40}$/;
    return hex.test(l) && hex.test(v) && (l.startsWith(v) || v.startsWith(l));
  });
}

/**
 * The key of a stored component, equal to the key of the findings the index reports for it; null when the component
 * cannot be matched (no purl, a purl of no OSV ecosystem, or no version). Models are keyed by name and revision.
 */
export function componentKey(c: IndexComponent): string | null {
  if (c.kind === 'machine-learning-model')
    return `model${SEP}${modelName(c)}${SEP}${(c.version ?? modelPurlVersion(c.purl) ?? '').toLowerCase()}`;
  const input = matchInput(c);
  return input && inputKey(input);
}

function inputKey(input: ComponentInput): string | null {
  const n = normalizeComponent(input);
  if (!n.ok) return null;
  const fc = findingComponent(n.value);
  return `${fc.ecosystem}${SEP}${fc.name}${SEP}${fc.version}`;
}

/** What the MatchIndex receives for a package component: its purl, with the component's version when the purl has none. */
function matchInput(c: IndexComponent): ComponentInput | null {
  if (!c.purl) return null;
  const ref = purlToPackage(c.purl);
  if (!ref) return null;
  if (ref.version) return { purl: c.purl };
  if (!c.version) return null;
  const ecosystem = ref.release ? `${ref.ecosystem}:${ref.release}` : ref.ecosystem;
  return { ecosystem, name: ref.name, version: c.version, purl: c.purl };
}

/** A MatchIndex finding as the exposure capability keys it. */
function desiredOf(f: Finding): DesiredFinding {
  const c = f.component;
  return {
    componentKey: `${c.ecosystem}${SEP}${c.name}${SEP}${c.version}`,
    groupKey: f.groupId,
    advisoryIds: [...f.advisoryIds],
  };
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

export class ExposureIndex {
  readonly match = new MatchIndex();
  private readonly groups = new AliasGroups();
  private readonly facts = new Map<string, AdvisoryFacts>();
  /** advisory id -> the models it names */
  private readonly modelAdvisories = new Map<string, ModelEntry[]>();
  /** model name -> advisory ids naming it */
  private readonly advisoriesByModel = new Map<string, Set<string>>();
  /** asset id -> its models (name, revision, key) */
  private readonly assetModels = new Map<string, AssetModel[]>();
  /** model name -> asset ids holding it */
  private readonly assetsByModel = new Map<string, Set<string>>();
  /** asset id -> the inventory id the index holds for it */
  private readonly inventories = new Map<string, string>();
  /** asset id -> finding key -> the position (idx) in that inventory of the first component with the key */
  private readonly positions = new Map<string, Map<string, number>>();

  // ---- advisories ----

  upsertAdvisory(doc: AdvisoryDoc): void {
    this.removeAdvisory(doc.id);
    this.facts.set(doc.id, {
      version: doc.version,
      ssvc: doc.ssvc?.decision ?? null,
      kev: doc.kev !== null && doc.kev !== undefined,
      severity: (doc.cvss.find((c) => c.version === '4.0') ?? doc.cvss[0])?.severity ?? null,
      withdrawn: Boolean(doc.withdrawn),
    });
    if (doc.withdrawn) return;
    this.match.upsertAdvisory({ id: doc.id, aliases: doc.aliases, withdrawn: doc.withdrawn, affected: doc.affected });
    this.groups.set(doc.id, doc.aliases);
    const models: ModelEntry[] = [];
    for (const af of doc.affected) {
      const pkg = af.package;
      if (!pkg) continue;
      const fromPurl = modelRef(pkg.purl);
      const name = fromPurl ?? (MODEL_ECOSYSTEMS.has(pkg.ecosystem.toLowerCase()) ? pkg.name.toLowerCase() : null);
      if (!name) continue;
      models.push({ name, versions: af.versions?.length ? af.versions.map((v) => v.toLowerCase()) : null });
      addTo(this.advisoriesByModel, name, doc.id);
    }
    if (models.length) this.modelAdvisories.set(doc.id, models);
  }

  removeAdvisory(id: string): void {
    this.facts.delete(id);
    this.match.removeAdvisory(id);
    this.groups.delete(id);
    for (const m of this.modelAdvisories.get(id) ?? []) this.advisoriesByModel.get(m.name)?.delete(id);
    this.modelAdvisories.delete(id);
  }

  /** The advisories of `id`'s alias group as the index holds it now (`id` included). */
  groupMembers(id: string): string[] {
    const g = this.groups.groupOf(id);
    const out = new Set([id]);
    for (const k of this.facts.keys()) if (this.groups.groupOf(k) === g) out.add(k);
    return [...out];
  }

  /** The facts of an advisory the index holds (withdrawn ones too, so their version is known). */
  advisory(id: string): AdvisoryFacts | undefined {
    return this.facts.get(id);
  }

  advisoryVersions(): Map<string, number> {
    return new Map([...this.facts].map(([id, f]) => [id, f.version]));
  }

  /** Assets whose current inventory holds a component or model the advisory affects. */
  assetsForAdvisory(id: string): string[] {
    const out = new Set(this.match.inventoriesForAdvisory(id));
    for (const m of this.modelAdvisories.get(id) ?? [])
      for (const assetId of this.assetsByModel.get(m.name) ?? [])
        if (this.assetModels.get(assetId)?.some((c) => c.name === m.name && this.modelHit(m, c.version)))
          out.add(assetId);
    return [...out];
  }

  // ---- assets ----

  setAsset(assetId: string, inventoryId: string, components: readonly IndexComponent[]): void {
    this.removeAsset(assetId);
    const libs: ComponentInput[] = [];
    const models: AssetModel[] = [];
    const at = new Map<string, number>();
    components.forEach((c, i) => {
      let key: string | null = null;
      if (c.kind === 'machine-learning-model') {
        const name = modelName(c);
        const version = (c.version ?? modelPurlVersion(c.purl) ?? '').toLowerCase();
        key = `model${SEP}${name}${SEP}${version}`;
        // The same model listed twice is one component, as a package is in the MatchIndex.
        if (!at.has(key)) models.push({ name, version, key });
        addTo(this.assetsByModel, name, assetId);
      } else {
        const input = matchInput(c);
        if (input) {
          libs.push(input);
          key = inputKey(input);
        }
      }
      if (key !== null && !at.has(key)) at.set(key, c.idx ?? i);
    });
    this.match.upsertInventory(assetId, libs);
    if (models.length) this.assetModels.set(assetId, models);
    this.inventories.set(assetId, inventoryId);
    this.positions.set(assetId, at);
  }

  removeAsset(assetId: string): void {
    this.match.removeInventory(assetId);
    for (const m of this.assetModels.get(assetId) ?? []) this.assetsByModel.get(m.name)?.delete(assetId);
    this.assetModels.delete(assetId);
    this.inventories.delete(assetId);
    this.positions.delete(assetId);
  }

  /**
   * Where each finding key's component stands in the asset's inventory (the idx of the first component with that
   * key), when the index holds that inventory for the asset; undefined when it holds another one or none.
   */
  positionsIn(assetId: string, inventoryId: string): ReadonlyMap<string, number> | undefined {
    return this.inventories.get(assetId) === inventoryId ? this.positions.get(assetId) : undefined;
  }

  inventoryOf(assetId: string): string | undefined {
    return this.inventories.get(assetId);
  }

  assetInventories(): Map<string, string> {
    return new Map(this.inventories);
  }

  /** What the findings of an asset should be now: one per (component, alias group). */
  desired(assetId: string): DesiredFinding[] {
    const out: DesiredFinding[] = [];
    for (const f of this.match.findingsForInventory(assetId)) out.push(desiredOf(f));
    for (const m of this.assetModels.get(assetId) ?? []) out.push(...this.modelFindings(m));
    return out;
  }

  /**
   * The findings that name one of `advisoryIds`, by asset: each such finding that `desired` lists for its asset, but
   * found from the advisories (the components each one hits, in the MatchIndex and among the models) without building
   * any asset's other findings. An advisory change's reconcile needs no more.
   */
  desiredNaming(advisoryIds: Iterable<string>): Map<string, DesiredFinding[]> {
    const out = new Map<string, Map<string, DesiredFinding>>();
    const add = (assetId: string, d: DesiredFinding) => {
      let found = out.get(assetId);
      if (!found) {
        found = new Map();
        out.set(assetId, found);
      }
      const key = `${d.componentKey}\0${d.groupKey}`;
      if (!found.has(key)) found.set(key, d);
    };
    for (const id of advisoryIds) {
      for (const f of this.match.findingsForAdvisory(id)) if (f.advisoryIds.length) add(f.inventoryId, desiredOf(f));
      for (const e of this.modelAdvisories.get(id) ?? [])
        for (const assetId of this.assetsByModel.get(e.name) ?? [])
          for (const m of this.assetModels.get(assetId) ?? [])
            if (m.name === e.name && this.modelHit(e, m.version))
              for (const d of this.modelFindings(m)) if (d.advisoryIds.includes(id)) add(assetId, d);
    }
    return new Map([...out].map(([assetId, found]) => [assetId, [...found.values()]]));
  }

  /** The findings of one model an asset holds: one per alias group of the advisories that name it at its revision. */
  private modelFindings(m: AssetModel): DesiredFinding[] {
    const byGroup = new Map<string, string[]>();
    for (const advId of this.advisoriesByModel.get(m.name) ?? []) {
      const hit = (this.modelAdvisories.get(advId) ?? []).some((e) => e.name === m.name && this.modelHit(e, m.version));
      if (!hit) continue;
      const g = this.groups.groupOf(advId);
      byGroup.set(g, [...(byGroup.get(g) ?? []), advId]);
    }
    return [...byGroup].map(([groupKey, ids]) => ({ componentKey: m.key, groupKey, advisoryIds: ids.sort() }));
  }

  private modelHit(e: ModelEntry, version: string): boolean {
    return e.versions === null || (version !== '' && revisionMatches(version, e.versions));
  }
}
