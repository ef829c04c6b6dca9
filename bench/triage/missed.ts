/**
 * Where the clustering's recall goes: runs the benchmark's clustering on the same corpus, then explains every true
 * pair it did not merge (its pair score and evidence as they stand after the run) and prints
 *   - missed pairs by pair-score band and by the kinds of evidence they have,
 *   - the recall an oracle would reach by merging every true pair down to a score (and no wrong one): an upper bound
 *     for any threshold on this score,
 *   - for cross-source pairs whose only positive evidence is a product name: how many are true and how many are not
 *     (can a product name alone be trusted?).
 *   npx tsx bench/triage/missed.ts [--fixtures] [--list N]
 */
import { TriageEngine } from '../../src/vulnerabilities/triage/engine.js';
import { truthClusters } from './corpus.js';
import { corpus } from './run.js';

const { docs } = corpus();
const truth = truthClusters(docs);
const engine = new TriageEngine();
for (const d of docs) engine.assign(d.doc);
const predicted = docs.map((d) => engine.clusterOf(d.doc.id));
const members = new Map<string, number[]>();
for (const [i, t] of truth.entries()) members.set(t, [...(members.get(t) ?? []), i]);

interface Missed {
  a: string;
  b: string;
  crossSource: boolean;
  score: number;
  kinds: string;
  evidence: string[];
}
const missed: Missed[] = [];
let truePairs = 0;
for (const ms of members.values())
  for (let x = 0; x < ms.length; x++)
    for (let y = x + 1; y < ms.length; y++) {
      truePairs++;
      const i = ms[x]!;
      const j = ms[y]!;
      if (predicted[i] === predicted[j]) continue;
      const e = engine.explain(docs[i]!.doc.id, docs[j]!.doc.id)!;
      const positive = e.evidence.filter((v) => v.kind !== 'conflict');
      missed.push({
        a: docs[i]!.doc.id,
        b: docs[j]!.doc.id,
        crossSource: docs[i]!.source !== docs[j]!.source,
        score: e.score,
        kinds: [...new Set(positive.map((v) => v.kind))].sort().join('+') || '(none)',
        evidence: e.evidence.map((v) => `${v.kind} ${v.weight.toFixed(2)}: ${v.detail}`),
      });
    }

const merged = truePairs - missed.length;
console.log(
  `${docs.length} reports, ${truePairs} true pairs, ${merged} merged (recall ${(merged / truePairs).toFixed(4)})`,
);
console.log(`missed ${missed.length} (${missed.filter((m) => m.crossSource).length} across sources)`);
console.log('\nmissed pairs by pair score, and the recall an oracle reaches merging every true pair down to it:');
for (const lo of [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0]) {
  const band = missed.filter((m) => m.score >= lo && m.score < (lo === 0.6 ? 2 : lo + 0.1)).length;
  const upTo = missed.filter((m) => m.score >= lo).length;
  console.log(
    `  score ${lo === 0.6 ? '≥ 0.6    ' : `${lo.toFixed(1)}–${(lo + 0.1).toFixed(1)}  `} ${String(band).padStart(4)}   oracle recall ${((merged + upTo) / truePairs).toFixed(4)}`,
  );
}
const byKinds = new Map<string, number>();
for (const m of missed) byKinds.set(m.kinds, (byKinds.get(m.kinds) ?? 0) + 1);
console.log('\nmissed pairs by their positive evidence:');
for (const [k, n] of [...byKinds].sort((a, b) => b[1] - a[1]).slice(0, 12))
  console.log(`  ${String(n).padStart(4)}  ${k}`);

// Cross-source pairs whose only positive evidence is a product name, among all pairs sharing a product key.
const idx = new Map(docs.map((d, i) => [d.doc.id, i]));
const byProduct = new Map<string, string[]>();
for (const d of docs)
  for (const p of engine.stored(d.doc.id)!.f.products) byProduct.set(p, [...(byProduct.get(p) ?? []), d.doc.id]);
let productOnlyTrue = 0;
let productOnlyFalse = 0;
const seen = new Set<string>();
for (const ids of byProduct.values()) {
  if (ids.length > 200) continue;
  for (let x = 0; x < ids.length; x++)
    for (let y = x + 1; y < ids.length; y++) {
      const i = idx.get(ids[x]!)!;
      const j = idx.get(ids[y]!)!;
      if (docs[i]!.source === docs[j]!.source || seen.has(`${i}/${j}`)) continue;
      seen.add(`${i}/${j}`);
      const e = engine.explain(ids[x]!, ids[y]!)!;
      const positive = e.evidence.filter((v) => v.kind !== 'conflict').map((v) => v.kind);
      if (positive.length !== 1 || positive[0] !== 'product') continue;
      if (truth[i] === truth[j]) productOnlyTrue++;
      else productOnlyFalse++;
    }
}
console.log(
  `\ncross-source pairs sharing a product name and nothing else: ${productOnlyTrue} true, ${productOnlyFalse} not (merging them would add ${productOnlyFalse} wrong pairs for ${productOnlyTrue} right ones)`,
);
const list = Number(process.argv[process.argv.indexOf('--list') + 1]);
if (process.argv.includes('--list'))
  for (const m of [...missed].sort((a, b) => b.score - a.score).slice(0, list))
    console.log(`\n${m.a} ~ ${m.b}  score ${m.score.toFixed(3)}\n  ${m.evidence.join('\n  ')}`);
