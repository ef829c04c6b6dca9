/**
 * Who must NOT see a review window, its endpoint, its secret, its grants: anonymous callers, other organisations, a
 * reviewer of another window, a member of a grantee organisation whose grant names someone else. And the upstream
 * secret never leaves the server: not in any answer, export, audit entry or log row, and it is encrypted at rest.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import {
  grantBody,
  offerBody,
  openWindow,
  SECRET,
  SECRETS_KEY,
  startUpstream,
  type World,
  world,
} from './window-fixtures.js';

describeBackends('review window access', (backend) => {
  let t: TestApp;
  let w: World;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let win: Awaited<ReturnType<typeof openWindow>>;
  let other: Awaited<ReturnType<typeof openWindow>>;
  let third: TestOrg; // an agency reviewing only the other window
  let agencyColleague: TestOrg; // a member of the grantee agency, not the member named on a member-only grant
  const bodies: string[] = [];
  const get = async (url: string, token: string | null) => {
    const r = await t.req('GET', url, { token });
    bodies.push(r.raw);
    return r;
  };

  beforeAll(async () => {
    up = await startUpstream({ echo: () => ({ content: 'ok' }) });
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    w = await world(t);
    third = await t.org('Third Agency', 'federal_agency');
    win = await openWindow(t, w, up.baseURL);
    other = await openWindow(t, { ...w, agency: third }, up.baseURL);
    agencyColleague = await t.member(w.agency, 'analyst');
  }, 120_000); // a shared machine and database can be slow to set up
  afterAll(async () => {
    await t.close();
    await up.close();
  });

  it('anonymous callers see nothing at all', async () => {
    for (const url of [win.base, `${win.base}/grants`, `${win.base}/terms`, '/api/v1/reviews/windows'])
      expect((await get(url, null)).status).toBe(401);
  });

  it('other organisations and reviewers of another window get 404, as if the window did not exist', async () => {
    for (const token of [w.otherAgency.token, w.partner.token, third.token]) {
      for (const url of [
        win.base,
        `${win.base}/grants`,
        `${win.base}/terms`,
        `${win.base}/gateway-log`,
        `${win.base}/grants/${win.grantId}`,
      ])
        expect((await get(url, token)).status, `${url}`).toBe(404);
      for (const [url, body] of [
        [`${win.base}/grants/${win.grantId}/keys`, {}],
        [`${win.base}/close`, undefined],
        [`${win.base}/grants`, grantBody(w.otherAgency.orgId)],
      ] as const)
        expect((await t.req('POST', url, { token, body })).status, url).toBe(404);
    }
    const list = await get('/api/v1/reviews/windows', third.token);
    expect((list.body as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([other.id]);
    const none = await get('/api/v1/reviews/windows', w.otherAgency.token);
    expect((none.body as { items: unknown[] }).items).toEqual([]);
  });

  it('a grantee sees the window but not the endpoint; developer and coordinators see the endpoint, nobody the secret', async () => {
    const asAgency = (await get(win.base, w.agency.token)).body as Record<string, unknown>;
    expect(asAgency.myRole).toBe('government_reviewer');
    expect(asAgency.endpoint).toBeUndefined();
    expect(JSON.stringify(asAgency)).not.toContain(up.baseURL);
    for (const token of [w.dev.token, t.adminToken]) {
      const v = (await get(win.base, token)).body as { endpoint: Record<string, unknown>; myRole: string };
      expect(v.endpoint).toMatchObject({ baseUrl: up.baseURL, secretStored: true });
      expect(Object.keys(v.endpoint).sort()).toEqual(['baseUrl', 'models', 'secretStored']);
    }
  });

  it('a grantee sees only its own grants; others in the window see them all only as developer or coordinator', async () => {
    const extra = await t.req<{ id: string }>('POST', `${win.base}/grants`, {
      token: w.dev.token,
      body: grantBody(w.dev.orgId, { role: 'developer_liaison' }),
    });
    expect(extra.status).toBe(201);
    const agencyView = (await get(`${win.base}/grants`, w.agency.token)).body as { items: { id: string }[] };
    expect(agencyView.items.map((g) => g.id)).toEqual([win.grantId]);
    expect((await get(`${win.base}/grants/${extra.body.id}`, w.agency.token)).status).toBe(404);
    const devView = (await get(`${win.base}/grants`, w.dev.token)).body as { items: unknown[] };
    expect(devView.items).toHaveLength(2);
  });

  it('the model card follows the window: grantees download it, outsiders and anonymous callers get 404', async () => {
    const v = (await get(win.base, w.dev.token)).body as { attachments: { id: string; kind: string }[] };
    const card = v.attachments.find((a) => a.kind === 'model_card')!;
    expect(card).toBeDefined();
    const asAgency = await t.req('GET', `/api/v1/attachments/${card.id}`, { token: w.agency.token });
    expect(asAgency.status).toBe(200);
    expect(asAgency.raw).toContain('model card');
    for (const token of [w.otherAgency.token, third.token, null])
      expect((await t.req('GET', `/api/v1/attachments/${card.id}`, { token })).status).toBe(404);
  });

  it('a grant naming one member gives the rest of that organisation no part', async () => {
    const named = await openWindow(t, w, up.baseURL, { grant: { granteeMemberId: w.agency.memberId } });
    expect((await get(named.base, w.agency.token)).status).toBe(200);
    expect((await get(named.base, agencyColleague.token)).status).toBe(404);
    expect(
      (await t.req('POST', `${named.base}/grants/${named.grantId}/keys`, { token: agencyColleague.token, body: {} }))
        .status,
    ).toBe(404);
  });

  it('reviewers may not act for the developer, and may not mint keys on grants that are not theirs', async () => {
    expect(
      (await t.req('PATCH', `${win.base}/endpoint`, { token: w.agency.token, body: { apiKey: 'x' } })).status,
    ).toBe(403);
    expect(
      (await t.req('POST', `${win.base}/grants`, { token: w.agency.token, body: grantBody(w.otherAgency.orgId) }))
        .status,
    ).toBe(403);
    expect(
      (
        await t.req('PUT', `${win.base}/covered`, {
          token: w.dev.token,
          body: { designationRef: null, status: 'covered' },
        })
      ).status,
    ).toBe(403);
    const devKey = await t.req('POST', `${win.base}/grants/${win.grantId}/keys`, { token: w.dev.token, body: {} });
    expect(devKey.status).toBe(404);
  });

  it('participation(): the role and grants for runs, null for those without a part', async () => {
    const agency = await t.services.participants.authenticate(w.agency.token);
    const p = await t.services.reviews.participation(agency, win.id);
    expect(p).toMatchObject({
      role: 'government_reviewer',
      grantIds: [win.grantId],
      rawTranscripts: true,
      categories: ['cyber_knowledge'],
    });
    const outsider = await t.services.participants.authenticate(third.token);
    expect(await t.services.reviews.participation(outsider, win.id)).toBeNull();
    expect(await t.services.reviews.participation(null, win.id)).toBeNull();
    await expect(t.services.reviews.getWindow(outsider, win.id)).rejects.toMatchObject({ code: 'not_found' });
    const creds = await t.services.reviews.runCredentials(agency, win.id, win.grantId, 'production');
    expect(creds).toMatchObject({ baseURL: `${t.services.config.baseUrl}/gateway/v1`, model: 'production' });
    expect(creds.apiKey).toMatch(/^chgw_/);
    await expect(
      t.services.reviews.runCredentials(agency, win.id, win.grantId, 'reduced-safeguards'),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(t.services.reviews.runCredentials(outsider, win.id, win.grantId, 'production')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('the secret is never returned: answers, export, audit, gateway log; and it is encrypted at rest', async () => {
    // Rotate it too, so the write path of the update is covered.
    const rotated = await t.req('PATCH', `${win.base}/endpoint`, { token: w.dev.token, body: { apiKey: SECRET } });
    bodies.push(rotated.raw);
    expect(rotated.status).toBe(200);
    await t.services.reviews.gateway.chat(`Bearer ${win.key}`, {
      model: 'production',
      messages: [{ role: 'user', content: 'x' }],
    });
    for (const url of [
      '/api/v1/reviews/windows',
      win.base,
      `${win.base}/grants`,
      `${win.base}/terms`,
      `${win.base}/gateway-log`,
      `${win.base}/grants/${win.grantId}/keys`,
      `/api/v1/organisations/${w.dev.orgId}/export`,
      '/api/v1/audit?limit=1000',
      '/api/v1/openapi.json',
    ])
      await get(url, url.startsWith('/api/v1/audit') ? t.adminToken : w.dev.token);
    const exp = bodies.find((b) => b.includes('reviewWindows'));
    expect(exp, 'the export has a reviewWindows section').toBeDefined();
    for (const b of bodies) expect(b).not.toContain(SECRET);
    // Every audit entry and every stored row, read straight from the database.
    const db = t.services.db.kysely;
    const dump = JSON.stringify([
      await db.selectFrom('audit_log').selectAll().execute(),
      await db.selectFrom('review_windows').selectAll().execute(),
      await db.selectFrom('review_gateway_log').selectAll().execute(),
      await db.selectFrom('review_grant_keys').selectAll().execute(),
    ]);
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain(win.key); // keys are stored hashed
    const row = await db
      .selectFrom('review_windows')
      .select('endpoint_secret')
      .where('id', '=', win.id)
      .executeTakeFirstOrThrow();
    expect(row.endpoint_secret).toBeTruthy();
    expect(t.services.reviews.windows.secrets.decrypt(row.endpoint_secret!, win.id)).toBe(SECRET);
    // Bound to its window: the same ciphertext does not open for another window.
    expect(() => t.services.reviews.windows.secrets.decrypt(row.endpoint_secret!, other.id)).toThrow();
  });

  it('closing wipes the stored secret', async () => {
    const closing = await openWindow(t, w, up.baseURL);
    await t.req('POST', `${closing.base}/close`, { token: w.dev.token });
    const row = await t.services.db.kysely
      .selectFrom('review_windows')
      .select('endpoint_secret')
      .where('id', '=', closing.id)
      .executeTakeFirstOrThrow();
    expect(row.endpoint_secret).toBeNull();
    const v = (await get(closing.base, w.dev.token)).body as { endpoint: { secretStored: boolean } };
    expect(v.endpoint.secretStored).toBe(false);
  });

  it('only AI developers offer models; bad input names the field and stores nothing', async () => {
    const before = (await t.services.db.kysely.selectFrom('review_windows').select('id').execute()).length;
    const asAgency = await t.req('POST', '/api/v1/reviews/windows', {
      token: w.agency.token,
      body: { modelName: 'x' },
    });
    expect(asAgency.status).toBe(400); // the body is checked first
    expect(
      (await t.req('POST', '/api/v1/reviews/windows', { token: w.agency.token, body: offerBody(up.baseURL) })).status,
    ).toBe(403);
    for (const [over, path] of [
      [
        {
          endpoint: { baseUrl: 'file:///etc/passwd', apiKey: 'k', variants: [{ variant: 'production', modelId: 'm' }] },
        },
        'endpoint.baseUrl',
      ],
      [
        { endpoint: { baseUrl: up.baseURL, apiKey: 'k', variants: [{ variant: 'jailbroken', modelId: 'm' }] } },
        'endpoint.variants.0.variant',
      ],
      [
        {
          endpoint: {
            baseUrl: 'http://169.254.169.254/v1',
            apiKey: 'k',
            variants: [{ variant: 'production', modelId: 'm' }],
          },
        },
        'endpoint.baseUrl',
      ],
      [
        {
          endpoint: {
            baseUrl: 'http://[::ffff:169.254.169.254]/v1',
            apiKey: 'k',
            variants: [{ variant: 'production', modelId: 'm' }],
          },
        },
        'endpoint.baseUrl',
      ],
      [
        {
          endpoint: {
            baseUrl: 'http://0.0.0.0:8080/v1',
            apiKey: 'k',
            variants: [{ variant: 'production', modelId: 'm' }],
          },
        },
        'endpoint.baseUrl',
      ],
      [{ trustedPartnerDate: '2020-01-01' }, 'trustedPartnerDate'],
      [{ trustedPartnerDate: 'soon' }, 'trustedPartnerDate'],
      [
        { limits: { requestsPerMinute: 0, maxBudget: { requests: 1, tokens: 1, seconds: 1 } } },
        'limits.requestsPerMinute',
      ],
      [{ covered: { designationRef: 'D', benchmark: 'secret score' } }, 'covered'],
    ] as const) {
      const r = await t.req<{ issues: { path: string }[] }>('POST', '/api/v1/reviews/windows', {
        token: w.dev.token,
        body: offerBody(up.baseURL, over as Record<string, unknown>),
      });
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body.issues.map((i) => i.path).join(' '), JSON.stringify(over)).toContain(path);
    }
    expect((await t.services.db.kysely.selectFrom('review_windows').select('id').execute()).length).toBe(before);
    const moved = await t.req<{ issues: { path: string }[] }>('PATCH', `${win.base}/endpoint`, {
      token: w.dev.token,
      body: { baseUrl: 'http://169.254.169.254/latest' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.issues[0]!.path).toBe('endpoint.baseUrl');
  });
});
