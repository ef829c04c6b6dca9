/**
 * Portal benchmark: the requests the advisories page makes, against 10,000 advisories (mixed TLP) in a temporary
 * SQLite file, through the real app (in-process inject, so no network in the figures). Prints median and p95 per
 * request kind, for an anonymous visitor and a signed-in member (session cookie).
 *   npm run bench:portal [-- --advisories 10000 --runs 30]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_ACTOR } from '../../src/audit/audit.js';
import { loadConfig } from '../../src/config.js';
import { inTx } from '../../src/db/tx.js';
import { decodeOsv } from '../../src/formats/osv/index.js';
import { buildApp } from '../../src/http/app.js';
import { openRuntime } from '../../src/main.js';
import { projectRoot } from '../../src/paths.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('--advisories', 10_000);
const RUNS = arg('--runs', 30);
const TLPS = ['CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'CLEAR', 'GREEN', 'GREEN', 'AMBER'] as const;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-portal-'));
  const config = {
    ...loadConfig({ CLEARINGHOUSE_LOG_LEVEL: 'silent', CLEARINGHOUSE_RATE_LIMIT_PER_MINUTE: '1000000' }),
    databaseUrl: `sqlite:${join(dir, 'bench.db')}`,
  };
  const runtime = await openRuntime(config);
  const s = runtime.services;
  const coordinator = await s.participants.consolePrincipal();
  const fixtures = readFileSync(join(projectRoot(), 'fixtures', 'osv', 'valid-sample.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const t0 = performance.now();
  const BATCH = 500;
  for (let start = 0; start < N; start += BATCH)
    await inTx(s.db, async (tx) => {
      for (let i = start; i < Math.min(N, start + BATCH); i++) {
        const base = fixtures[i % fixtures.length]!;
        const id = `x_BENCH-${String(i).padStart(6, '0')}`;
        const d = decodeOsv({
          ...base,
          id,
          aliases: [`CVE-2099-${10_000 + i}`],
          summary: `${String(base.summary ?? 'advisory')} (bench ${i})`,
        });
        if (!d.ok) continue;
        await s.advisories.importDocument(tx, SYSTEM_ACTOR, `bench:${id}`, d.value, {
          ownerOrgId: coordinator.viewer.orgId,
          authorMemberId: null,
          tlp: TLPS[i % TLPS.length]!,
          sharingGroupId: null,
          embargoUntil: null,
          sharedOrgIds: [],
          namedMemberIds: [],
          embargoOrgIds: [],
        });
      }
    });
  const count = await s.db.kysely
    .selectFrom('advisories')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  process.stderr.write(`seeded ${count?.n} advisories in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const org = await s.participants.createOrg(coordinator, {
    name: 'Bench Operator',
    kind: 'infrastructure_operator',
    sector: 'energy',
    admin: { email: 'admin@bench.test', name: 'Bench admin' },
  });
  await s.portal.setPasswordDirect(org.admin!.id, 'bench password long enough', 'bench');
  const app = await buildApp(s);
  const signIn = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'admin@bench.test', password: 'bench password long enough' }),
  });
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;

  async function time(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ ms: number[]; body: { nextCursor?: string | null; items?: unknown[] } }> {
    const ms: number[] = [];
    let body = {};
    for (let r = 0; r < RUNS; r++) {
      const a = performance.now();
      const res = await app.inject({ method: 'GET', url, headers });
      ms.push(performance.now() - a);
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      body = JSON.parse(res.body);
    }
    return { ms, body };
  }
  const q = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  const rows: string[][] = [];
  for (const [who, headers] of [
    ['anonymous', {}],
    ['member (cookie)', { cookie }],
  ] as const) {
    const first = await time('/api/v1/advisories?limit=25', headers);
    const cursor = first.body.nextCursor ?? '';
    const someId = (first.body.items?.[3] as { id: string } | undefined)?.id ?? 'none';
    const cases: [string, string][] = [
      ['first page (25)', '/api/v1/advisories?limit=25'],
      ['next page by cursor', `/api/v1/advisories?limit=25&cursor=${encodeURIComponent(cursor)}`],
      ['search words', '/api/v1/advisories?limit=25&q=denial%20of%20service'],
      ['search alias', '/api/v1/advisories?limit=25&q=CVE-2099-15000'],
      ['filter severity', '/api/v1/advisories?limit=25&severity=HIGH'],
      ['detail', `/api/v1/advisories/${someId}`],
    ];
    for (const [name, url] of cases) {
      const { ms, body } = await time(url, headers);
      rows.push([who, name, q(ms, 0.5).toFixed(1), q(ms, 0.95).toFixed(1), String(body.items?.length ?? 1)]);
    }
  }
  process.stdout.write(`advisories: ${N}, runs per request: ${RUNS}, SQLite file, in-process requests\n`);
  process.stdout.write('| viewer | request | median ms | p95 ms | items |\n| --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
  await app.close();
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
