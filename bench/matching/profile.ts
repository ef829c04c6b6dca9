/**
 * CPU profiles of the matching index's timed paths (npm run bench:matching builds the same portfolio):
 *   node --expose-gc --import tsx bench/matching/profile.ts [--out DIR] [--inventories N]
 * writes rematch-cold.cpuprofile, rematch-warm.cpuprofile and new-advisory.cpuprofile (open them in Chrome
 * DevTools) and prints the top self-time functions of each.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { MatchIndex } from '../../src/matching/match-index.js';
import { candidateComponents, loadAdvisories, makeInventory, rng, zipf } from './portfolio.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const OUT = opt('out', '.');
const INVENTORIES = Number(opt('inventories', '10000'));
const random = rng(42);
const { advisories, base } = loadAdvisories(50_000);
const candidates = candidateComponents(advisories.slice(0, base), random);
const draw = zipf(candidates.length, random);
const idx = new MatchIndex();
for (const a of advisories) idx.upsertAdvisory(a);
for (let i = 0; i < INVENTORIES; i++) idx.upsertInventory(`inv${i}`, makeInventory(candidates, 500, draw));

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });

async function profiled(name: string, fn: () => void): Promise<void> {
  await session.post('Profiler.start');
  const t = performance.now();
  fn();
  const ms = performance.now() - t;
  const { profile } = (await session.post('Profiler.stop')) as { profile: { nodes: Node[]; samples: number[] } };
  writeFileSync(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
  const self = new Map<string, number>();
  const total = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const k = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + (n.hitCount ?? 0));
  }
  console.log(`\n== ${name}: ${ms.toFixed(1)} ms`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

await profiled('rematch-cold', () => idx.rematchAll());
await profiled('rematch-warm', () => idx.rematchAll());
const times: number[] = [];
await profiled('new-advisory', () => {
  for (let r = 0; r < 400; r++) {
    const src = advisories[Math.floor(random() * base)]!;
    const a = { ...src, id: `NEW-${r}`, withdrawn: null };
    const s = performance.now();
    idx.upsertAdvisory(a);
    idx.inventoriesForAdvisory(a.id);
    times.push(performance.now() - s);
    idx.removeAdvisory(a.id);
  }
});
times.sort((a, b) => a - b);
console.log(
  `new advisory p50 ${times[200]!.toFixed(3)} p99 ${times[396]!.toFixed(3)} max ${times[399]!.toFixed(3)} ms`,
);
session.disconnect();
