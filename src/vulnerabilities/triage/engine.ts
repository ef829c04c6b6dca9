/**
 * The clustering engine: pure and in memory (no I/O). Each incoming document is compared only with the candidates that
 * share an LSH band of its text signature or a rare key feature (identifier, reference URL, package, path, stack
 * frame), never with every stored document; see docs/triage.md for the cost. Thresholds are configuration; coordinator
 * corrections (split pairs) are respected: a cluster holding a report split from the incoming one is never chosen.
 */
import { extractFeatures, type Features, type TriageDoc } from './features.js';
import { bandKeys, hash32, MinHasher } from './minhash.js';
import { type Evidence, type StoredDoc, scorePair, WEIGHTS } from './score.js';

export type { Evidence } from './score.js';

export interface TriageConfig {
  /** A pair scoring at or above this attaches the report to the candidate's cluster. */
  attachThreshold: number;
  /** Between this and attachThreshold the candidates are suggested to a coordinator. */
  suggestThreshold: number;
  numHashes: number;
  bands: number;
  rows: number;
  /** A key feature shared by more stored documents than this is too common to find candidates (and to count). */
  maxPosting: number;
  /** At most this many candidates are scored per incoming document (the most-shared first). */
  maxCandidates: number;
  seed: number;
}

export const DEFAULT_CONFIG: TriageConfig = {
  attachThreshold: 0.6,
  suggestThreshold: 0.3,
  numHashes: 64,
  bands: 16,
  rows: 4,
  maxPosting: 40,
  maxCandidates: 100,
  seed: 0x5eed,
};

export interface Candidate {
  clusterId: string;
  docId: string;
  score: number;
  evidence: Evidence[];
}

export type Decision =
  | {
      docId: string;
      action: 'attach';
      clusterId: string;
      /** The document of the cluster that matched best (the evidence is for this pair). */
      matchedDocId: string;
      score: number;
      evidence: Evidence[];
      candidates: Candidate[];
    }
  | { docId: string; action: 'suggest'; clusterId: string; candidates: Candidate[] }
  | { docId: string; action: 'new'; clusterId: string; candidates: Candidate[] };

/**
 * Candidate keys for titles with the same content words: the sorted word set, and the set without each one word, so
 * that two titles differing by at most one word on each side share a key (the title evidence needs Jaccard ≥ 0.8).
 */
export function titleKeys(words: string[]): string[] {
  if (words.length < WEIGHTS.titleMinWords || words.length > 16) return [];
  const sorted = [...words].sort();
  const keys = [sorted.join(' ')];
  for (let i = 0; i < sorted.length; i++) keys.push(sorted.filter((_, j) => j !== i).join(' '));
  return keys;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

export class TriageEngine {
  readonly config: TriageConfig;
  private readonly hasher: MinHasher;
  private readonly docs = new Map<string, StoredDoc>();
  private readonly postings = new Map<string, string[]>();
  private readonly clusters = new Map<string, Set<string>>();
  private readonly cannotLink = new Set<string>();
  private nextCluster = 0;
  /** Number of pair scores computed so far (the cost the benchmark reports). */
  comparisons = 0;

  constructor(
    config: Partial<TriageConfig> = {},
    private readonly newClusterId?: () => string,
  ) {
    this.config = { ...DEFAULT_CONFIG, ...config };
    if (this.config.bands * this.config.rows > this.config.numHashes)
      throw new Error('bands × rows must not exceed numHashes');
    this.hasher = new MinHasher(this.config.numHashes, this.config.seed);
  }

  get size(): number {
    return this.docs.size;
  }

  clusterOf(docId: string): string | undefined {
    return this.docs.get(docId)?.clusterId;
  }

  /** A stored document's prepared features (for explaining a pair, e.g. in the benchmark's analysis of missed pairs). */
  stored(docId: string): StoredDoc | undefined {
    return this.docs.get(docId);
  }

  /** Scores two stored documents as a pass would now (document frequencies as they stand). */
  explain(a: string, b: string): { score: number; evidence: Evidence[] } | undefined {
    const x = this.docs.get(a);
    const y = this.docs.get(b);
    if (!x || !y) return undefined;
    return scorePair(x, y, (k) => this.postings.get(k)?.length ?? 0, this.config.maxPosting);
  }

  members(clusterId: string): string[] {
    return [...(this.clusters.get(clusterId) ?? [])];
  }

  /** A coordinator split: these two documents are never put together automatically again. */
  addCannotLink(a: string, b: string): void {
    this.cannotLink.add(pairKey(a, b));
  }

  /** Moves a stored document to another cluster (a coordinator's merge or split). */
  move(docId: string, clusterId: string): void {
    const d = this.docs.get(docId);
    if (!d) return;
    this.clusters.get(d.clusterId)?.delete(docId);
    if (this.clusters.get(d.clusterId)?.size === 0) this.clusters.delete(d.clusterId);
    d.clusterId = clusterId;
    this.clusterSet(clusterId).add(docId);
  }

  private clusterSet(id: string): Set<string> {
    const s = this.clusters.get(id) ?? new Set<string>();
    this.clusters.set(id, s);
    return s;
  }

  private prepare(doc: TriageDoc): StoredDoc {
    const f: Features = extractFeatures(doc);
    const textHashes = Uint32Array.from(new Set(f.shingles.map(hash32))).sort();
    const codeSet = new Set([...f.code, ...f.paths, ...f.frames]);
    const sig = this.hasher.signature(f.shingles);
    // The shingle strings are not kept: their hashes and signature suffice, and memory stays ~1 KB per document.
    return { id: doc.id, clusterId: '', f: { ...f, shingles: [] }, textHashes, codeSet, sig, submitter: doc.submitter };
  }

  private keys(d: StoredDoc): string[] {
    const { f } = d;
    const keys =
      d.textHashes.length >= 3 ? bandKeys(d.sig, this.config.bands, this.config.rows).map((k) => `b${k}`) : [];
    for (const id of f.ids) keys.push(`i:${id}`);
    for (const id of f.mentionedIds) keys.push(`i:${id}`);
    for (const r of f.references) keys.push(`r:${r}`);
    for (const p of f.paths) keys.push(`p:${p}`);
    for (const p of f.frames) keys.push(`s:${p}`);
    for (const p of f.packages) keys.push(`k:${p.key}`);
    for (const p of f.products) keys.push(`n:${p}`);
    for (const t of titleKeys(f.title)) keys.push(`t:${t}`);
    return keys;
  }

  /** Scores the candidates of one prepared document, best first. */
  private candidates(d: StoredDoc): Candidate[] {
    const counts = new Map<string, number>();
    const df = (k: string) => this.postings.get(k)?.length ?? 0;
    for (const k of this.keys(d)) {
      const ids = this.postings.get(k);
      if (!ids || ids.length > this.config.maxPosting) continue;
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, this.config.maxCandidates);
    const out: Candidate[] = [];
    for (const [id] of ranked) {
      const other = this.docs.get(id)!;
      this.comparisons++;
      const { score, evidence } = scorePair(d, other, df, this.config.maxPosting);
      if (score >= this.config.suggestThreshold) out.push({ clusterId: other.clusterId, docId: id, score, evidence });
    }
    return out.sort((a, b) => b.score - a.score || (a.docId < b.docId ? -1 : 1));
  }

  private blocked(docId: string, clusterId: string): boolean {
    for (const m of this.clusters.get(clusterId) ?? []) if (this.cannotLink.has(pairKey(docId, m))) return true;
    return false;
  }

  /** Decides for one document without storing it. */
  decide(doc: TriageDoc): Decision {
    return this.decidePrepared(this.prepare(doc));
  }

  private decidePrepared(d: StoredDoc): Decision {
    const all = this.candidates(d).filter((c) => !this.blocked(d.id, c.clusterId));
    // One candidate per cluster (its best pair): single linkage between the report and the cluster.
    const seen = new Set<string>();
    const perCluster = all.filter((c) => !seen.has(c.clusterId) && seen.add(c.clusterId));
    const best = perCluster[0];
    if (best && best.score >= this.config.attachThreshold)
      return {
        docId: d.id,
        action: 'attach',
        clusterId: best.clusterId,
        matchedDocId: best.docId,
        score: best.score,
        evidence: best.evidence,
        candidates: perCluster.slice(1, 6),
      };
    const clusterId = this.newClusterId?.() ?? `c${++this.nextCluster}`;
    if (best) return { docId: d.id, action: 'suggest', clusterId, candidates: perCluster.slice(0, 5) };
    return { docId: d.id, action: 'new', clusterId, candidates: [] };
  }

  /** Stores a document in a given cluster (loading existing state, or after a decision). */
  add(doc: TriageDoc, clusterId: string): void {
    this.store(this.prepare(doc), clusterId);
  }

  private store(d: StoredDoc, clusterId: string): void {
    if (this.docs.has(d.id)) return;
    d.clusterId = clusterId;
    this.docs.set(d.id, d);
    this.clusterSet(clusterId).add(d.id);
    for (const k of this.keys(d)) {
      const list = this.postings.get(k);
      if (!list) this.postings.set(k, [d.id]);
      else if (list.length <= this.config.maxPosting) list.push(d.id);
      // Beyond maxPosting + 1 the list is not grown: the feature is too common to be used, and memory stays bounded.
    }
  }

  /** Decides and stores each document in order, so later documents of a batch can join earlier ones. */
  assign(doc: TriageDoc): Decision {
    const d = this.prepare(doc);
    const decision = this.decidePrepared(d);
    this.store(d, decision.clusterId);
    return decision;
  }

  assignBatch(docs: TriageDoc[]): Decision[] {
    return docs.map((d) => this.assign(d));
  }
}
