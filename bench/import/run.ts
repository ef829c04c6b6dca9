/**
 * Import benchmark (npm run bench:import [-- --backend sqlite|postgres --source PATH --runs N --decode-only]).
 * Imports a folder of OSV data (default ../shared/data/osv) into a fresh database through ImportService, the same
 * path as `clearinghouse import osv`, then again (everything unchanged), and prints records/s with wall and CPU time
 * (the machine is shared: CPU time says more than wall time when other work runs). --decode-only times reading and
 * decoding alone, the floor any storage speed-up is measured against.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { type Db, openDb } from '../../src/db/connect.js';
import { decodeRecord } from '../../src/formats/import/decode.js';
import { readSource } from '../../src/formats/import/sources.js';
import { openRuntime } from '../../src/main.js';
import { clocks } from '../clocks.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const BACKEND = opt('backend', 'sqlite');
const SOURCE = resolve(opt('source', resolve(import.meta.dirname, '../../../shared/data/osv')));
const RUNS = Number(opt('runs', '2'));
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

if (!existsSync(SOURCE)) {
  console.error(`no data at ${SOURCE}`);
  process.exit(2);
}

const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en');

if (args.includes('--decode-only')) {
  const done = clocks();
  let n = 0;
  for await (const rec of readSource('osv', SOURCE, { allowRemote: false })) {
    if (rec.value !== undefined) decodeRecord('osv', rec.value);
    n++;
  }
  const { wall, cpu } = done();
  console.log(
    `decode only: ${n} records, ${wall.toFixed(1)} s wall (${rate(n, wall)} records/s), ${cpu.toFixed(1)} s CPU`,
  );
  process.exit(0);
}

let schema: string | undefined;
let db: Db;
if (BACKEND === 'postgres') {
  schema = `bench_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  db = openDb(PG_URL, { schema, poolSize: 4 });
} else db = openDb('sqlite::memory:');

const token = `chk_bench_${randomBytes(16).toString('hex')}`;
const config = {
  ...loadConfig({ CLEARINGHOUSE_ADMIN_TOKEN: token, CLEARINGHOUSE_LOG_LEVEL: 'silent' }),
  databaseUrl: BACKEND === 'postgres' ? PG_URL : 'sqlite::memory:',
};
const runtime = await openRuntime(config, { db });
try {
  const caller = await runtime.services.participants.authenticate(token);
  console.log(`import bench: ${BACKEND}, ${SOURCE}`);
  for (let run = 1; run <= RUNS; run++) {
    const done = clocks();
    const s = await runtime.services.imports.importRecords(
      caller,
      'osv',
      readSource('osv', SOURCE, { allowRemote: false }),
    );
    const { wall, cpu } = done();
    console.log(
      `run ${run}: ${s.records} records (${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ` +
        `${s.rejectedCount} rejected) in ${wall.toFixed(1)} s wall = ${rate(s.records, wall)} records/s; ` +
        `${cpu.toFixed(1)} s CPU = ${rate(s.records, cpu)} records/CPU-s`,
    );
  }
} finally {
  await runtime.close();
  if (schema) {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  }
}
