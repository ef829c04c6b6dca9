/**
 * Matching benchmark (npm run bench:matching [-- --inventories N --components N --advisories N --seed N --json]).
 * Index (MatchIndex) against B0 (the spec-literal matcher). B0's full-portfolio figures are measured on a sample of
 * inventories and scaled (it would take minutes to hours on the full portfolio), and said so in the output.
 * Every timed figure of the index is given as wall time and as the process's CPU time (process.cpuUsage, all its
 * threads, the garbage collector's included): on a shared machine the wall time swings with the load, the CPU time
 * much less. The load average is printed at the start and the end.
 */
import os from 'node:os';
import { AliasGroups } from '../../src/matching/aliases.js';
import { matchComponent, prepareAdvisory } from '../../src/matching/b0.js';
import { MatchIndex } from '../../src/matching/match-index.js';
import {
  type ComponentInput,
  type Finding,
  findingComponent,
  groupFindings,
  type MatchAdvisory,
  type NormalComponent,
  normalizeComponent,
  sortFindings,
} from '../../src/matching/types.js';
import { B1_ECOSYSTEMS, startB1 } from './b1.js';
import {
  candidateComponents,
  componentsOfCycloneDx,
  cyclonedxJson,
  loadAdvisories,
  makeInventory,
  rng,
  zipf,
} from './portfolio.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const INVENTORIES = opt('inventories', 10_000);
const COMPONENTS = opt('components', 500);
const ADVISORIES = opt('advisories', 50_000);
const SEED = opt('seed', 42);
const JSON_OUT = args.includes('--json');
const B0_SAMPLE = opt('b0-sample', 20);
const RUNS = opt('runs', 200);
/** Operations run before each measured loop and not counted, so the JIT has compiled the paths (drawn apart). */
const WARMUP = opt('warmup', 50);

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
/**
 * Each timed section starts from a collected heap, so it is not charged with the garbage of the one before; the pause
 * lets the collector's background threads finish sweeping, whose CPU time would otherwise land on the first timings.
 */
const settle = async () => {
  gc();
  gc();
  await new Promise((resolve) => setTimeout(resolve, 500));
};
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};
const now = () => performance.now();
/** CPU milliseconds of this process (user + system, every thread). */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () => os.loadavg().map((x) => +x.toFixed(2));
const loadStart = load();
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const log = (s: string) => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`);
};

// ---- inputs ----
const random = rng(SEED);
const { advisories, origin, base } = loadAdvisories(ADVISORIES);
log(`advisories: ${advisories.length} (${base} real from ${origin}, the rest replicated with renamed packages)`);
const candidates = candidateComponents(advisories.slice(0, base), random);
const draw = zipf(candidates.length, random);
log(`candidate components: ${candidates.length}`);

// ---- index: ingest and build ----
const heap0 = heapMb();
const idx = new MatchIndex();
let t = now();
for (const a of advisories) idx.upsertAdvisory(a);
const ingestMs = now() - t;
const heapAdv = heapMb();
const portfolio: Int32Array[] = [];
const candidateIndex = new Map<ComponentInput, number>(candidates.map((c, i) => [c, i]));
let invMs = 0;
for (let i = 0; i < INVENTORIES; i++) {
  const comps = makeInventory(candidates, COMPONENTS, draw);
  portfolio.push(Int32Array.from(comps, (c) => candidateIndex.get(c)!));
  const s = now();
  idx.upsertInventory(`inv${i}`, comps);
  invMs += now() - s;
}
const portfolioMb = (portfolio.length * COMPONENTS * 4) / 1e6;
const heapInv = heapMb() - portfolioMb; // the bench's own copy of the portfolio (for B0) is not the index's
const stats = idx.stats();
log(`index: ${stats.packages} packages, ${stats.components} distinct components, ${stats.references} references`);

await settle();
let c = cpuNow();
t = now();
const all = idx.rematchAll();
const fullMs = now() - t;
const fullCpuMs = cpuNow() - c;
c = cpuNow();
t = now();
idx.rematchAll();
const fullWarmMs = now() - t;
const fullWarmCpuMs = cpuNow() - c;
log(`findings: ${all.findings} on ${all.affectedComponents} affected distinct components`);

// ---- new SBOM -> findings (parse included) ----
const sboms = Array.from({ length: 8 }, () => cyclonedxJson(makeInventory(candidates, COMPONENTS, draw), 1_000_000));
for (let r = 0; r < WARMUP; r++) {
  idx.upsertInventory(`warm${r}`, componentsOfCycloneDx(sboms[r % sboms.length]!));
  idx.findingsForInventory(`warm${r}`);
  idx.removeInventory(`warm${r}`);
}
await settle();
const sbomMs: number[] = [];
const sbomCpuMs: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const text = sboms[r % sboms.length]!;
  const c = cpuNow();
  const s = now();
  idx.upsertInventory(`new${r}`, componentsOfCycloneDx(text));
  idx.findingsForInventory(`new${r}`);
  sbomMs.push(now() - s);
  sbomCpuMs.push(cpuNow() - c);
  idx.removeInventory(`new${r}`);
}

// ---- new advisory -> affected inventories ----
{
  // other advisories than the measured ones (their own random stream), added and removed again
  const warm = rng(SEED + 1);
  for (let r = 0; r < WARMUP; r++) {
    const a = { ...advisories[Math.floor(warm() * base)]!, id: `WARM-${r}`, withdrawn: null };
    idx.upsertAdvisory(a);
    idx.inventoriesForAdvisory(a.id);
    idx.removeAdvisory(a.id);
  }
}
await settle();
const advMs: number[] = [];
const advCpuMs: number[] = [];
const advQueryMs: number[] = [];
const advSamples: MatchAdvisory[] = [];
for (let r = 0; r < RUNS * 2; r++) {
  const src = advisories[Math.floor(random() * base)]!;
  const a = { ...src, id: `NEW-${r}`, withdrawn: null };
  if (r < 20) advSamples.push(a);
  const c = cpuNow();
  const s = now();
  idx.upsertAdvisory(a);
  const q = now();
  idx.inventoriesForAdvisory(a.id);
  const e = now();
  advCpuMs.push(cpuNow() - c);
  advMs.push(e - s);
  advQueryMs.push(e - q);
  if (r >= 20) idx.removeAdvisory(a.id);
}

// ---- B0 ----
const groups = new AliasGroups();
const byEco = new Map<string, ReturnType<typeof prepareAdvisory>[]>();
for (const a of [...advisories, ...advSamples]) {
  if (a.withdrawn) continue;
  groups.set(a.id, a.aliases ?? []);
  const p = prepareAdvisory(a);
  for (const b of new Set(p.entries.map((e) => e.base))) byEco.set(b, [...(byEco.get(b) ?? []), p]);
}
const normal: (NormalComponent | null)[] = candidates.map((c) => {
  const n = normalizeComponent(c);
  return n.ok ? n.value : null;
});
const b0Inventory = (id: string, comps: Iterable<NormalComponent | null>): Finding[] => {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const c of comps) {
    if (!c || seen.has(c.key)) continue;
    seen.add(c.key);
    const ids = matchComponent(c, byEco.get(c.base) ?? []);
    if (ids.length) out.push(...groupFindings(id, findingComponent(c), ids, (x) => groups.groupOf(x)));
  }
  return out;
};
let disagreements = 0;
t = now();
const sampleIds: number[] = [];
for (let k = 0; k < Math.min(B0_SAMPLE, INVENTORIES); k++) sampleIds.push(Math.floor((k * INVENTORIES) / B0_SAMPLE));
const b0Findings: Finding[] = [];
for (const i of sampleIds)
  b0Findings.push(
    ...b0Inventory(
      `inv${i}`,
      Array.from(portfolio[i]!, (c) => normal[c]!),
    ),
  );
const b0PerInv = (now() - t) / sampleIds.length;
const b0FullMs = b0PerInv * INVENTORIES;
const key = (f: Finding) =>
  `${f.inventoryId}|${f.component.ecosystem}|${f.component.name}|${f.component.version}|${f.groupId}|${f.advisoryIds.join(',')}`;
{
  const want = new Set(sortFindings(b0Findings).map(key));
  const got = new Set(sampleIds.flatMap((i) => idx.findingsForInventory(`inv${i}`)).map(key));
  for (const k of want) if (!got.has(k)) disagreements++;
  for (const k of got) if (!want.has(k)) disagreements++;
}
// B0: one new advisory against the whole portfolio (every reference checked, no index)
const b0AdvMs: number[] = [];
for (const a of advSamples.slice(0, 5)) {
  const p = prepareAdvisory(a);
  const s = now();
  const hit = new Set<string>();
  portfolio.forEach((inv, i) => {
    for (const c of inv) {
      const n = normal[c];
      if (n && p.entries.some((e) => e.base === n.base) && matchComponent(n, [p]).length) {
        hit.add(`inv${i}`);
        break;
      }
    }
  });
  b0AdvMs.push(now() - s);
  const mine = idx.inventoriesForAdvisory(a.id);
  if (mine.length !== hit.size || mine.some((x) => !hit.has(x))) disagreements++;
}
// B0: a new SBOM (parse included)
const b0SbomMs: number[] = [];
for (let r = 0; r < 10; r++) {
  const s = now();
  const comps = componentsOfCycloneDx(sboms[r % sboms.length]!).map((c) => {
    const n = normalizeComponent(c);
    return n.ok ? n.value : null;
  });
  b0Inventory(`b0new${r}`, comps);
  b0SbomMs.push(now() - s);
}

// ---- B1: @renovatebot/osv-offline-db + B0's range check (bench/matching/b1.ts) ----
const B1_SAMPLE = opt('b1-sample', 3);
const b1 = B1_SAMPLE > 0 ? await startB1(advisories) : { skipped: 'not asked for (--b1-sample 0)' };
let b1Figures: {
  ingestMs: number;
  loadMs: number;
  fullMs: number;
  sbomP50: number;
  pairs: number;
  b0Pairs: number;
  outside: number;
} | null = null;
if (!('skipped' in b1)) {
  const sample = sampleIds.slice(0, B1_SAMPLE);
  let pairs = 0;
  let outside = 0;
  const b1Found = new Map<string, string[]>();
  t = now();
  for (const i of sample) {
    const r = await b1.match(Array.from(portfolio[i]!, (c) => normal[c]!));
    pairs += r.ids;
    outside += r.outside;
    for (const [k, v] of r.perComponent) b1Found.set(k, v);
  }
  const fullMs = ((now() - t) / sample.length) * INVENTORIES;
  // B0 on the same components of B1's ecosystems: the (component, advisory) pairs B1 must find too.
  let b0Pairs = 0;
  for (const i of sample) {
    const seen = new Set<string>();
    for (const c of portfolio[i]!) {
      const n = normal[c];
      if (!n || seen.has(n.key) || !B1_ECOSYSTEMS.has(n.base)) continue;
      seen.add(n.key);
      // B1 holds the advisory set only, not the index's sampled "new" advisories (NEW-…).
      const want = matchComponent(n, byEco.get(n.base) ?? []).filter((x) => !x.startsWith('NEW-'));
      b0Pairs += want.length;
      const got = b1Found.get(n.key) ?? [];
      const missing = want.filter((x) => !got.includes(x));
      if (missing.length > 0)
        log(`B1 differs from B0 on ${n.base}/${n.name}@${n.version}: B1 lacks ${missing.join(', ')}`);
    }
  }
  const sbomB1: number[] = [];
  for (let r = 0; r < 3; r++) {
    const s = now();
    const comps = componentsOfCycloneDx(sboms[r % sboms.length]!).map((c) => {
      const n = normalizeComponent(c);
      return n.ok ? n.value : null;
    });
    await b1.match(comps);
    sbomB1.push(now() - s);
  }
  b1Figures = { ingestMs: b1.ingestMs, loadMs: b1.loadMs, fullMs, sbomP50: pct(sbomB1, 50), pairs, b0Pairs, outside };
  b1.close();
}

// ---- report ----
const refs = stats.references;
const figures = {
  inventories: INVENTORIES,
  components_per_inventory: COMPONENTS,
  advisories: advisories.length,
  references: refs,
  distinct_components: stats.components,
  findings: all.findings,
  ingest_advisories_per_s: Math.round(advisories.length / (ingestMs / 1000)),
  index_build_ms: Math.round(ingestMs + invMs),
  index_mb: Math.round(heapInv - heap0),
  full_rematch_ms: Math.round(fullMs),
  full_rematch_cpu_ms: Math.round(fullCpuMs),
  full_rematch_second_ms: Math.round(fullWarmMs),
  full_rematch_second_cpu_ms: Math.round(fullWarmCpuMs),
  new_sbom_p50_ms: +pct(sbomMs, 50).toFixed(2),
  new_sbom_p99_ms: +pct(sbomMs, 99).toFixed(2),
  new_sbom_cpu_p50_ms: +pct(sbomCpuMs, 50).toFixed(2),
  new_sbom_cpu_p99_ms: +pct(sbomCpuMs, 99).toFixed(2),
  new_advisory_p50_ms: +pct(advMs, 50).toFixed(3),
  new_advisory_p99_ms: +pct(advMs, 99).toFixed(3),
  new_advisory_max_ms: +Math.max(...advMs).toFixed(3),
  new_advisory_cpu_p50_ms: +pct(advCpuMs, 50).toFixed(3),
  new_advisory_cpu_p99_ms: +pct(advCpuMs, 99).toFixed(3),
  new_advisory_cpu_max_ms: +Math.max(...advCpuMs).toFixed(3),
  new_advisory_query_p99_ms: +pct(advQueryMs, 99).toFixed(3),
  mb_per_million_refs: +(((heapInv - heapAdv) / refs) * 1e6).toFixed(1),
  disagreements_vs_b0: disagreements,
  b0_full_match_ms_scaled: Math.round(b0FullMs),
  b0_new_sbom_p50_ms: +pct(b0SbomMs, 50).toFixed(1),
  b0_new_advisory_p50_ms: +pct(b0AdvMs, 50).toFixed(1),
  speedup_vs_b0: +(b0FullMs / fullMs).toFixed(1),
  speedup_vs_b0_new_sbom: +(pct(b0SbomMs, 50) / pct(sbomMs, 50)).toFixed(1),
  speedup_vs_b0_new_advisory: +(pct(b0AdvMs, 50) / pct(advMs, 50)).toFixed(0),
  speedup_vs_b1: b1Figures ? +(b1Figures.fullMs / fullMs).toFixed(1) : null,
  b1_ingest_ms: b1Figures ? Math.round(b1Figures.ingestMs + b1Figures.loadMs) : null,
  b1_full_match_ms_scaled: b1Figures ? Math.round(b1Figures.fullMs) : null,
  b1_new_sbom_p50_ms: b1Figures ? +b1Figures.sbomP50.toFixed(1) : null,
  speedup_vs_b1_new_sbom: b1Figures ? +(b1Figures.sbomP50 / pct(sbomMs, 50)).toFixed(1) : null,
  b1_pairs_vs_b0: b1Figures ? `${b1Figures.pairs}/${b1Figures.b0Pairs}` : null,
  load_average_start: loadStart,
  load_average_end: load(),
};

if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  const rows: [string, string, string][] = [
    ['advisories (ingested)', String(figures.advisories), ''],
    ['inventories x components', `${INVENTORIES} x ${COMPONENTS} = ${refs} refs (${stats.components} distinct)`, ''],
    ['cold ingest', `${figures.ingest_advisories_per_s} advisories/s`, ''],
    [
      'index build (ingest + inventories)',
      `${(figures.index_build_ms / 1000).toFixed(2)} s, ${figures.index_mb} MB heap`,
      '',
    ],
    [
      'full portfolio re-match, first run (wall / CPU)',
      `${figures.full_rematch_ms} / ${figures.full_rematch_cpu_ms} ms (${all.findings} findings)`,
      '<= 500 ms',
    ],
    [
      'full portfolio re-match, second run (wall / CPU)',
      `${figures.full_rematch_second_ms} / ${figures.full_rematch_second_cpu_ms} ms`,
      '',
    ],
    [
      'new 1 MB SBOM -> findings p50 / p99 wall',
      `${figures.new_sbom_p50_ms} / ${figures.new_sbom_p99_ms} ms`,
      '<= 20 ms p99',
    ],
    ['  the same, CPU p50 / p99', `${figures.new_sbom_cpu_p50_ms} / ${figures.new_sbom_cpu_p99_ms} ms`, ''],
    [
      'new advisory -> inventories p50 / p99 / max wall',
      `${figures.new_advisory_p50_ms} / ${figures.new_advisory_p99_ms} / ${figures.new_advisory_max_ms} ms`,
      '<= 1 ms p99',
    ],
    [
      '  the same, CPU p50 / p99 / max',
      `${figures.new_advisory_cpu_p50_ms} / ${figures.new_advisory_cpu_p99_ms} / ${figures.new_advisory_cpu_max_ms} ms`,
      '',
    ],
    ['  of which the inventories query, p99', `${figures.new_advisory_query_p99_ms} ms`, ''],
    ['memory per million references', `${figures.mb_per_million_refs} MB`, '<= 40 MB'],
    ['disagreements with B0', String(disagreements), '0'],
    [
      `B0 full match (scaled from ${sampleIds.length} inventories)`,
      `${figures.b0_full_match_ms_scaled} ms -> index is ${figures.speedup_vs_b0}x faster`,
      '',
    ],
    ['B0 new SBOM p50', `${figures.b0_new_sbom_p50_ms} ms -> index ${figures.speedup_vs_b0_new_sbom}x`, ''],
    [
      'B0 new advisory p50 (scans all refs)',
      `${figures.b0_new_advisory_p50_ms} ms -> index ${figures.speedup_vs_b0_new_advisory}x`,
      '',
    ],
    ...((): [string, string, string][] => {
      if (!b1Figures)
        return [['B1 (@renovatebot/osv-offline-db)', `not run: ${(b1 as { skipped: string }).skipped}`, '']];
      return [
        [
          'B1 store write + load (osv-offline-db)',
          `${(b1Figures.ingestMs / 1000).toFixed(1)} s + ${(b1Figures.loadMs / 1000).toFixed(1)} s`,
          '',
        ],
        [
          `B1 full match (scaled from ${Math.min(B1_SAMPLE, sampleIds.length)} inventories)`,
          `${figures.b1_full_match_ms_scaled} ms -> index is ${figures.speedup_vs_b1}x faster`,
          '',
        ],
        ['B1 new SBOM p50', `${figures.b1_new_sbom_p50_ms} ms -> index ${figures.speedup_vs_b1_new_sbom}x`, ''],
        [
          'B1 (component, advisory) pairs vs B0',
          `${b1Figures.pairs} / ${b1Figures.b0Pairs} on its ecosystems (${b1Figures.outside} components outside them)`,
          'equal',
        ],
        ['B1 new advisory -> inventories', 'no reverse index: a scan of the portfolio, as B0', ''],
      ];
    })(),
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  const w2 = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 1e9)} GB, Node ${process.version}`,
  );
  console.log(
    `load average (1, 5, 15 min): ${loadStart.join(' ')} at the start, ${figures.load_average_end.join(' ')} at the end`,
  );
  console.log(`| ${'figure'.padEnd(w)} | ${'value'.padEnd(w2)} | target |`);
  console.log(`| ${'-'.repeat(w)} | ${'-'.repeat(w2)} | ------ |`);
  for (const [a, b, c] of rows) console.log(`| ${a.padEnd(w)} | ${b.padEnd(w2)} | ${c} |`);
}
