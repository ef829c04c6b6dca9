/**
 * Exposure benchmark (npm run bench:exposure [-- --advisories N --assets N --components N --seed N --database URL
 * --json]): the whole path through the exposure service on a real database, not the bare index (bench:matching does
 * that). Advisories are imported (staged OSV sets or the fixture subset, replicated to N); assets get CycloneDX 1.5
 * SBOMs of real package names and versions drawn (Zipf) near advisory bounds. It prints:
 * - SBOM upload (parse, schema validation, store, match, findings, audit; one transaction) p50/p99, 500 components;
 * - 1 MB SBOM upload p50/p99;
 * - index load at start (every advisory and every current inventory read from the database), time and heap;
 * - new advisory published (its transaction stores the findings of every asset it touches) p50/p99, assets touched;
 * - marking change of that advisory (the findings naming it get their priority again, same transaction) p50/p99.
 * Timed figures are wall clock, with the process's CPU time beside the p50 (bench/clocks.ts): the machine may be shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { loadConfig } from '../../src/config.js';
import { inTx } from '../../src/db/tx.js';
import { ExposureService } from '../../src/exposure/exposure.service.js';
import { importedAdvisory } from '../../src/formats/csaf/testing/samples.js';
import { openRuntime } from '../../src/main.js';
import { normalizeEcosystem } from '../../src/matching/ecosystem.js';
import type { ComponentInput, MatchAdvisory } from '../../src/matching/types.js';
import { advisoryPublishSchema } from '../../src/vulnerabilities/advisory.schema.js';
import { marking } from '../../test/fixtures.js';
import { clocks } from '../clocks.js';
import { candidateComponents, cyclonedxJson, loadAdvisories, makeInventory, rng, zipf } from '../matching/portfolio.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ADVISORIES = opt('advisories', 5_000);
const ASSETS = opt('assets', 200);
const COMPONENTS = opt('components', 500);
const SEED = opt('seed', 42);
const NEW_ADVISORIES = opt('new-advisories', 30);
const JSON_OUT = args.includes('--json');
const dbArg = args.indexOf('--database');

const log = (s: string) => {
  if (!JSON_OUT) process.stderr.write(`${s}\n`);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Wall and CPU milliseconds of each timed call. */
interface Timings {
  wall: number[];
  cpu: number[];
}
const timings = (): Timings => ({ wall: [], cpu: [] });
async function timed<T>(into: Timings, f: () => Promise<T>): Promise<T> {
  const elapsed = clocks();
  const out = await f();
  const { wall, cpu } = elapsed();
  into.wall.push(wall * 1000);
  into.cpu.push(cpu * 1000);
  return out;
}
/** p50 / p99 of the wall times, and the CPU p50. */
const summary = (t: Timings) =>
  t.wall.length
    ? { p50: r2(pct(t.wall, 50)), p99: r2(pct(t.wall, 99)), cpu_p50: r2(pct(t.cpu, 50)) }
    : { p50: null, p99: null, cpu_p50: null };
const shown = (t: ReturnType<typeof summary>) => `${t.p50} / ${t.p99} ms (CPU ${t.cpu_p50} ms at p50)`;

const PURL_TYPE: Record<string, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  'crates.io': 'cargo',
  Go: 'golang',
  Maven: 'maven',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  CRAN: 'cran',
  Hackage: 'hackage',
  Julia: 'julia',
  Hex: 'hex',
  Pub: 'pub',
};

/** A purl for a component the advisories name (SBOMs carry purls), or null for ecosystems purls do not cover here. */
function toPurl(c: ComponentInput): string | null {
  if ('purl' in c && c.purl && !('ecosystem' in c)) return c.purl;
  if (!('ecosystem' in c)) return null;
  const type = PURL_TYPE[normalizeEcosystem(c.ecosystem).base];
  if (!type) return null;
  let ns: string | undefined;
  let name = c.name;
  if (type === 'maven') [ns, name] = c.name.split(':') as [string, string];
  else if (type === 'golang' || type === 'composer' || (type === 'npm' && c.name.startsWith('@'))) {
    const i = c.name.lastIndexOf('/');
    if (i > 0) [ns, name] = [c.name.slice(0, i), c.name.slice(i + 1)];
  }
  try {
    return new PackageURL(type, ns, name, c.version, undefined, undefined).toString();
  } catch {
    return null;
  }
}

/** The advisory as `importDocument` takes it, dated `at`. */
const toImported = (a: MatchAdvisory, at: string) =>
  importedAdvisory({
    aliases: [...(a.aliases ?? [])],
    summary: a.id,
    affected: [...(a.affected ?? [])],
    published: at,
    modified: at,
    withdrawn: (a.withdrawn as string | null | undefined) ?? null,
  });

async function main() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'bench-exposure-'));
  const url = dbArg >= 0 ? args[dbArg + 1]! : `sqlite:${join(tmp, 'bench.db')}`;
  const config = {
    ...loadConfig({
      CLEARINGHOUSE_LOG_LEVEL: 'silent',
      CLEARINGHOUSE_ADMIN_TOKEN: 'chk_bench_exposure_0123456789abcdef',
    }),
    databaseUrl: url,
    bodyLimitBytes: 64 * 1024 * 1024,
  };
  const runtime = await openRuntime(config);
  const s = runtime.services;
  const coordinator = await s.participants.consolePrincipal();
  try {
    // ---- advisories ----
    const src = loadAdvisories(ADVISORIES);
    const advisories = src.advisories.slice(0, ADVISORIES);
    log(`advisories: ${advisories.length} from ${src.origin}`);
    const owned = marking(coordinator.viewer.orgId);
    const at = new Date().toISOString();
    const stored = new Map<string, string>();
    const imported = clocks();
    for (let i = 0; i < advisories.length; i += 500) {
      await inTx(s.db, async (tx) => {
        for (const a of advisories.slice(i, i + 500)) {
          const r = await s.advisories.importDocument(
            tx,
            { orgId: null, memberId: null },
            `bench:${a.id}`,
            toImported(a, at),
            owned,
          );
          stored.set(a.id, r.id);
        }
      });
    }
    const importMs = imported().wall * 1000;
    await s.exposure.ensureLoaded();

    // ---- assets: organisations and SBOM uploads ----
    const random = rng(SEED);
    const candidates = candidateComponents(advisories, random)
      .map((c) => toPurl(c))
      .filter((p): p is string => p !== null)
      .map((purl) => ({ purl }));
    const draw = zipf(candidates.length, random);
    const orgs: Awaited<ReturnType<typeof s.participants.authenticate>>[] = [];
    for (let i = 0; i < 10; i++) {
      const o = await s.participants.createOrg(coordinator, {
        name: `Bench operator ${i}`,
        kind: 'infrastructure_operator',
        sector: 'energy',
        admin: { email: `bench${i}@operator.test`, name: `admin ${i}` },
      } as never);
      orgs.push(await s.participants.authenticate((o as { secret: string }).secret));
    }
    const uploadMs = timings();
    let findings = 0;
    let size = 0;
    for (let i = 0; i < ASSETS; i++) {
      const sbom = cyclonedxJson(makeInventory(candidates, COMPONENTS, draw), 0);
      size += sbom.length;
      const res = await timed(uploadMs, () => s.exposure.upload(orgs[i % orgs.length]!, `asset-${i}`, sbom));
      findings += res.findings.created;
    }
    log(
      `uploaded ${ASSETS} SBOMs of ${COMPONENTS} components (${r2(size / ASSETS / 1024)} KB each), ${findings} findings`,
    );

    const bigMs = timings();
    const big = cyclonedxJson(makeInventory(candidates, 2000, draw), 1024 * 1024);
    for (let i = 0; i < 10; i++) await timed(bigMs, () => s.exposure.upload(orgs[0]!, 'one-megabyte', big));

    // ---- index load, as at start ----
    const before = heapMb();
    const fresh = new ExposureService(s.db, s.audit, s.clock, {
      outbox: () => undefined,
      bus: () => undefined,
      maxSbomBytes: config.bodyLimitBytes,
    });
    const stats = await fresh.ensureLoaded();
    const loadHeap = heapMb() - before;

    // ---- new advisories: copies of advisories that name a component many assets hold ----
    const held = (a: MatchAdvisory) => s.exposure.index.assetsForAdvisory(stored.get(a.id) ?? '').length;
    const hot = advisories.filter((a) => held(a) > 0);
    hot.sort((x, y) => held(y) - held(x));
    const publishMs = timings();
    const markingMs = timings();
    const touched: number[] = [];
    for (let i = 0; i < Math.min(NEW_ADVISORIES, hot.length); i++) {
      const a = hot[i % hot.length]!;
      const input = advisoryPublishSchema.parse({
        summary: `New flaw number ${i} in ${a.affected?.[0]?.package?.name ?? 'a package'}`,
        affected: (a.affected ?? [])
          .filter((x) => x.package)
          .map((x) => ({
            package: { ecosystem: x.package!.ecosystem, name: x.package!.name },
            ranges: (x.ranges ?? []).filter((r) => r.type !== 'GIT'),
            versions: x.versions ?? [],
          }))
          .filter((x) => x.ranges.length > 0 || x.versions.length > 0),
        marking: { tlp: 'CLEAR' },
      });
      const adv = await timed(publishMs, () => s.advisories.publish(coordinator, input));
      touched.push(s.exposure.index.assetsForAdvisory(adv.id).length);
      await timed(markingMs, () => inTx(s.db, (tx) => s.advisories.markingChanged(tx, adv.id)));
    }

    const out = {
      backend: s.db.dialect,
      advisories: advisories.length,
      assets: ASSETS,
      components_per_asset: COMPONENTS,
      findings_created: findings,
      import_advisories_per_s: Math.round(advisories.length / (importMs / 1000)),
      upload_ms: summary(uploadMs),
      upload_1mb_ms: summary(bigMs),
      index_load_ms: stats.ms,
      index_load_heap_mb: r2(loadHeap),
      index_components: stats.components,
      new_advisory_ms: summary(publishMs),
      new_advisory_assets_touched_max: touched.length ? Math.max(...touched) : 0,
      marking_change_ms: summary(markingMs),
    };
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      const cpu = os.cpus();
      process.stdout.write(
        `machine: ${cpu.length} x ${cpu[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 1e9)} GB, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}\n`,
      );
      const rows: [string, string][] = [
        ['backend', `${out.backend} (${url.startsWith('sqlite:') ? 'file' : 'server'})`],
        ['advisories (imported)', `${out.advisories} at ${out.import_advisories_per_s}/s`],
        ['assets x components', `${ASSETS} x ${COMPONENTS}, ${findings} findings`],
        ['SBOM upload (500 components) p50 / p99', shown(out.upload_ms)],
        ['1 MB SBOM upload (2,000 components) p50 / p99', shown(out.upload_1mb_ms)],
        [
          'index load at start',
          `${out.index_load_ms} ms, ${out.index_load_heap_mb} MB heap, ${stats.components} components`,
        ],
        [
          'new advisory published (findings stored) p50 / p99',
          `${shown(out.new_advisory_ms)}, up to ${out.new_advisory_assets_touched_max} assets`,
        ],
        ['marking change of that advisory (priorities again) p50 / p99', shown(out.marking_change_ms)],
      ];
      process.stdout.write('| figure | value |\n| --- | --- |\n');
      for (const [k, v] of rows) process.stdout.write(`| ${k} | ${v} |\n`);
    }
  } finally {
    await runtime.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
