/**
 * Notification benchmark: the outbox cost inside a producer's transaction, and webhook dispatch throughput to a real
 * receiver on 127.0.0.1 (one node, and on PostgreSQL two nodes draining one queue).
 *   npm run bench:notify [-- --events 5000] [-- --postgres postgres://postgres@127.0.0.1:5432/test] [-- --json]
 * SQLite runs on a temporary file; PostgreSQL on a temporary schema that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { type Db, openDb } from '../../src/db/connect.js';
import { inTx } from '../../src/db/tx.js';
import { openRuntime, type Runtime } from '../../src/main.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const EVENTS = Number(arg('--events') ?? 5000);
const PER_TX = 100;
const json = process.argv.includes('--json');
const pgUrl = arg('--postgres');

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function receiver(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function scenario(backend: string, open: () => Db, nodes: number) {
  const config = {
    ...loadConfig({ CLEARINGHOUSE_LOG_LEVEL: 'silent', CLEARINGHOUSE_WEBHOOK_ALLOW_PRIVATE: 'true' }),
    databaseUrl: backend === 'sqlite' ? 'sqlite:bench' : (pgUrl as string),
  };
  const runtimes: Runtime[] = [];
  for (let i = 0; i < nodes; i++) runtimes.push(await openRuntime(config, { db: open() }));
  const s = (runtimes[0] as Runtime).services;
  const consoleP = await s.participants.consolePrincipal();
  const org = await s.participants.createOrg(consoleP, {
    name: `Bench ${randomBytes(3).toString('hex')}`,
    kind: 'infrastructure_operator',
  });
  const r = await receiver();
  await s.webhooks.create(consoleP, {
    url: r.url,
    eventTypes: ['bench'],
    description: '',
    active: true,
    orgId: org.org.id,
  });

  // 1. Outbox: events enqueued inside producer transactions (100 per transaction).
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += PER_TX)
    await inTx(s.db, (tx) =>
      s.outbox.enqueue(
        tx,
        Array.from({ length: Math.min(PER_TX, EVENTS - i) }, (_, k) => ({
          orgId: org.org.id,
          type: 'bench.event',
          subject: `e${i + k}`,
          payload: { i: i + k, finding: 'F-0000', advisoryIds: ['CH-2026-0001'] },
        })),
      ),
    );
  const enqueueMs = performance.now() - t0;

  // 2. Dispatch: every node drains the queue until nothing is left.
  const t1 = performance.now();
  await Promise.all(
    runtimes.map(async (rt) => {
      for (;;) if ((await rt.services.webhookDispatcher.runOnce()).claimed === 0) return;
    }),
  );
  const dispatchMs = performance.now() - t1;
  const lat = (await s.db.kysely.selectFrom('webhook_attempts').select('latency_ms').execute())
    .map((a) => a.latency_ms)
    .sort((a, b) => a - b);
  const received = r.count();
  await r.close();
  for (const rt of runtimes) await rt.close();
  return {
    backend,
    nodes,
    events: EVENTS,
    enqueue_events_per_s: Math.round(EVENTS / (enqueueMs / 1000)),
    dispatch_deliveries_per_s: Math.round(received / (dispatchMs / 1000)),
    received,
    duplicates: received - EVENTS,
    attempt_latency_p50_ms: pct(lat, 50),
    attempt_latency_p99_ms: pct(lat, 99),
  };
}

const results: Awaited<ReturnType<typeof scenario>>[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ch-bench-notify-'));
try {
  const file = join(dir, 'bench.db');
  results.push(await scenario('sqlite', () => openDb(`sqlite:${file}`), 1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (pgUrl) {
  for (const nodes of [1, 2]) {
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      results.push(await scenario('postgres', () => openDb(pgUrl, { schema, poolSize: 4 }), nodes));
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  }
}

if (json) process.stdout.write(`${JSON.stringify(results)}\n`);
else {
  const cols = Object.keys(results[0] ?? {});
  process.stdout.write(`${cols.join('\t')}\n`);
  for (const r of results) process.stdout.write(`${cols.map((c) => String(r[c as keyof typeof r])).join('\t')}\n`);
}
