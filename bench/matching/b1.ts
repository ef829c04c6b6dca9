/**
 * Baseline B1: a peer from the field, @renovatebot/osv-offline-db (Renovate's offline OSV store, MIT), run offline as
 * documented: one NeDB file per ecosystem under OSV_OFFLINE_ROOT_DIR, `OsvOfflineDb.create()`, then
 * `query(ecosystem, packageName)` per component; the records it returns are checked with B0's range check
 * (prepareAdvisory + matchComponent), as the benchmark's description asks. Its ecosystems are the eleven it knows;
 * components of other ecosystems (Debian, Alpine, ...) are outside B1 and counted apart.
 *
 * The store's files are written here from the same advisories the index takes (the peer's own downloader fetches
 * osv.dev's zips, which this machine cannot reach); package names are written in our normalised form so that B1 and
 * the index look up the same packages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchComponent, prepareAdvisory } from '../../src/matching/b0.js';
import { normalizeEcosystem, normalizeName } from '../../src/matching/ecosystem.js';
import type { MatchAdvisory, NormalComponent } from '../../src/matching/types.js';

const require = createRequire(import.meta.url);

interface OsvOfflineDbClass {
  rootDirectory: string;
  create(): Promise<{ query(ecosystem: string, name: string): Promise<MatchAdvisory[]> }>;
}
interface NedbStore {
  insertAsync(docs: unknown[]): Promise<unknown>;
  compactDatafileAsync?: () => Promise<void>;
}

const ECOSYSTEMS = [
  'crates.io',
  'Go',
  'Hackage',
  'Hex',
  'Maven',
  'npm',
  'NuGet',
  'Packagist',
  'Pub',
  'PyPI',
  'RubyGems',
];
const PURL_TYPE: Record<string, string> = {
  'crates.io': 'cargo',
  Go: 'golang',
  Hackage: 'hackage',
  Hex: 'hex',
  Maven: 'maven',
  NuGet: 'nuget',
  npm: 'npm',
  Packagist: 'composer',
  PyPI: 'pypi',
  Pub: 'pub',
  RubyGems: 'gem',
};
export const B1_ECOSYSTEMS: ReadonlySet<string> = new Set(ECOSYSTEMS);

/** The peer's query matches `package` by equality with this purl (its own purl helper's rule). */
const purlOf = (eco: string, name: string) =>
  `pkg:${PURL_TYPE[eco]}/${(eco === 'Maven' ? name.replace(':', '/') : name).split('/').map(encodeURIComponent).join('/')}`;

export interface B1 {
  ingestMs: number;
  loadMs: number;
  /** Findings (component, advisory ids) of components, through the peer's store + B0's range check. */
  match(
    comps: readonly (NormalComponent | null)[],
  ): Promise<{ ids: number; outside: number; perComponent: Map<string, string[]> }>;
  close(): void;
}

export async function startB1(advisories: readonly MatchAdvisory[]): Promise<B1 | { skipped: string }> {
  let Db: OsvOfflineDbClass;
  let Datastore: new (o: { filename: string }) => NedbStore & { loadDatabaseAsync(): Promise<void> };
  try {
    Db = require('@renovatebot/osv-offline-db').OsvOfflineDb as OsvOfflineDbClass;
    Datastore = require('@seald-io/nedb');
  } catch (e) {
    return { skipped: `not installed (${(e as Error).message.split('\n')[0]})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'osv-offline-'));
  const t0 = performance.now();
  const byEco = new Map<string, unknown[]>();
  for (const a of advisories) {
    if (a.withdrawn) continue;
    const per = new Map<string, unknown[]>();
    for (const af of a.affected ?? []) {
      if (!af.package) continue;
      const base = normalizeEcosystem(af.package.ecosystem).base;
      if (!PURL_TYPE[base]) continue;
      const name = normalizeName(base, af.package.name);
      const list = per.get(base) ?? [];
      list.push({ ...af, package: { name, ecosystem: base, purl: purlOf(base, name) } });
      per.set(base, list);
    }
    for (const [base, affected] of per) {
      const docs = byEco.get(base) ?? [];
      docs.push({ ...a, affected });
      byEco.set(base, docs);
    }
  }
  for (const eco of ECOSYSTEMS) {
    const store = new Datastore({ filename: join(dir, `${eco.toLowerCase()}.nedb`) });
    await store.loadDatabaseAsync();
    const docs = byEco.get(eco) ?? [];
    for (let i = 0; i < docs.length; i += 5000) await store.insertAsync(docs.slice(i, i + 5000));
    await store.compactDatafileAsync?.();
  }
  const ingestMs = performance.now() - t0;
  Db.rootDirectory = dir;
  const t1 = performance.now();
  const db = await Db.create();
  const loadMs = performance.now() - t1;
  return {
    ingestMs,
    loadMs,
    async match(comps) {
      let ids = 0;
      let outside = 0;
      const seen = new Set<string>();
      const perComponent = new Map<string, string[]>();
      for (const c of comps) {
        if (!c || seen.has(c.key)) continue;
        seen.add(c.key);
        if (!PURL_TYPE[c.base]) {
          outside++;
          continue;
        }
        const records = await db.query(c.base, c.name);
        const found = matchComponent(c, records.map(prepareAdvisory));
        ids += found.length;
        perComponent.set(c.key, found);
      }
      return { ids, outside, perComponent };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
