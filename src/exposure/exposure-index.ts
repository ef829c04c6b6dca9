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
  if (!input) return null;
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
  private readonly assetModels = new Map<string, { name: string; version: string; key: string }[]>();
  /** model name -> asset ids holding it */
  private readonly assetsByModel = new Map<string, Set<string>>();
  /** asset id -> the inventory id the index holds for it */
  private readonly inventories = new Map<string, string>();

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
    const models: { name: string; version: string; key: string }[] = [];
    for (const c of components) {
      if (c.kind === 'machine-learning-model') {
        const name = modelName(c);
        const version = (c.version ?? modelPurlVersion(c.purl) ?? '').toLowerCase();
        models.push({ name, version, key: `model${SEP}${name}${SEP}${version}` });
        addTo(this.assetsByModel, name, assetId);
      } else {
        const input = matchInput(c);
        if (input) libs.push(input);
      }
    }
    this.match.upsertInventory(assetId, libs);
    if (models.length) this.assetModels.set(assetId, models);
    this.inventories.set(assetId, inventoryId);
  }

  removeAsset(assetId: string): void {
    this.match.removeInventory(assetId);
    for (const m of this.assetModels.get(assetId) ?? []) this.assetsByModel.get(m.name)?.delete(assetId);
    this.assetModels.delete(assetId);
    this.inventories.delete(assetId);
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
    for (const f of this.match.findingsForInventory(assetId)) {
      const c = f.component;
      out.push({
        componentKey: `${c.ecosystem}${SEP}${c.name}${SEP}${c.version}`,
        groupKey: f.groupId,
        advisoryIds: [...f.advisoryIds],
      });
    }
    for (const m of this.assetModels.get(assetId) ?? []) {
      const byGroup = new Map<string, string[]>();
      for (const advId of this.advisoriesByModel.get(m.name) ?? []) {
        const hit = (this.modelAdvisories.get(advId) ?? []).some(
          (e) => e.name === m.name && this.modelHit(e, m.version),
        );
        if (!hit) continue;
        const g = this.groups.groupOf(advId);
        byGroup.set(g, [...(byGroup.get(g) ?? []), advId]);
      }
      for (const [groupKey, ids] of byGroup) out.push({ componentKey: m.key, groupKey, advisoryIds: ids.sort() });
    }
    return out;
  }

  private modelHit(e: ModelEntry, version: string): boolean {
    return e.versions === null || (version !== '' && revisionMatches(version, e.versions));
  }
}
