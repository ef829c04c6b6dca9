/**
 * Several dispatchers on one database: on PostgreSQL two nodes (two pools, as two processes would have) drain one
 * queue at once and every delivery is sent exactly once (FOR UPDATE SKIP LOCKED). On both backends a claim whose
 * node died mid-delivery is retried by another node once its lease lapses.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/connect.js';
import { inTx } from '../../src/db/tx.js';
import { openRuntime, type Runtime } from '../../src/main.js';
import { claimDue } from '../../src/notify/notify.repository.js';
import { describeBackends, PG_URL } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { type Receiver, startReceiver } from './receiver.js';

const WEBHOOKS = { ...loadConfig({}).webhooks, allowPrivate: true, timeoutMs: 2000 };

describeBackends('dispatch from several nodes', (backend) => {
  let t: TestApp;
  let second: Runtime | null = null;
  let org: TestOrg;
  let r: Receiver;
  let now = new Date('2026-11-26T11:00:00.000Z');
  const clock = () => new Date(now);

  beforeAll(async () => {
    t = await startTestApp(backend, { clock, config: { webhooks: WEBHOOKS } });
    org = await t.org('Dispatch Org', 'infrastructure_operator', 'energy');
    r = await startReceiver();
    const res = await t.req<{ id: string }>('POST', '/api/v1/webhooks', {
      token: org.token,
      body: { url: r.url, eventTypes: ['load'] },
    });
    expect(res.status, res.raw).toBe(201);
    if (backend === 'postgres')
      second = await openRuntime(t.runtime.services.config, {
        db: openDb(PG_URL, { schema: t.db.schema, poolSize: 4 }),
        clock,
      });
  });
  afterAll(async () => {
    await r.close();
    await second?.close();
    await t.close();
  });

  const enqueue = (n: number) =>
    inTx(t.services.db, (tx) =>
      t.services.outbox.enqueue(
        tx,
        Array.from({ length: n }, (_, i) => ({
          orgId: org.orgId,
          type: 'load.test',
          subject: `s${i}`,
          payload: { i },
        })),
      ),
    );

  if (backend === 'postgres')
    it('two nodes draining one queue send every delivery exactly once', async () => {
      await enqueue(120);
      const nodes = [t.services.webhookDispatcher, second?.services.webhookDispatcher];
      expect(nodes[0]?.nodeId).not.toBe(nodes[1]?.nodeId);
      const drain = async (d: (typeof nodes)[number]) => {
        let sent = 0;
        for (;;) {
          const s = await d?.runOnce();
          if (!s || s.claimed === 0) return sent;
          sent += s.delivered;
        }
      };
      const [x, y] = await Promise.all(nodes.map(drain));
      expect((x ?? 0) + (y ?? 0)).toBe(120);
      const ids = r.received.map((q) => String(q.headers['clearinghouse-delivery']));
      expect(ids).toHaveLength(120);
      expect(new Set(ids).size).toBe(120);
      const subjects = new Set(r.received.map((q) => JSON.parse(q.body).subject));
      expect(subjects.size).toBe(120);
      r.received.length = 0;
    });

  it("retries a delivery whose node died mid-delivery once the claim's lease lapses", async () => {
    await enqueue(1);
    // A node claims it (the claim counts as an attempt) and dies before sending.
    const claimed = await inTx(t.services.db, (tx) =>
      claimDue(t.services.db, tx, {
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + 60_000).toISOString(),
        limit: 10,
        nodeId: 'crashed-node',
        claimToken: 'claim-of-the-crashed-node',
      }),
    );
    expect(claimed).toHaveLength(1);
    expect((await t.services.webhookDispatcher.runOnce()).claimed).toBe(0);
    now = new Date(now.getTime() + 61_000);
    expect((await t.services.webhookDispatcher.runOnce()).delivered).toBe(1);
    expect(r.received).toHaveLength(1);
    const row = await t.services.db.kysely
      .selectFrom('webhook_deliveries')
      .select(['state', 'attempts', 'claimed_by'])
      .where('id', '=', claimed[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'delivered', attempts: 2, claimed_by: t.services.webhookDispatcher.nodeId });
  });
});
