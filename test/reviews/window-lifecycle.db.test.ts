/**
 * The window's life on an injected clock: the scheduler (fake timers) closes it by itself at opening + 30 days or at
 * the trusted-partner date, records reminders 7 days and 1 day before, expires grants; closing and withdrawing revoke
 * everything and tell the listeners; the steps refuse what they must; trusted partners are proposed and accepted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startReviewScheduler } from '../../src/reviews/windows/scheduler.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import {
  DAY,
  grantBody,
  offerBody,
  openWindow,
  SECRETS_KEY,
  startUpstream,
  termsBody,
  type World,
  world,
} from './window-fixtures.js';

describeBackends('review window lifecycle', (backend) => {
  let t: TestApp;
  let w: World;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let now = Date.now();
  const ended: { windowId: string; reason: string; effects: string[] }[] = [];
  const chat = (key: string) =>
    t.services.reviews.gateway.chat(`Bearer ${key}`, {
      model: 'production',
      messages: [{ role: 'user', content: 'hi' }],
    });
  const audit = async (objectId: string, action: string) =>
    (await t.services.audit.list({ objectId, action, limit: 50 })).map(
      (e) => JSON.parse(e.details) as Record<string, unknown>,
    );
  const window = async (id: string, token = w.dev.token) =>
    (await t.req<Record<string, unknown>>('GET', `/api/v1/reviews/windows/${id}`, { token })).body;

  beforeAll(async () => {
    up = await startUpstream({ echo: () => ({ content: 'ok' }) });
    const base = loadConfig({});
    t = await startTestApp(backend, {
      clock: () => new Date(now),
      config: { secretsKey: SECRETS_KEY, webhooks: { ...base.webhooks, allowPrivate: true } },
    });
    t.services.reviews.onWindowEnd(async (tx, windowId, reason, effects) => {
      // Inside the ending transaction: the window row already says it ended.
      const row = await tx
        .selectFrom('review_windows')
        .select('state')
        .where('id', '=', windowId)
        .executeTakeFirstOrThrow();
      expect(['closed', 'withdrawn']).toContain(row.state);
      ended.push({ windowId, reason, effects });
    });
    w = await world(t);
    // The developer subscribes to review events: reminders and window ends then also go to its outbox.
    const hook = await t.req('POST', '/api/v1/webhooks', {
      token: w.dev.token,
      body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['review.*'] },
    });
    expect(hook.status, hook.raw).toBe(201);
  }, 120_000); // a shared machine and database can be slow to set up
  afterAll(async () => {
    await t.close();
    await up.close();
  });
  afterEach(() => vi.useRealTimers());

  it('closes by itself 30 days after opening, with reminders 7 days and 1 day before (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const opened = now;
    const win = await openWindow(t, w, up.baseURL);
    expect(Date.parse(win.closesAt)).toBe(opened + 30 * DAY);
    const scheduler = startReviewScheduler(t.services.reviews, () => new Date(now), { intervalMs: 3_600_000 });
    try {
      // Only the scheduler's own interval (fake timers) acts from here on; nothing calls tick(). A pass that is still
      // running when the timer fires again is not overlapped, so `until` lets the timer fire until the check holds.
      const until = (check: () => Promise<void>) =>
        vi.waitFor(
          async () => {
            await vi.advanceTimersByTimeAsync(3_600_000);
            await check();
          },
          { timeout: 10_000, interval: 20 },
        );
      const reminders = async () => (await audit(win.id, 'review_window.reminder')).map((d) => d.daysBefore).sort();
      now = opened + 22 * DAY;
      await until(async () => expect(await reminders()).toEqual([]));
      now = opened + 23 * DAY;
      await until(async () => expect(await reminders()).toEqual([7]));
      expect((await chat(win.key)).status).toBe(200);
      now = opened + 29 * DAY;
      await until(async () => expect(await reminders()).toEqual([1, 7]));
      expect((await window(win.id)).state).toBe('open');
      now = opened + 30 * DAY;
      await until(async () => expect((await window(win.id)).state).toBe('closed'));
      const v = await window(win.id);
      expect(v).toMatchObject({ state: 'closed', closeReason: 'max_duration', closedAt: win.closesAt });
      const [exp] = await audit(win.id, 'review_window.expire');
      expect(exp).toMatchObject({ from: 'open', to: 'closed', grantsRevoked: 1, keysRevoked: 1 });
      expect(exp!.effects).toEqual(
        expect.arrayContaining(['revoke_grants', 'revoke_keys', 'cancel_queued_runs', 'freeze_findings']),
      );
      expect(ended.find((e) => e.windowId === win.id)).toMatchObject({ reason: 'expired' });
      const events = await t.services.db.kysely
        .selectFrom('notify_events')
        .select(['type', 'org_id', 'payload'])
        .where('subject', '=', win.id)
        .execute();
      expect(
        events.map((e) => [e.type, e.org_id, (JSON.parse(e.payload) as { daysBefore?: number }).daysBefore]),
      ).toEqual(
        expect.arrayContaining([
          ['review.window.reminder', w.dev.orgId, 7],
          ['review.window.reminder', w.dev.orgId, 1],
          ['review.window.ended', w.dev.orgId, undefined],
        ]),
      );
      await expect(chat(win.key)).rejects.toMatchObject({ status: 401 });
      const grants = await t.req<{ items: { status: string; endReason: string }[] }>('GET', `${win.base}/grants`, {
        token: w.dev.token,
      });
      expect(grants.body.items.map((g) => [g.status, g.endReason])).toEqual([['revoked', 'window_expired']]);
      // The reminders were each recorded once, however many passes ran.
      expect(await audit(win.id, 'review_window.reminder')).toHaveLength(2);
    } finally {
      scheduler.stop();
      now = Date.now();
    }
  });

  it('closes at the trusted-partner date when it comes first', async () => {
    const opened = now;
    const win = await openWindow(t, w, up.baseURL, {
      offer: { trustedPartnerDate: new Date(opened + 10 * DAY).toISOString() },
    });
    expect(Date.parse(win.closesAt)).toBe(opened + 10 * DAY);
    const scheduler = startReviewScheduler(t.services.reviews, () => new Date(now), { intervalMs: 3_600_000 });
    try {
      now = opened + 10 * DAY - 1;
      expect(await scheduler.tick()).toBe(0);
      now = opened + 10 * DAY;
      expect(await scheduler.tick()).toBeGreaterThanOrEqual(1);
      expect(await window(win.id)).toMatchObject({ state: 'closed', closeReason: 'trusted_partner_date' });
    } finally {
      scheduler.stop();
      now = Date.now();
    }
  });

  it('moving the partner date earlier on an open window moves its close', async () => {
    const win = await openWindow(t, w, up.baseURL);
    const earlier = new Date(now + 5 * DAY).toISOString();
    const r = await t.req<{ closesAt: string }>('POST', `${win.base}/partner-date`, {
      token: w.dev.token,
      body: { trustedPartnerDate: earlier },
    });
    expect(r.status).toBe(200);
    expect(r.body.closesAt).toBe(earlier);
    const later = await t.req<{ closesAt: string }>('POST', `${win.base}/partner-date`, {
      token: w.dev.token,
      body: { trustedPartnerDate: new Date(now + 90 * DAY).toISOString() },
    });
    expect(Date.parse(later.body.closesAt)).toBeLessThanOrEqual(now + 30 * DAY); // never beyond opening + 30 days
  });

  it('a grant expires at the end of its validity (the gateway refuses at once, the scheduler records it)', async () => {
    const start = now;
    const win = await openWindow(t, w, up.baseURL, { grant: { validUntil: new Date(start + 5 * DAY).toISOString() } });
    expect((await chat(win.key)).status).toBe(200);
    now = start + 5 * DAY;
    await expect(chat(win.key)).rejects.toMatchObject({ status: 403, code: 'grant_inactive' });
    const scheduler = startReviewScheduler(t.services.reviews, () => new Date(now));
    try {
      await scheduler.tick();
    } finally {
      scheduler.stop();
    }
    const [e] = await audit(win.id, 'review_grant.expire');
    expect(e).toMatchObject({ grantId: win.grantId, keysRevoked: 1 });
    const g = await t.req<{ status: string }>('GET', `${win.base}/grants/${win.grantId}`, { token: w.agency.token });
    expect(g.body.status).toBe('expired');
    now = Date.now();
  });

  // A second app on its own database: on SQLite only (the setting is not about the database, and on PostgreSQL two
  // test schemas migrating side by side trip Kysely's migration-table check, which looks across schemas).
  it.runIf(backend === 'sqlite')('configuration can lower the maximum, never raise it', async () => {
    expect(() => loadConfig({ CLEARINGHOUSE_REVIEW_MAX_DAYS: '45' })).toThrow(ConfigError);
    expect(loadConfig({ CLEARINGHOUSE_REVIEW_MAX_DAYS: '10' }).reviewMaxDays).toBe(10);
    const t10 = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY, reviewMaxDays: 10 } });
    try {
      const w10 = await world(t10);
      const win = await openWindow(t10, w10, up.baseURL, { offer: { maxWindowDays: 30 } });
      const v = (
        await t10.req<{ maxWindowDays: number; openedAt: string; closesAt: string }>('GET', win.base, {
          token: w10.dev.token,
        })
      ).body;
      expect(v.maxWindowDays).toBe(10);
      expect(Date.parse(v.closesAt) - Date.parse(v.openedAt)).toBe(10 * DAY);
      const tooLong = await t10.req('POST', '/api/v1/reviews/windows', {
        token: w10.dev.token,
        body: offerBody(up.baseURL, { maxWindowDays: 31 }),
      });
      expect(tooLong.status).toBe(400);
      expect(JSON.stringify(tooLong.body)).toContain('maxWindowDays');
    } finally {
      await t10.close();
    }
  });

  it('refuses steps out of order, and closing or withdrawing by anyone but the developer', async () => {
    const created = await t.req<{ id: string }>('POST', '/api/v1/reviews/windows', {
      token: w.dev.token,
      body: offerBody(up.baseURL),
    });
    const base = `/api/v1/reviews/windows/${created.body.id}`;
    expect((await t.req('POST', `${base}/offer`, { token: w.dev.token })).status).toBe(409); // no terms yet
    const terms = await t.req<{ id: string; textSha256: string }>('POST', `${base}/terms`, {
      token: w.dev.token,
      body: termsBody(),
    });
    expect((await t.req('POST', `${base}/open`, { token: w.dev.token })).status).toBe(409); // a draft does not open
    expect((await t.req('POST', `${base}/offer`, { token: w.dev.token })).status).toBe(200);
    expect((await t.req('POST', `${base}/open`, { token: w.dev.token })).status).toBe(409); // not signed yet
    const wrong = await t.req<{ issues: { path: string }[] }>('POST', `${base}/consents`, {
      token: w.dev.token,
      body: { termsId: terms.body.id, termsSha256: 'a'.repeat(64) },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.issues[0]!.path).toBe('termsSha256');
    const signed = await t.req<{ party: string; termsSha256: string; signerMemberId: string; signedAt: string }>(
      'POST',
      `${base}/consents`,
      {
        token: w.dev.token,
        body: { termsId: terms.body.id, termsSha256: terms.body.textSha256 },
      },
    );
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({
      party: 'developer',
      termsSha256: terms.body.textSha256,
      signerMemberId: w.dev.memberId,
    });
    // A coordinator may open; nobody but the developer closes or withdraws.
    expect((await t.req('POST', `${base}/open`, { token: t.adminToken })).status).toBe(200);
    expect((await t.req('POST', `${base}/close`, { token: t.adminToken })).status).toBe(403);
    await t.req('POST', `${base}/grants`, { token: w.dev.token, body: grantBody(w.agency.orgId) });
    expect((await t.req('POST', `${base}/withdraw`, { token: w.agency.token })).status).toBe(403);
    expect((await t.req('POST', `${base}/close`, { token: w.agency.token })).status).toBe(403);
    expect((await t.req('POST', `${base}/close`, { token: w.otherAgency.token })).status).toBe(404);
    expect((await t.req('POST', `${base}/withdraw`, { token: w.dev.token })).status).toBe(200);
    expect((await t.req('POST', `${base}/close`, { token: w.dev.token })).status).toBe(409); // final
    // New terms after a signature need a new signature; the signature records the exact text's hash.
    const v = await window(created.body.id);
    expect((v.consents as { termsSha256: string }[])[0]!.termsSha256).toBe(terms.body.textSha256);
  });

  it('withdrawal needs no reason, revokes at once and purges or keeps data as the consent says', async () => {
    for (const onWithdrawal of ['purge', 'keep'] as const) {
      const win = await openWindow(t, w, up.baseURL, { terms: { onWithdrawal } });
      expect((await chat(win.key)).status).toBe(200);
      const r = await t.req<{ state: string; withdrawnAt: string }>('POST', `${win.base}/withdraw`, {
        token: w.dev.token,
      });
      expect(r.body.state).toBe('withdrawn');
      const e = ended.find((x) => x.windowId === win.id)!;
      expect(e.reason).toBe('withdrawn');
      expect(e.effects).toContain('apply_retention');
      expect(e.effects.includes('purge_data')).toBe(onWithdrawal === 'purge');
      const log = await t.req<{ items: unknown[] }>('GET', `${win.base}/gateway-log`, { token: w.dev.token });
      expect(log.body.items).toHaveLength(onWithdrawal === 'purge' ? 0 : 1);
      await expect(chat(win.key)).rejects.toMatchObject({ status: 401 });
    }
  });

  it('trusted partners: a government reviewer proposes, the developer accepts, the partner signs its own terms', async () => {
    const win = await openWindow(t, w, up.baseURL);
    const proposal = grantBody(w.partner.orgId, { role: 'trusted_partner_reviewer', rawTranscripts: false });
    // The developer does not propose partners; the agency (a government reviewer in this window) does.
    expect((await t.req('POST', `${win.base}/grants`, { token: w.dev.token, body: proposal })).status).toBe(403);
    const p = await t.req<{ id: string; status: string; proposedBy: { orgId: string } }>('POST', `${win.base}/grants`, {
      token: w.agency.token,
      body: proposal,
    });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ status: 'proposed', proposedBy: { orgId: w.agency.orgId } });
    // Until accepted, the partner has no part in the window.
    expect((await t.req('GET', win.base, { token: w.partner.token })).status).toBe(404);
    expect((await t.req('POST', `${win.base}/grants/${p.body.id}/accept`, { token: w.agency.token })).status).toBe(403);
    const acc = await t.req<{ status: string; acceptedBy: { memberId: string } }>(
      'POST',
      `${win.base}/grants/${p.body.id}/accept`,
      {
        token: w.dev.token,
      },
    );
    expect(acc.body).toMatchObject({ status: 'active', acceptedBy: { memberId: w.dev.memberId } });
    expect((await window(win.id, w.partner.token)).myRole).toBe('trusted_partner_reviewer');
    // No key before the partner signs the trusted-partner terms.
    expect(
      (await t.req('POST', `${win.base}/grants/${p.body.id}/keys`, { token: w.partner.token, body: {} })).status,
    ).toBe(409);
    const pt = await t.req<{ id: string; textSha256: string }>('POST', `${win.base}/terms`, {
      token: w.dev.token,
      body: termsBody({ audience: 'trusted_partner', text: 'Partner terms: keep results confidential until release.' }),
    });
    const sig = await t.req<{ party: string }>('POST', `${win.base}/consents`, {
      token: w.partner.token,
      body: { termsId: pt.body.id, termsSha256: pt.body.textSha256 },
    });
    expect(sig.body.party).toBe('trusted_partner');
    expect(
      (await t.req('POST', `${win.base}/grants/${p.body.id}/keys`, { token: w.partner.token, body: {} })).status,
    ).toBe(201);
    const audits = (await t.services.audit.list({ objectId: win.id, limit: 100 })).map((e) => e.action);
    expect(audits).toEqual(
      expect.arrayContaining(['review_grant.propose', 'review_grant.accept', 'review_consent.sign']),
    );
    // A second proposal, declined: recorded, and it gives no part.
    const p2 = await t.req<{ id: string }>('POST', `${win.base}/grants`, { token: w.agency.token, body: proposal });
    const dec = await t.req<{ status: string }>('POST', `${win.base}/grants/${p2.body.id}/decline`, {
      token: w.dev.token,
    });
    expect(dec.body.status).toBe('declined');
  });

  it('refuses trusted partners when the terms do not allow them, and agencies outside the terms', async () => {
    const win = await openWindow(t, w, up.baseURL, {
      terms: { scope: { agencies: [w.agency.orgId], categories: ['ctf'], partnersAllowed: false } },
      grant: { categories: ['ctf'] },
    });
    const partner = await t.req<{ issues: { path: string }[] }>('POST', `${win.base}/grants`, {
      token: w.agency.token,
      body: grantBody(w.partner.orgId, { role: 'trusted_partner_reviewer', categories: ['ctf'] }),
    });
    expect(partner.status).toBe(400);
    expect(partner.body.issues[0]!.path).toBe('role');
    const outside = await t.req<{ issues: { path: string }[] }>('POST', `${win.base}/grants`, {
      token: w.dev.token,
      body: grantBody(w.otherAgency.orgId, { categories: ['ctf'] }),
    });
    expect(outside.body.issues[0]!.path).toBe('granteeOrgId');
    const category = await t.req<{ issues: { path: string }[] }>('POST', `${win.base}/grants`, {
      token: w.dev.token,
      body: grantBody(w.agency.orgId, { categories: ['ctf', 'bio'] }),
    });
    expect(category.body.issues[0]!.path).toBe('categories.1');
    const budget = await t.req<{ issues: { path: string }[] }>('POST', `${win.base}/grants`, {
      token: w.dev.token,
      body: grantBody(w.agency.orgId, { categories: ['ctf'], budget: { requests: 5000, tokens: 1, seconds: 1 } }),
    });
    expect(budget.body.issues[0]!.path).toBe('budget.requests');
  });
});

describe('window length policy', () => {
  it('the configuration schema refuses more than 30 days', () => {
    expect(() => loadConfig({ CLEARINGHOUSE_REVIEW_MAX_DAYS: '31' })).toThrow(/CLEARINGHOUSE_REVIEW_MAX_DAYS/);
  });
});
