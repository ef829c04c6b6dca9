/**
 * Browser sessions at the HTTP level, on every backend: invites that work once, sign-in, the cookie's attributes,
 * CSRF refusals, sign-out ending the session on the server, lockout after repeated failures, the per-IP limit, and
 * the index.html fallback that never shadows the API.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { reportBody, startTestApp, type TestApp, type TestOrg } from '../harness.js';

const PASSWORD = 'correct horse battery staple';

function cookieOf(res: { headers: Record<string, string | string[] | undefined> }): string {
  const raw = res.headers['set-cookie'];
  const line = Array.isArray(raw) ? raw[0] : raw;
  if (!line) throw new Error('no set-cookie');
  return line;
}

describeBackends('portal sessions', (backend) => {
  let t: TestApp;
  let lab: TestOrg;
  let other: TestOrg;
  let now = Date.parse('2026-11-26T10:00:00Z');

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => new Date(now) });
    lab = await t.org('Session Lab', 'ai_developer');
    other = await t.org('Other Vendor', 'vendor');
  });
  afterAll(async () => t?.close());

  async function invite(org: TestOrg, email: string, role = 'analyst') {
    const res = await t.req<{ token: string; url: string; invite: { id: string; memberId: string } }>(
      'POST',
      `/api/v1/organisations/${org.orgId}/invites`,
      { token: org.token, body: { email, name: `Person ${email}`, role } },
    );
    expect(res.status, res.raw).toBe(201);
    return res.body;
  }

  async function signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
    return t.req<{ csrfToken: string; code?: string }>('POST', '/api/v1/session', {
      body: { email, password },
      headers,
    });
  }

  it('an invite link works once, then the member signs in with an httpOnly SameSite=Strict cookie', async () => {
    const inv = await invite(lab, 'ana@lab.test');
    expect(inv.url).toMatch(/\/invite#chi_/);
    const listed = await t.req<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/v1/organisations/${lab.orgId}/invites`,
      { token: lab.token },
    );
    expect(listed.body.items[0]).toMatchObject({ email: 'ana@lab.test', status: 'open' });
    expect(JSON.stringify(listed.body)).not.toContain(inv.token);

    const seen = await t.req('POST', '/api/v1/invites/inspect', { body: { token: inv.token } });
    expect(seen.body).toMatchObject({ email: 'ana@lab.test', organisation: 'Session Lab' });

    const short = await t.req<{ issues: { path: string }[] }>('POST', '/api/v1/invites/accept', {
      body: { token: inv.token, password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.issues.map((i) => i.path)).toContain('password');

    const ok = await t.req('POST', '/api/v1/invites/accept', { body: { token: inv.token, password: PASSWORD } });
    expect(ok.status, ok.raw).toBe(200);
    const again = await t.req('POST', '/api/v1/invites/accept', {
      body: { token: inv.token, password: 'another long password' },
    });
    expect(again.status).toBe(404);
    expect((await t.req('POST', '/api/v1/invites/inspect', { body: { token: inv.token } })).status).toBe(404);
    // The second use did not change the password.
    expect((await signIn('ana@lab.test', 'another long password')).status).toBe(401);

    const res = await signIn('Ana@Lab.test');
    expect(res.status, res.raw).toBe(200);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^ch_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain('Secure');
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const audit = await t.req<{ items: { action: string }[] }>('GET', '/api/v1/audit?limit=200', {
      token: t.adminToken,
    });
    const actions = audit.body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['invite.create', 'invite.accept', 'session.create']));
  });

  it('the cookie is Secure when the portal is served over https', async () => {
    const config = t.services.config as { baseUrl: string };
    const saved = config.baseUrl;
    config.baseUrl = 'https://portal.example';
    try {
      const res = await signIn('ana@lab.test');
      expect(res.status).toBe(200);
      expect(cookieOf(res)).toContain('Secure');
    } finally {
      config.baseUrl = saved;
    }
  });

  it('changes need the CSRF header and this origin; the session ends at sign-out', async () => {
    await invite(lab, 'ben@lab.test').then((inv) =>
      t.req('POST', '/api/v1/invites/accept', { body: { token: inv.token, password: PASSWORD } }),
    );
    const res = await signIn('ben@lab.test');
    const cookie = cookieOf(res).split(';')[0]!;
    const csrf = res.body.csrfToken;

    const me = await t.req<{ csrfToken: string; orgId: string; role: string }>('GET', '/api/v1/session', {
      headers: { cookie },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ csrfToken: csrf, orgId: lab.orgId, role: 'analyst' });
    expect((await t.req('GET', '/api/v1/me', { headers: { cookie } })).status).toBe(200);

    const body = reportBody({ title: 'Cookie-submitted report about a tokenizer overflow' });
    const noToken = await t.req('POST', '/api/v1/reports', { headers: { cookie }, body });
    expect(noToken.status).toBe(403);
    const wrongToken = await t.req('POST', '/api/v1/reports', {
      headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -1)}x` },
      body,
    });
    expect(wrongToken.status).toBe(403);
    const crossSite = await t.req('POST', '/api/v1/reports', {
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
      body,
    });
    expect(crossSite.status).toBe(403);
    const fetchMeta = await t.req('POST', '/api/v1/reports', {
      headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' },
      body,
    });
    expect(fetchMeta.status).toBe(403);
    const reports = await t.req<{ items: { title: string }[] }>('GET', '/api/v1/reports', { token: lab.token });
    expect(reports.body.items.map((r) => r.title)).not.toContain(body.title);

    const ok = await t.req('POST', '/api/v1/reports', {
      headers: { cookie, 'x-csrf-token': csrf, origin: 'http://localhost:80' },
      body,
    });
    expect(ok.status, ok.raw).toBe(201);

    // A cross-site sign-out is refused too; a same-site one ends the session on the server.
    expect((await t.req('DELETE', '/api/v1/session', { headers: { cookie } })).status).toBe(403);
    const out = await t.req('DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(cookieOf(out)).toContain('Max-Age=0');
    expect((await t.req('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await t.req('GET', '/api/v1/me', { headers: { cookie } })).status).toBe(401);
    const after = await t.req<{ items: { title: string }[] }>('GET', '/api/v1/reports', { headers: { cookie } });
    expect(after.body.items?.map((r) => r.title) ?? []).not.toContain(body.title);
    const replay = await t.req('POST', '/api/v1/reports', { headers: { cookie, 'x-csrf-token': csrf }, body });
    expect(replay.status).toBe(401);
  });

  it('signing in again from a signed-in browser ends the old session', async () => {
    const first = await signIn('ana@lab.test');
    const oldCookie = cookieOf(first).split(';')[0]!;
    const second = await signIn('ana@lab.test', PASSWORD, { cookie: oldCookie });
    expect(second.status).toBe(200);
    const newCookie = cookieOf(second).split(';')[0]!;
    expect(newCookie).not.toBe(oldCookie);
    expect((await t.req('GET', '/api/v1/session', { headers: { cookie: oldCookie } })).status).toBe(401);
    expect((await t.req('GET', '/api/v1/session', { headers: { cookie: newCookie } })).status).toBe(200);
    // A cross-site sign-in is refused even so.
    const cross = await signIn('ana@lab.test', PASSWORD, { cookie: newCookie, origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
  });

  it('API tokens need no CSRF token, even with a cookie beside them', async () => {
    const res = await t.req('POST', '/api/v1/reports', {
      token: lab.token,
      headers: { cookie: 'ch_session=whatever' },
      body: reportBody({ title: 'Token-submitted report about a sampler bug' }),
    });
    expect(res.status, res.raw).toBe(201);
  });

  it('locks the account after 5 wrong passwords, even for the right one, until the lock ends', async () => {
    const inv = await invite(lab, 'cleo@lab.test');
    await t.req('POST', '/api/v1/invites/accept', { body: { token: inv.token, password: PASSWORD } });
    for (let i = 0; i < 4; i++) expect((await signIn('cleo@lab.test', `wrong password ${i}`)).status).toBe(401);
    const fifth = await signIn('cleo@lab.test', 'wrong password 5');
    expect(fifth.status).toBe(401);
    const locked = await signIn('cleo@lab.test', PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.headers['set-cookie']).toBeUndefined();

    // The locked account answers as an unknown email and a wrong password do: nothing tells that it exists.
    const unknown = await signIn('nobody-at-all@nowhere.test', PASSWORD);
    const otherWrong = await signIn('ana@lab.test', 'not the password at all');
    const shape = (r: { status: number; body: unknown; headers: Record<string, unknown> }) => {
      const { instance: _i, requestId: _r, ...rest } = r.body as Record<string, unknown>;
      return { status: r.status, body: rest, contentType: r.headers['content-type'] };
    };
    expect(shape(locked)).toEqual(shape(unknown));
    expect(shape(fifth)).toEqual(shape(otherWrong));
    expect(JSON.stringify(locked.body)).not.toMatch(/lock/i);
    expect(JSON.stringify(fifth.body)).not.toMatch(/lock/i);

    const audit = await t.req<{ items: { action: string; objectId: string; details: string }[] }>(
      'GET',
      '/api/v1/audit?limit=500',
      { token: t.adminToken },
    );
    const mine = audit.body.items
      .filter((e) => e.objectId === inv.invite.memberId)
      .map((e) => ({ action: e.action, details: JSON.parse(e.details) as { reason?: string } }));
    expect(
      mine.filter((e) => e.action === 'session.signin_failed' && e.details.reason === 'wrong_password'),
    ).toHaveLength(4);
    expect(mine.map((e) => e.action)).toContain('session.locked');
    expect(mine.filter((e) => e.details.reason === 'locked')).toHaveLength(1);

    now += 16 * 60_000;
    expect((await signIn('cleo@lab.test', PASSWORD)).status).toBe(200);
  });

  it('unknown emails and members without a password get the same answer as a wrong password', async () => {
    const a = await signIn('nobody@nowhere.test');
    const b = await signIn('ana@lab.test', 'not the password at all');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect((a.body as { detail?: string }).detail).toBe((b.body as { detail?: string }).detail);
    const missing = await t.req<{ issues: { path: string }[] }>('POST', '/api/v1/session', {
      body: { email: 'ana@lab.test' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.issues.map((i) => i.path)).toContain('password');
  });

  it('limits sign-in attempts per IP address', async () => {
    const opts = t.services.portal.options;
    const saved = opts.ipAttempts;
    opts.ipAttempts = 3;
    try {
      const headers = { 'x-forwarded-for': '203.0.113.9' };
      const statuses: number[] = [];
      // Without trustProxy the forwarded header is ignored: all of these come from the inject address.
      for (let i = 0; i < 5; i++) statuses.push((await signIn('nobody@nowhere.test', 'x', headers)).status);
      expect(statuses.slice(-2)).toEqual([429, 429]);
    } finally {
      opts.ipAttempts = saved;
    }
    now += 16 * 60_000;
  });

  it('only an admin of the organisation (or a coordinator admin) invites; revoked and expired links fail', async () => {
    const analyst = await t.member(lab, 'analyst');
    const denied = await t.req('POST', `/api/v1/organisations/${lab.orgId}/invites`, {
      token: analyst.token,
      body: { memberId: analyst.memberId },
    });
    expect(denied.status).toBe(403);
    const foreign = await t.req('POST', `/api/v1/organisations/${lab.orgId}/invites`, {
      token: other.token,
      body: { memberId: analyst.memberId },
    });
    expect(foreign.status).toBe(403);
    const foreignMember = await t.req('POST', `/api/v1/organisations/${other.orgId}/invites`, {
      token: other.token,
      body: { memberId: analyst.memberId },
    });
    expect(foreignMember.status).toBe(400);
    expect((await t.req('GET', `/api/v1/organisations/${lab.orgId}/invites`, { token: other.token })).status).toBe(403);

    const revoked = await t.req<{ token: string; invite: { id: string } }>(
      'POST',
      `/api/v1/organisations/${lab.orgId}/invites`,
      { token: lab.token, body: { memberId: analyst.memberId } },
    );
    expect(revoked.status).toBe(201);
    const del = await t.req('DELETE', `/api/v1/organisations/${lab.orgId}/invites/${revoked.body.invite.id}`, {
      token: lab.token,
    });
    expect(del.status).toBe(204);
    expect(
      (await t.req('POST', '/api/v1/invites/accept', { body: { token: revoked.body.token, password: PASSWORD } }))
        .status,
    ).toBe(404);

    const coordinatorInvite = await t.req<{ token: string }>('POST', `/api/v1/organisations/${lab.orgId}/invites`, {
      token: t.adminToken,
      body: { memberId: analyst.memberId },
    });
    expect(coordinatorInvite.status).toBe(201);
    now += 8 * 86_400_000;
    expect(
      (
        await t.req('POST', '/api/v1/invites/accept', {
          body: { token: coordinatorInvite.body.token, password: PASSWORD },
        })
      ).status,
    ).toBe(404);
  });

  it('a session ends with its organisation’s withdrawal', async () => {
    const org = await t.org('Leaving Org', 'vendor');
    const inv = await t.req<{ token: string }>('POST', `/api/v1/organisations/${org.orgId}/invites`, {
      token: org.token,
      body: { email: 'dan@leaving.test', name: 'Dan', role: 'admin' },
    });
    await t.req('POST', '/api/v1/invites/accept', { body: { token: inv.body.token, password: PASSWORD } });
    const res = await signIn('dan@leaving.test');
    const cookie = cookieOf(res).split(';')[0]!;
    const w = await t.req('POST', `/api/v1/organisations/${org.orgId}/withdraw`, {
      headers: { cookie, 'x-csrf-token': res.body.csrfToken },
    });
    expect(w.status, w.raw).toBe(200);
    expect((await t.req('GET', '/api/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await signIn('dan@leaving.test')).status).toBe(401);
  });

  it('serves the web app for client routes but never over the API', async () => {
    for (const path of ['/', '/advisories/abc', '/cases']) {
      const res = await t.req('GET', path);
      expect(res.status, path).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/html');
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    }
    for (const path of ['/api/v1/nothing-here', '/taxii2/nothing', '/.well-known/nothing', '/assets/missing.js']) {
      const res = await t.req('GET', path);
      expect(res.status, path).toBe(404);
      // Each surface answers with its own error type (problem+json, TAXII's error message), never the app.
      expect(String(res.headers['content-type'])).not.toContain('text/html');
    }
  });
});
