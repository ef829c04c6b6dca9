/**
 * The pair score: a noisy-or of independent pieces of evidence, each capped by a fixed weight, and each listed with its
 * reason. Fixed weights (configuration in code, documented in docs/triage.md), no learning.
 */
import type { Features, TriageRange } from './features.js';

export interface StoredDoc {
  id: string;
  clusterId: string;
  f: Features;
  /** Sorted, distinct 32-bit hashes of the text shingles (exact Jaccard by a merge). */
  textHashes: Uint32Array;
  codeSet: Set<string>;
  sig: Uint32Array;
  submitter?: string;
}

export interface Evidence {
  kind:
    | 'identifier'
    | 'mentioned_identifier'
    | 'text'
    | 'reference'
    | 'package'
    | 'range'
    | 'product'
    | 'package_named'
    | 'title'
    | 'code'
    | 'cwe'
    | 'conflict';
  detail: string;
  weight: number;
}

export const WEIGHTS = {
  identifier: 0.99,
  mentionedIdentifier: 0.5,
  /** Text similarity counts as itself (a Jaccard of 0.7 is evidence 0.7), scaled by this. */
  text: 1,
  minTextShingles: 10,
  fullTextShingles: 40,
  verbatimJaccard: 0.97,
  /** With the same title, this text Jaccard also counts as verbatim (see verbatim below). */
  /** One shared reference URL seen in exactly these two documents; rarer is stronger (divided by df - 1). */
  reference: 0.55,
  referenceCap: 0.75,
  package: 0.15,
  rangeOverlap: 0.1,
  /** No package key shared, but the same plain product name (an ecosystem package and a CVE record's product). */
  product: 0.25,
  /** Titles with the same content words (at least titleMinWords of them, word-set Jaccard ≥ titleJaccard). */
  title: 0.65,
  /** Each names (in its text) the other's package, which it does not itself list: one flaw filed per package. */
  packageNamed: 0.45,
  titleMinWords: 4,
  /** Title evidence counts fully from titleFullWords + 2 content words (short titles such as "Cross-site scripting in X" are generic). */
  titleFullWords: 5,
  titleJaccard: 0.8,
  code: 0.25,
  cwe: 0.05,
  /** Both name packages and none is shared: the score is multiplied by this. */
  packageConflict: 0.3,
  /**
   * Both filed by the same submitter and not verbatim: multiplied by this. A submitter files one flaw once (re-sends
   * carry an idempotency key); its near-identical reports are usually sibling flaws from one template.
   */
  sameSubmitter: 0.6,
  /** Both filed by the same submitter, for the same package, with verbatim text: multiplied by this (a suggestion). */
  sameSubmitterVerbatim: 0.5,
} as const;

export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** Loose version order for range overlap: numeric parts numerically, others as text. */
export function compareLoose(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.\-+]/);
  const pb = b.replace(/^v/, '').split(/[.\-+]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function interval(r: TriageRange): [string, string | undefined, boolean] {
  const lo = r.introduced && r.introduced !== '0' ? r.introduced : '0';
  if (r.fixed) return [lo, r.fixed, false];
  if (r.lastAffected) return [lo, r.lastAffected, true];
  return [lo, undefined, false];
}

export function rangesOverlap(a: TriageRange[], b: TriageRange[]): boolean {
  for (const x of a)
    for (const y of b) {
      const [lx, hx, ix] = interval(x);
      const [ly, hy, iy] = interval(y);
      const xBeforeY = hx !== undefined && (ix ? compareLoose(hx, ly) < 0 : compareLoose(hx, ly) <= 0);
      const yBeforeX = hy !== undefined && (iy ? compareLoose(hy, lx) < 0 : compareLoose(hy, lx) <= 0);
      if (!xBeforeY && !yBeforeX) return true;
    }
  return false;
}

/** Names a package in an ecosystem (a bare product name is too loose to call a conflict). */
const specific = (d: StoredDoc) => d.f.packages.some((p) => !p.key.startsWith('generic/'));

export function scorePair(
  a: StoredDoc,
  b: StoredDoc,
  df: (key: string) => number,
  maxPosting: number,
): { score: number; evidence: Evidence[] } {
  const ev: Evidence[] = [];
  const bIds = new Set(b.f.ids);
  const bMentioned = new Set(b.f.mentionedIds);
  for (const id of a.f.ids) if (bIds.has(id)) ev.push({ kind: 'identifier', detail: id, weight: WEIGHTS.identifier });
  for (const id of a.f.ids)
    if (bMentioned.has(id)) ev.push({ kind: 'mentioned_identifier', detail: id, weight: WEIGHTS.mentionedIdentifier });
  for (const id of a.f.mentionedIds)
    if (bIds.has(id)) ev.push({ kind: 'mentioned_identifier', detail: id, weight: WEIGHTS.mentionedIdentifier });
  const t = jaccardSorted(a.textHashes, b.textHashes);
  // Short texts ("Denial of service in X") are shared by different flaws of one package: the text evidence counts
  // fully only from WEIGHTS.fullTextShingles shingles on the shorter side, and not at all under minTextShingles.
  const n = Math.min(a.textHashes.length, b.textHashes.length);
  const lengthFactor = Math.max(
    0,
    Math.min(1, (n - WEIGHTS.minTextShingles) / (WEIGHTS.fullTextShingles - WEIGHTS.minTextShingles)),
  );
  if (t > 0.05)
    ev.push({
      kind: 'text',
      detail: `shingle Jaccard ${t.toFixed(2)} over ${n} shingles (length factor ${lengthFactor.toFixed(2)})`,
      weight: t * WEIGHTS.text * lengthFactor,
    });
  const bRefs = new Set(b.f.references);
  for (const r of a.f.references)
    if (bRefs.has(r)) {
      const n = Math.max(2, df(`r:${r}`) + 1);
      if (n <= maxPosting)
        ev.push({ kind: 'reference', detail: `${r} (in ${n} documents)`, weight: WEIGHTS.reference / (n - 1) });
    }
  const bPkgs = new Map(b.f.packages.map((p) => [p.key, p]));
  let sharedPkg = false;
  for (const p of a.f.packages) {
    const q = bPkgs.get(p.key);
    if (!q || sharedPkg) continue;
    sharedPkg = true;
    ev.push({ kind: 'package', detail: p.key, weight: WEIGHTS.package });
    const versionsShared = p.versions.some((v) => q.versions.includes(v));
    if (versionsShared || rangesOverlap(p.ranges, q.ranges))
      ev.push({ kind: 'range', detail: `${p.key}: affected versions overlap`, weight: WEIGHTS.rangeOverlap });
  }
  let sharedProduct = false;
  if (!sharedPkg) {
    const bProducts = new Set(b.f.products);
    const p = a.f.products.find((x) => bProducts.has(x));
    if (p) {
      sharedProduct = true;
      ev.push({ kind: 'product', detail: `same product name "${p}"`, weight: WEIGHTS.product });
    } else {
      // One lists no specific package (a CVE record with a bare or no product) and names the other's in its text.
      const namedIn = (x: StoredDoc, y: StoredDoc) =>
        !specific(y) ? x.f.products.find((q) => q.length >= 5 && y.f.names.includes(q)) : undefined;
      const q = namedIn(a, b) ?? namedIn(b, a);
      if (q) {
        sharedProduct = true;
        ev.push({ kind: 'product', detail: `product "${q}" named in the other's text`, weight: WEIGHTS.product });
      }
    }
  }
  let named = false;
  if (!sharedPkg && !sharedProduct && a.f.products.length > 0 && b.f.products.length > 0) {
    const aNames = new Set(a.f.names);
    const bNames = new Set(b.f.names);
    const aInB = a.f.products.find((p) => p.length >= 5 && bNames.has(p));
    const bInA = b.f.products.find((p) => p.length >= 5 && aNames.has(p));
    if (aInB && bInA) {
      named = true;
      ev.push({
        kind: 'package_named',
        detail: `each names the other's package ("${aInB}", "${bInA}")`,
        weight: WEIGHTS.packageNamed,
      });
    }
  }
  if (Math.min(a.f.title.length, b.f.title.length) >= WEIGHTS.titleMinWords) {
    const bt = new Set(b.f.title);
    const shared = a.f.title.filter((w) => bt.has(w)).length;
    const j = shared / (a.f.title.length + b.f.title.length - shared);
    if (j >= WEIGHTS.titleJaccard)
      ev.push({
        kind: 'title',
        detail: `titles share ${shared} content words (Jaccard ${j.toFixed(2)})`,
        weight:
          WEIGHTS.title * j * Math.min(1, (Math.min(a.f.title.length, b.f.title.length) - 2) / WEIGHTS.titleFullWords),
      });
  }
  const sharedCode: string[] = [];
  for (const c of a.codeSet) if (b.codeSet.has(c)) sharedCode.push(c);
  if (sharedCode.length > 0) {
    const union = a.codeSet.size + b.codeSet.size - sharedCode.length;
    const w = WEIGHTS.code * Math.min(1, (2 * sharedCode.length) / union + 0.25);
    ev.push({ kind: 'code', detail: `shared code/path/function: ${sharedCode.slice(0, 5).join(', ')}`, weight: w });
  }
  const bCwe = new Set(b.f.cwes);
  for (const c of a.f.cwes) if (bCwe.has(c)) ev.push({ kind: 'cwe', detail: c, weight: WEIGHTS.cwe });
  // Shared references are summed and capped: sibling flaws fixed in one release share many release-note URLs.
  let refTotal = 0;
  let miss = 1;
  for (const e of ev)
    if (e.kind === 'reference') refTotal += e.weight;
    else miss *= 1 - e.weight;
  miss *= 1 - Math.min(WEIGHTS.referenceCap, refTotal);
  let score = 1 - miss;
  // Verbatim long descriptions under different package names are one flaw filed per package (a vendored copy).
  const verbatim = t >= WEIGHTS.verbatimJaccard && lengthFactor === 1;
  if (
    !sharedPkg &&
    !sharedProduct &&
    !named &&
    !verbatim &&
    specific(a) &&
    specific(b) &&
    !ev.some((e) => e.kind === 'identifier')
  ) {
    score *= WEIGHTS.packageConflict;
    ev.push({
      kind: 'conflict',
      detail: 'both name affected packages and none is shared',
      weight: WEIGHTS.packageConflict,
    });
  }
  if (a.submitter !== undefined && a.submitter === b.submitter && !named && !ev.some((e) => e.kind === 'identifier')) {
    if (!verbatim) {
      score *= WEIGHTS.sameSubmitter;
      ev.push({
        kind: 'conflict',
        detail: 'same submitter, not verbatim: likely a sibling flaw',
        weight: WEIGHTS.sameSubmitter,
      });
    } else if (sharedPkg) {
      // Verbatim from one submitter is one flaw filed once per package; for the same package it is a second flaw
      // described with the first one's text (a vendor's template), since a re-sent report carries its idempotency key.
      score *= WEIGHTS.sameSubmitterVerbatim;
      ev.push({
        kind: 'conflict',
        detail: 'same submitter, same package, verbatim text: likely a second flaw with a copied description',
        weight: WEIGHTS.sameSubmitterVerbatim,
      });
    }
  }
  return { score, evidence: ev };
}
