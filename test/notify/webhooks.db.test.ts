/**
 * Webhooks end to end: subscriptions through the REST API, events through the outbox in a producer's transaction, the
 * dispatcher against a real HTTP receiver on 127.0.0.1 (retries, dead letters, signatures), who sees the delivery log,
 * ping, secret rotation, SSRF refusal, withdrawal, export. A movable clock drives the retry schedule.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { inTx } from '../../src/db/tx.js';
import { verifySignature } from '../../src/notify/webhook.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { type Receiver, startReceiver } from './receiver.js';

const BASE = loadConfig({}).webhooks;
const WEBHOOKS = { ...BASE, allowPrivate: true, retryBaseMs: 1000, retryMaxMs: 8000, maxAttempts: 4, timeoutMs: 3000 };

interface Created {
  id: string;
  secret: string;
  orgId: string;
}
interface Delivery {
  id: string;
  state: string;
  attempts: number;
  eventType: string;
  nextAttemptAt: string | null;
  log: {
    seq: number;
    statusCode: number | null;
    latencyMs: number;
    error: string | null;
    outcome: string;
    nextAttemptAt: string | null;
  }[];
}

describeBackends('webhooks', (backend) => {
  let t: TestApp;
  let now = new Date('2026-11-26T10:00:00.000Z');
  const clock = () => new Date(now);
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  let bank: TestOrg;
  let utility: TestOrg;
  const receivers: Receiver[] = [];
  const receiver = async (respond?: (n: number) => number) => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    t = await startTestApp(backend, {
      clock,
      config: { webhooks: { ...WEBHOOKS, secretKey: 'test-key-0123456789-0123456789-0123456789' } },
    });
    bank = await t.org('Webhook Bank', 'infrastructure_operator', 'financial_services');
    utility = await t.org('Webhook Utility', 'infrastructure_operator', 'energy');
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
    // Each test starts with no active subscription left over from the others.
    await t.services.db.kysely.updateTable('webhook_subscriptions').set({ active: 0 }).execute();
  });

  const subscribe = async (org: TestOrg, url: string, eventTypes: string[] = ['exposure.finding']) => {
    const res = await t.req<Created>('POST', '/api/v1/webhooks', { token: org.token, body: { url, eventTypes } });
    expect(res.status, res.raw).toBe(201);
    return res.body;
  };
  const emit = (orgId: string, type: string, payload: Record<string, unknown>, subject = 'F-1') =>
    inTx(t.services.db, (tx) => t.services.outbox.enqueue(tx, [{ orgId, type, subject, payload }]));
  const log = async (org: TestOrg, id: string) => {
    const res = await t.req<{ items: Delivery[] }>('GET', `/api/v1/webhooks/${id}/deliveries`, { token: org.token });
    expect(res.status, res.raw).toBe(200);
    return res.body.items;
  };
  const auditActions = async (objectId: string) =>
    (
      await t.services.db.kysely
        .selectFrom('audit_log')
        .select('action')
        .where('object_id', '=', objectId)
        .orderBy('seq')
        .execute()
    ).map((a) => a.action);

  it('creates a subscription: the secret is returned once, never again, and is encrypted at rest', async () => {
    const r = await receiver();
    const w = await subscribe(bank, r.url);
    expect(w.secret).toMatch(/^whsec_/);
    const got = await t.req<Record<string, unknown>>('GET', `/api/v1/webhooks/${w.id}`, { token: bank.token });
    expect(got.status).toBe(200);
    expect(got.raw).not.toContain(w.secret);
    expect(got.body).not.toHaveProperty('secret');
    const list = await t.req('GET', '/api/v1/webhooks', { token: bank.token });
    expect(list.raw).not.toContain(w.secret);
    const stored = await t.services.db.kysely
      .selectFrom('webhook_subscriptions')
      .select('secret')
      .where('id', '=', w.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret.startsWith('v1:')).toBe(true);
    expect(stored.secret).not.toContain(w.secret.slice(6));
    const audit = await t.services.db.kysely
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('object_id', '=', w.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['webhook.create']);
    expect(audit[0]?.details).not.toContain(w.secret);
  });

  it('retries a receiver that fails the first two tries, then delivers a body with a valid signature', async () => {
    const r = await receiver((n) => (n < 2 ? 500 : 200));
    const w = await subscribe(bank, r.url);
    await emit(bank.orgId, 'exposure.finding.created', { findingId: 'F-1', advisory: 'CH-2026-0001' });

    const first = await t.services.webhookDispatcher.runOnce();
    expect(first).toMatchObject({ claimed: 1, retried: 1, delivered: 0 });
    // Not due again until the backoff has passed.
    expect((await t.services.webhookDispatcher.runOnce()).claimed).toBe(0);
    advance(1000);
    expect((await t.services.webhookDispatcher.runOnce()).retried).toBe(1);
    advance(2000);
    expect((await t.services.webhookDispatcher.runOnce()).delivered).toBe(1);

    expect(r.received).toHaveLength(3);
    const ids = new Set(r.received.map((x) => x.headers['clearinghouse-delivery']));
    expect(ids.size).toBe(1);
    const last = r.received[2];
    if (!last) throw new Error('no request');
    expect(last.headers['clearinghouse-event']).toBe('exposure.finding.created');
    expect(last.headers['content-type']).toBe('application/json');
    const header = String(last.headers['clearinghouse-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const nowS = Math.floor(now.getTime() / 1000);
    expect(verifySignature(w.secret, last.body, header, nowS)).toBe(true);
    expect(verifySignature(w.secret, `${last.body} `, header, nowS)).toBe(false);
    expect(verifySignature('whsec_other', last.body, header, nowS)).toBe(false);
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({ type: 'exposure.finding.created', subject: 'F-1' });
    expect(body.data).toEqual({ findingId: 'F-1', advisory: 'CH-2026-0001' });

    const [d] = await log(bank, w.id);
    expect(d?.state).toBe('delivered');
    expect(d?.attempts).toBe(3);
    expect(d?.log.map((a) => [a.statusCode, a.outcome])).toEqual([
      [500, 'retry'],
      [500, 'retry'],
      [200, 'delivered'],
    ]);
    // Each retry names its next attempt: base 1 s then 2 s, with jitter between half and the full step.
    const at0 = d?.log[0]?.nextAttemptAt ? Date.parse(d.log[0].nextAttemptAt) : 0;
    expect(at0 - Date.parse('2026-11-26T10:00:00.000Z')).toBeGreaterThanOrEqual(500);
    expect(at0 - Date.parse('2026-11-26T10:00:00.000Z')).toBeLessThanOrEqual(1000);
    expect(d?.log[0]?.error).toBe('HTTP 500');
    expect(d?.log.every((a) => a.latencyMs >= 0)).toBe(true);
  });

  it('gives up after the last attempt (dead), and a dead delivery can be redelivered', async () => {
    let status = 503;
    const r = await receiver(() => status);
    const w = await subscribe(bank, r.url, ['exposure.*']);
    await emit(bank.orgId, 'exposure.finding.resolved', { findingId: 'F-2' }, 'F-2');
    for (let i = 0; i < 4; i++) {
      await t.services.webhookDispatcher.runOnce();
      advance(8000);
    }
    expect(r.received).toHaveLength(4);
    const [d] = await log(bank, w.id);
    expect(d?.state).toBe('dead');
    expect(d?.log.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'dead']);
    expect(d?.nextAttemptAt).toBeNull();
    // Dead means no more tries.
    advance(60_000);
    expect((await t.services.webhookDispatcher.runOnce()).claimed).toBe(0);

    // Only dead or delivered deliveries are redelivered; another organisation cannot.
    const other = await t.req('POST', `/api/v1/webhooks/${w.id}/deliveries/${d?.id}/redeliver`, {
      token: utility.token,
    });
    expect(other.status).toBe(404);
    status = 200;
    const again = await t.req<Delivery>('POST', `/api/v1/webhooks/${w.id}/deliveries/${d?.id}/redeliver`, {
      token: bank.token,
    });
    expect(again.status, again.raw).toBe(200);
    expect(again.body.state).toBe('pending');
    expect((await t.services.webhookDispatcher.runOnce()).delivered).toBe(1);
    const [after] = await log(bank, w.id);
    expect(after?.state).toBe('delivered');
    expect(after?.log).toHaveLength(5);
    expect(r.received[4]?.headers['clearinghouse-delivery']).toBe(d?.id);
  });

  it("never sends one organisation's event to another organisation's subscription; filters by type prefix", async () => {
    const bankHook = await receiver();
    const utilityHook = await receiver();
    await subscribe(bank, bankHook.url, ['exposure.finding.created']);
    await subscribe(utility, utilityHook.url, ['*']);
    await emit(bank.orgId, 'exposure.finding.created', { findingId: 'F-3', secretToBank: true });
    await emit(bank.orgId, 'exposure.finding.changed', { findingId: 'F-3' });
    await emit(bank.orgId, 'exposure.findingx', { findingId: 'F-3' });
    await t.services.webhookDispatcher.runOnce();
    expect(bankHook.received.map((x) => x.headers['clearinghouse-event'])).toEqual(['exposure.finding.created']);
    expect(utilityHook.received).toHaveLength(0);
  });

  it('writes nothing for a change that rolls back', async () => {
    const r = await receiver();
    await subscribe(bank, r.url, ['rollback']);
    await expect(
      inTx(t.services.db, async (tx) => {
        await t.services.outbox.enqueue(tx, [{ orgId: bank.orgId, type: 'rollback.test', subject: 'x', payload: {} }]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await t.services.webhookDispatcher.runOnce();
    expect(r.received).toHaveLength(0);
  });

  it('shows the delivery log to the owner and coordinators only (another organisation gets 404)', async () => {
    const r = await receiver();
    const w = await subscribe(bank, r.url, ['visibility']);
    await emit(bank.orgId, 'visibility.check', { n: 1 });
    await t.services.webhookDispatcher.runOnce();
    expect(await log(bank, w.id)).toHaveLength(1);
    const coord = await t.req<{ items: unknown[] }>('GET', `/api/v1/webhooks/${w.id}/deliveries`, {
      token: t.adminToken,
    });
    expect(coord.body.items).toHaveLength(1);
    for (const path of [`/api/v1/webhooks/${w.id}/deliveries`, `/api/v1/webhooks/${w.id}`]) {
      const res = await t.req('GET', path, { token: utility.token });
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const analyst = await t.member(bank, 'analyst');
    expect((await t.req('GET', `/api/v1/webhooks/${w.id}/deliveries`, { token: analyst.token })).status).toBe(404);
    expect((await t.req('GET', `/api/v1/webhooks/${w.id}/deliveries`)).status).toBe(401);
    for (const [method, path] of [
      ['PATCH', `/api/v1/webhooks/${w.id}`],
      ['DELETE', `/api/v1/webhooks/${w.id}`],
      ['POST', `/api/v1/webhooks/${w.id}/ping`],
      ['POST', `/api/v1/webhooks/${w.id}/rotate-secret`],
    ] as const) {
      const res = await t.req(method, path, {
        token: utility.token,
        ...(method === 'PATCH' ? { body: { active: false } } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    // Listing: an organisation admin sees only its own; coordinators see all.
    const mine = await t.req<{ items: { orgId: string }[] }>('GET', '/api/v1/webhooks', { token: utility.token });
    expect(mine.body.items.every((x) => x.orgId === utility.orgId)).toBe(true);
    const all = await t.req<{ items: { orgId: string }[] }>('GET', '/api/v1/webhooks', { token: t.adminToken });
    expect(new Set(all.body.items.map((x) => x.orgId))).toEqual(new Set([bank.orgId, utility.orgId]));
    expect((await t.req('GET', `/api/v1/webhooks?orgId=${bank.orgId}`, { token: utility.token })).status).toBe(403);
    expect((await t.req('GET', '/api/v1/webhooks', { token: analyst.token })).status).toBe(403);
  });

  it('pings now with a signed ping event, and rotating the secret changes the signature key at once', async () => {
    const r = await receiver();
    const w = await subscribe(bank, r.url, ['nothing.else']);
    const ping = await t.req<Delivery>('POST', `/api/v1/webhooks/${w.id}/ping`, { token: bank.token });
    expect(ping.status, ping.raw).toBe(200);
    expect(ping.body).toMatchObject({ state: 'delivered', eventType: 'ping', attempts: 1 });
    expect(ping.body.log[0]).toMatchObject({ statusCode: 200, outcome: 'delivered' });
    const nowS = Math.floor(now.getTime() / 1000);
    const first = r.received[0];
    if (!first) throw new Error('no ping');
    expect(first.headers['clearinghouse-event']).toBe('ping');
    expect(verifySignature(w.secret, first.body, String(first.headers['clearinghouse-signature']), nowS)).toBe(true);

    const rotated = await t.req<Created>('POST', `/api/v1/webhooks/${w.id}/rotate-secret`, { token: bank.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(w.secret);
    await t.req('POST', `/api/v1/webhooks/${w.id}/ping`, { token: bank.token });
    const second = r.received[1];
    if (!second) throw new Error('no second ping');
    const sig = String(second.headers['clearinghouse-signature']);
    expect(verifySignature(rotated.body.secret, second.body, sig, nowS)).toBe(true);
    expect(verifySignature(w.secret, second.body, sig, nowS)).toBe(false);
    expect(await auditActions(w.id)).toEqual([
      'webhook.create',
      'webhook.ping',
      'webhook.rotate_secret',
      'webhook.ping',
    ]);
  });

  it('changes, disables and deletes a subscription (audited); inactive ones receive nothing', async () => {
    const r = await receiver();
    const w = await subscribe(bank, r.url, ['lifecycle']);
    const off = await t.req<{ active: boolean; disabledReason: string }>('PATCH', `/api/v1/webhooks/${w.id}`, {
      token: bank.token,
      body: { active: false, description: 'paused' },
    });
    expect(off.body).toMatchObject({ active: false, disabledReason: 'disabled by an administrator' });
    await emit(bank.orgId, 'lifecycle.event', {});
    await t.services.webhookDispatcher.runOnce();
    expect(r.received).toHaveLength(0);
    expect((await t.req('POST', `/api/v1/webhooks/${w.id}/ping`, { token: bank.token })).status).toBe(409);
    const del = await t.req('DELETE', `/api/v1/webhooks/${w.id}`, { token: bank.token });
    expect(del.status).toBe(204);
    expect((await t.req('GET', `/api/v1/webhooks/${w.id}`, { token: bank.token })).status).toBe(404);
    expect(await auditActions(w.id)).toEqual(['webhook.create', 'webhook.update', 'webhook.delete']);
  });

  it('pages the delivery log newest first, filters by state, and keeps no event that nobody subscribed to', async () => {
    const r = await receiver((n) => (n === 0 ? 200 : 500));
    const w = await subscribe(bank, r.url, ['paging']);
    for (const i of [1, 2, 3]) {
      await emit(bank.orgId, 'paging.event', { i }, `P-${i}`);
      advance(1);
      await t.services.webhookDispatcher.runOnce();
    }
    const p1 = await t.req<{ items: { subject: string; state: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/webhooks/${w.id}/deliveries?limit=2`,
      { token: bank.token },
    );
    expect(p1.body.items.map((d) => d.subject)).toEqual(['P-3', 'P-2']);
    expect(p1.body.nextCursor).toBeTypeOf('string');
    const p2 = await t.req<{ items: { subject: string }[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/webhooks/${w.id}/deliveries?limit=2&cursor=${p1.body.nextCursor}`,
      { token: bank.token },
    );
    expect(p2.body.items.map((d) => d.subject)).toEqual(['P-1']);
    expect(p2.body.nextCursor).toBeNull();
    const delivered = await t.req<{ items: { subject: string }[] }>(
      'GET',
      `/api/v1/webhooks/${w.id}/deliveries?state=delivered`,
      { token: bank.token },
    );
    expect(delivered.body.items.map((d) => d.subject)).toEqual(['P-1']);
    expect(
      (await t.req('GET', `/api/v1/webhooks/${w.id}/deliveries?cursor=nonsense`, { token: bank.token })).status,
    ).toBe(400);

    const count = async () =>
      Number(
        (
          await t.services.db.kysely
            .selectFrom('notify_events')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    await emit(bank.orgId, 'nobody.listens', { x: 1 });
    expect(await count()).toBe(before);
  });

  it('refuses bad input naming the field', async () => {
    const bad = async (body: unknown, field: string) => {
      const res = await t.req<{ issues?: { path: string }[] }>('POST', '/api/v1/webhooks', { token: bank.token, body });
      expect(res.status, res.raw).toBe(400);
      expect(res.body.issues?.map((i) => i.path)).toContain(field);
    };
    await bad({ url: 'http://example.org/h', eventTypes: ['Exposure Finding'] }, 'eventTypes.0');
    await bad({ url: 'http://example.org/h', eventTypes: [] }, 'eventTypes');
    await bad({ eventTypes: ['*'] }, 'url');
    await bad({ url: 'http://example.org/h', eventTypes: ['*'], extra: 1 }, '');
    await bad({ url: 'ftp://example.org/h', eventTypes: ['*'] }, 'url');
    await bad({ url: 'not a url', eventTypes: ['*'] }, 'url');
    await bad({ url: 'https://user:pw@example.org/h', eventTypes: ['*'] }, 'url');
    const count = await t.services.db.kysely
      .selectFrom('webhook_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('url', 'like', '%example.org%')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it("disables a withdrawn organisation's subscriptions and exports subscriptions (no secrets) and the log", async () => {
    const leaver = await t.org('Webhook Leaver', 'ai_developer');
    const r = await receiver();
    const w = await subscribe(leaver, r.url, ['*']);
    await emit(leaver.orgId, 'leaving.soon', { n: 1 });
    await t.services.webhookDispatcher.runOnce();
    expect(r.received).toHaveLength(1);
    const bundle = await t.req<{ webhooks: Record<string, unknown>[]; webhookDeliveries: Delivery[] }>(
      'GET',
      `/api/v1/organisations/${leaver.orgId}/export`,
      { token: leaver.token },
    );
    expect(bundle.status, bundle.raw).toBe(200);
    expect(bundle.body.webhooks).toHaveLength(1);
    expect(bundle.body.webhooks[0]).toMatchObject({ id: w.id, url: r.url });
    expect(bundle.raw).not.toContain(w.secret);
    expect(bundle.raw).not.toContain('"secret"');
    expect(bundle.body.webhookDeliveries).toHaveLength(1);
    expect(bundle.body.webhookDeliveries[0]?.log[0]?.statusCode).toBe(200);

    const out = await t.req('POST', `/api/v1/organisations/${leaver.orgId}/withdraw`, { token: leaver.token });
    expect(out.status, out.raw).toBe(200);
    await emit(leaver.orgId, 'leaving.after', { n: 2 });
    await t.services.webhookDispatcher.runOnce();
    expect(r.received).toHaveLength(1);
    const row = await t.services.db.kysely
      .selectFrom('webhook_subscriptions')
      .select(['active', 'disabled_reason'])
      .where('id', '=', w.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ active: 0, disabled_reason: 'organisation withdrawn' });
    expect(await auditActions(w.id)).toContain('webhook.disable');
  });

  it('purges finished deliveries after the retention period, keeping what is still pending', async () => {
    const ok = await receiver();
    const down = await receiver(() => 500);
    await subscribe(bank, ok.url, ['retention']);
    await subscribe(utility, down.url, ['retention']);
    await emit(bank.orgId, 'retention.done', {});
    await emit(utility.orgId, 'retention.pending', {});
    await t.services.webhookDispatcher.runOnce();
    const states = async () =>
      (
        await t.services.db.kysely
          .selectFrom('webhook_deliveries')
          .select(['event_type', 'state'])
          .where('event_type', 'like', 'retention.%')
          .orderBy('event_type')
          .execute()
      ).map((d) => `${d.event_type}:${d.state}`);
    expect(await states()).toEqual(['retention.done:delivered', 'retention.pending:pending']);
    expect(await t.services.webhooks.purgeOld(true)).toBe(0);
    advance(91 * 86_400_000);
    expect(await t.services.webhooks.purgeOld(true)).toBeGreaterThanOrEqual(1);
    expect(await states()).toEqual(['retention.pending:pending']);
    const events = await t.services.db.kysely
      .selectFrom('notify_events')
      .select('type')
      .where('type', 'like', 'retention.%')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['retention.pending']);
    const orphans = await t.services.db.kysely
      .selectFrom('webhook_attempts')
      .select('delivery_id')
      .where('delivery_id', 'not in', (eb) => eb.selectFrom('webhook_deliveries').select('id'))
      .execute();
    expect(orphans).toEqual([]);
  });
});

describeBackends('webhook URLs and SSRF', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  beforeAll(async () => {
    t = await startTestApp(backend, { config: { webhooks: { ...BASE, allowPrivate: false } } });
    org = await t.org('SSRF Test Org', 'infrastructure_operator', 'water_and_wastewater_systems');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://app.localhost/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://10.1.2.3/hook',
    'http://172.16.0.9/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://2130706433/hook',
    'http://0x7f.1/hook',
    'http://[fd00::1]/hook',
    'http://[fe80::1]/hook',
    'http://[64:ff9b::a00:1]/hook',
  ])('refuses %s', async (url) => {
    const res = await t.req<{ issues?: { path: string; message: string }[] }>('POST', '/api/v1/webhooks', {
      token: org.token,
      body: { url, eventTypes: ['*'] },
    });
    expect(res.status, res.raw).toBe(400);
    expect(res.body.issues?.[0]?.path).toBe('url');
  });

  it('accepts a public address', async () => {
    const res = await t.req('POST', '/api/v1/webhooks', {
      token: org.token,
      body: { url: 'https://93.184.215.14/hook', eventTypes: ['*'] },
    });
    expect(res.status, res.raw).toBe(201);
  });

  it.each([
    ['a literal address', (port: number) => `http://127.0.0.1:${port}/hook`],
    [
      'a name that resolves to loopback (checked inside the DNS lookup)',
      (port: number) => `http://localhost:${port}/hook`,
    ],
  ])('checks again at delivery time, %s: the private target is not contacted', async (_what, urlOf) => {
    const r = await startReceiver();
    try {
      const port = Number(new URL(r.url).port);
      // Stored directly (as if the address had changed since the subscription was saved).
      await t.services.db.kysely
        .updateTable('webhook_subscriptions')
        .set({ url: urlOf(port) })
        .where('org_id', '=', org.orgId)
        .execute();
      const subject = `s-${port}`;
      await inTx(t.services.db, (tx) =>
        t.services.outbox.enqueue(tx, [{ orgId: org.orgId, type: 'ssrf.test', subject, payload: {} }]),
      );
      expect((await t.services.webhookDispatcher.runOnce()).retried).toBeGreaterThanOrEqual(1);
      expect(r.received).toHaveLength(0);
      const attempt = await t.services.db.kysely
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
        .innerJoin('notify_events as e', 'e.id', 'd.event_id')
        .select(['a.error', 'a.status_code'])
        .where('e.subject', '=', subject)
        .executeTakeFirstOrThrow();
      expect(attempt.status_code).toBeNull();
      expect(attempt.error).toMatch(/private, loopback or reserved/);
    } finally {
      await r.close();
    }
  });
});

describe('webhook config', () => {
  it('reads CLEARINGHOUSE_WEBHOOK_* with safe defaults', () => {
    expect(BASE.allowPrivate).toBe(false);
    const c = loadConfig({ CLEARINGHOUSE_WEBHOOK_ALLOW_PRIVATE: 'true', CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS: '3' });
    expect(c.webhooks).toMatchObject({ allowPrivate: true, maxAttempts: 3 });
    expect(() => loadConfig({ CLEARINGHOUSE_WEBHOOK_SECRET_KEY: 'short' })).toThrow(/CLEARINGHOUSE_WEBHOOK_SECRET_KEY/);
  });
});
