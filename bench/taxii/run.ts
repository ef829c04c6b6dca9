/**
 * TAXII benchmark (npm run bench:taxii [-- --advisories N --limit L]). A fresh in-memory SQLite clearinghouse gets N
 * imported advisories (two thirds TLP:CLEAR, one third GREEN; three STIX objects each), then prints: the catch-up that
 * records their object versions (objects/s), a full walk of the public collection anonymously and of the participants
 * collection as a member with limit + next (ms per page: first, median, last), and object-by-id reads. Wall and CPU
 * time (the machine may be shared).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/connect.js';
import { collectionId } from '../../src/formats/taxii/collections.js';
import { TAXII_MEDIA_TYPE } from '../../src/formats/taxii/media.js';
import { buildApp } from '../../src/http/app.js';
import { openRuntime } from '../../src/main.js';
import { importPackageAdvisories } from '../../test/fixtures.js';
import { clocks, median } from '../clocks.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const N = Number(opt('advisories', '10000'));
const LIMIT = Number(opt('limit', '1000'));

const token = `chk_bench_${randomBytes(16).toString('hex')}`;
const config = {
  ...loadConfig({
    CLEARINGHOUSE_ADMIN_TOKEN: token,
    CLEARINGHOUSE_LOG_LEVEL: 'silent',
    CLEARINGHOUSE_RATE_LIMIT_PER_MINUTE: '1000000',
  }),
  databaseUrl: 'sqlite::memory:',
};
const runtime = await openRuntime(config, { db: openDb('sqlite::memory:') });
const s = runtime.services;
const app = await buildApp(s);
try {
  const p = await s.participants.authenticate(token);
  const member = await s.participants.createOrg(p, {
    name: 'Bench member',
    kind: 'vendor',
    admin: { email: 'admin@bench.test', name: 'Bench admin' },
  });
  const memberToken = member.secret!;
  const seeded = clocks();
  await importPackageAdvisories(s, { orgId: p.viewer.orgId, memberId: p.viewer.memberId }, N, {
    prefix: 'bench',
    summary: 'Benchmark flaw',
    source: 'bench',
    batch: 500,
  });
  const seed = seeded();
  console.log(`taxii bench: sqlite (in memory), ${N} advisories seeded in ${seed.wall.toFixed(1)} s`);

  const caught = clocks();
  await s.taxii.catchUp();
  const cu = caught();
  const objects = Number(
    (
      await s.db.kysely
        .selectFrom('taxii_objects')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  console.log(
    `catch-up: ${objects} object versions in ${cu.wall.toFixed(1)} s wall (${Math.round(objects / cu.wall)} objects/s), ${cu.cpu.toFixed(1)} s CPU`,
  );

  const walk = async (label: string, collection: string, auth: string | null) => {
    const times: number[] = [];
    let n = 0;
    let next: string | undefined;
    const done = clocks();
    for (;;) {
      const t = performance.now();
      const r = await app.inject({
        method: 'GET',
        url: `/taxii2/api/collections/${collection}/objects/?limit=${LIMIT}${next ? `&next=${next}` : ''}`,
        headers: { accept: TAXII_MEDIA_TYPE, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      });
      times.push(performance.now() - t);
      if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
      const body = JSON.parse(r.body) as { more: boolean; next?: string; objects?: unknown[] };
      n += body.objects?.length ?? 0;
      if (!body.more) break;
      next = body.next;
    }
    const { wall, cpu } = done();
    console.log(
      `${label}: ${n} objects in ${times.length} pages of ${LIMIT}, ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU; ms per page: first ${times[0]!.toFixed(0)}, median ${median(times).toFixed(0)}, last ${times.at(-1)!.toFixed(0)}`,
    );
  };
  await walk('public walk (anonymous)', collectionId('public'), null);
  await walk('participants walk (member)', collectionId('participants'), memberToken);

  const ids = (
    await s.db.kysely
      .selectFrom('taxii_objects')
      .select('object_id')
      .where('object_type', '=', 'vulnerability')
      .limit(100)
      .execute()
  ).map((r) => r.object_id);
  const times: number[] = [];
  for (const id of ids) {
    const t = performance.now();
    await app.inject({
      method: 'GET',
      url: `/taxii2/api/collections/${collectionId('participants')}/objects/${id}/`,
      headers: { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${memberToken}` },
    });
    times.push(performance.now() - t);
  }
  console.log(`object by id (member): median ${median(times).toFixed(1)} ms over ${times.length} reads`);
} finally {
  await app.close();
  await runtime.close();
}
