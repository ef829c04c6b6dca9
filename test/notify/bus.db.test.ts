/**
 * The change bus: on PostgreSQL two nodes (two pools and two listening connections on one schema, as two server
 * processes would have) exchange messages at commit, never for a rolled-back transaction, never to the origin; the
 * listener comes back after its connection is killed. On SQLite publish is a no-op for other nodes.
 * The same with two real processes: two-nodes.db.test.ts.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/connect.js';
import { inTx } from '../../src/db/tx.js';
import { ChangeBus } from '../../src/notify/bus.js';
import { createTestDb, describeBackends, PG_URL, type TestDb } from '../backends.js';
import { waitFor } from './wait.js';

describeBackends('change bus', (backend) => {
  let dbA: TestDb;
  let dbB: Db;
  let a: ChangeBus;
  let b: ChangeBus;
  const gotA: Record<string, unknown>[] = [];
  const gotB: Record<string, unknown>[] = [];
  let resyncs = 0;

  beforeAll(async () => {
    dbA = await createTestDb(backend);
    dbB = backend === 'postgres' ? openDb(PG_URL, { schema: dbA.schema, poolSize: 2 }) : dbA;
    a = new ChangeBus(dbA, dbA.url);
    b = new ChangeBus(dbB, dbA.url);
    a.subscribe('test', (m) => {
      gotA.push(m);
    });
    b.subscribe('test', (m) => {
      gotB.push(m);
    });
    b.onResync(() => {
      resyncs++;
    });
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    if (dbB !== dbA) await dbB.close();
    await dbA.close();
  });

  if (backend === 'sqlite') {
    it('is a no-op for other nodes on SQLite (one process), and still checks its arguments', async () => {
      await inTx(dbA, (tx) => a.publish(tx, 'test', { n: 1 }));
      await new Promise((r) => setTimeout(r, 50));
      expect(gotA).toEqual([]);
      expect(gotB).toEqual([]);
      await expect(inTx(dbA, (tx) => a.publish(tx, 'bad channel!', {}))).rejects.toThrow(/channel/);
    });
    return;
  }

  it('delivers a message to the other node at commit, not before', async () => {
    let commit: () => void = () => {};
    const held = inTx(dbA, async (tx) => {
      await a.publish(tx, 'test', { n: 'held' });
      await new Promise<void>((r) => {
        commit = r;
      });
    });
    // Another transaction commits meanwhile: its message arrives, the held one does not.
    await inTx(dbA, (tx) => a.publish(tx, 'test', { n: 'probe' }));
    await waitFor(() => gotB.some((m) => m.n === 'probe'), 'probe');
    expect(gotB.some((m) => m.n === 'held')).toBe(false);
    commit();
    await held;
    await waitFor(() => gotB.some((m) => m.n === 'held'), 'held message after commit');
  });

  it('delivers nothing for a transaction that rolls back', async () => {
    await expect(
      inTx(dbA, async (tx) => {
        await a.publish(tx, 'test', { n: 'rolled-back' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await inTx(dbA, (tx) => a.publish(tx, 'test', { n: 'marker' }));
    await waitFor(() => gotB.some((m) => m.n === 'marker'), 'marker');
    expect(gotB.some((m) => m.n === 'rolled-back')).toBe(false);
  });

  it('does not echo to the origin node; messages flow both ways', async () => {
    await inTx(dbB, (tx) => b.publish(tx, 'test', { n: 'from-b' }));
    await waitFor(() => gotA.some((m) => m.n === 'from-b'), 'message from B on A');
    expect(gotA.map((m) => m.n)).toEqual(['from-b']);
    expect(gotB.some((m) => m.n === 'from-b')).toBe(false);
  });

  it('keeps logical channels apart, and refuses oversized messages', async () => {
    const other: unknown[] = [];
    const off = b.subscribe('other', (m) => {
      other.push(m);
    });
    await inTx(dbA, (tx) => a.publish(tx, 'other', { n: 'o1' }));
    await waitFor(() => other.length === 1, 'other channel');
    off();
    await inTx(dbA, (tx) => a.publish(tx, 'other', { n: 'o2' }));
    await inTx(dbA, (tx) => a.publish(tx, 'test', { n: 'after-off' }));
    await waitFor(() => gotB.some((m) => m.n === 'after-off'), 'after-off');
    expect(other).toEqual([{ n: 'o1' }]);
    expect(gotB.some((m) => m.n === 'o1')).toBe(false);
    await expect(inTx(dbA, (tx) => a.publish(tx, 'test', { big: 'x'.repeat(9000) }))).rejects.toThrow(/larger/);
  });

  it('reconnects when the listening connection is killed, and tells subscribers to resync', async () => {
    const pid = await b.listenerPid();
    expect(pid).toBeTypeOf('number');
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await waitFor(() => resyncs === 1, 'resync after reconnect');
    expect(await b.listenerPid()).not.toBe(pid);
    await inTx(dbA, (tx) => a.publish(tx, 'test', { n: 'after-reconnect' }));
    await waitFor(() => gotB.some((m) => m.n === 'after-reconnect'), 'message after reconnect');
  });
});
