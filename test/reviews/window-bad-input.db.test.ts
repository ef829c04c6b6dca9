/** Bad input to the review routes: 4xx problem+json naming the field, and nothing stored. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { grantBody, openWindow, SECRETS_KEY, startUpstream, termsBody, type World, world } from './window-fixtures.js';

describeBackends('review routes: bad input', (backend) => {
  let t: TestApp;
  let w: World;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let win: Awaited<ReturnType<typeof openWindow>>;
  const rows = async () => {
    const db = t.services.db.kysely;
    return [
      (await db.selectFrom('review_terms').select('id').execute()).length,
      (await db.selectFrom('review_consents').select('id').execute()).length,
      (await db.selectFrom('review_grants').select('id').execute()).length,
      (await db.selectFrom('review_grant_keys').select('id').execute()).length,
    ];
  };

  beforeAll(async () => {
    up = await startUpstream({ echo: () => ({ content: 'ok' }) });
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    w = await world(t);
    win = await openWindow(t, w, up.baseURL);
  }, 120_000); // a shared machine and database can be slow to set up
  afterAll(async () => {
    await t.close();
    await up.close();
  });

  it('names the field of every bad body and stores nothing', async () => {
    const before = await rows();
    const cases: [string, string, unknown, string, string][] = [
      ['POST', 'terms', termsBody({ tlpDefault: 'PURPLE' }), w.dev.token, 'tlpDefault'],
      ['POST', 'terms', termsBody({ text: '' }), w.dev.token, 'text'],
      [
        'POST',
        'terms',
        termsBody({ scope: { agencies: [], categories: ['Bad Category'], partnersAllowed: true } }),
        w.dev.token,
        'scope.categories.0',
      ],
      ['POST', 'terms', termsBody({ retentionDays: -1 }), w.dev.token, 'retentionDays'],
      ['POST', 'terms', termsBody({ onWithdrawal: 'sell' }), w.dev.token, 'onWithdrawal'],
      ['POST', 'consents', { termsId: win.termsId, termsSha256: 'XYZ' }, w.dev.token, 'termsSha256'],
      ['POST', 'consents', { termsId: 'nope', termsSha256: 'a'.repeat(64) }, w.dev.token, 'termsId'],
      ['POST', 'grants', grantBody(w.agency.orgId, { role: 'auditor' }), w.dev.token, 'role'],
      ['POST', 'grants', grantBody(w.agency.orgId, { variants: ['reasoning-visible'] }), w.dev.token, 'variants.0'],
      [
        'POST',
        'grants',
        grantBody(w.agency.orgId, { budget: { requests: 0, tokens: 1, seconds: 1 } }),
        w.dev.token,
        'budget.requests',
      ],
      ['POST', 'grants', grantBody(w.agency.orgId, { validUntil: '2999-01-01T00:00:00Z' }), w.dev.token, 'validUntil'],
      ['POST', 'grants', grantBody('no-such-org'), w.dev.token, 'granteeOrgId'],
      [
        'POST',
        'grants',
        grantBody(w.agency.orgId, { granteeMemberId: w.dev.memberId }),
        w.dev.token,
        'granteeMemberId',
      ],
      ['POST', `grants/${win.grantId}/keys`, { label: 'x'.repeat(101) }, w.agency.token, 'label'],
      ['PUT', 'covered', { designationRef: 'D', status: 'approved' }, t.adminToken, 'status'],
      ['POST', 'partner-date', { trustedPartnerDate: 'next week' }, w.dev.token, 'trustedPartnerDate'],
      ['PATCH', 'endpoint', { apiKey: '' }, w.dev.token, 'apiKey'],
    ];
    for (const [method, path, body, token, field] of cases) {
      const r = await t.req<{ issues?: { path: string }[]; type: string }>(method, `${win.base}/${path}`, {
        token,
        body,
      });
      expect(r.status, `${path} ${field}: ${r.raw}`).toBe(400);
      expect(String(r.headers['content-type'])).toContain('application/problem+json');
      expect(
        r.body.issues?.map((i) => i.path),
        `${path} ${field}`,
      ).toContain(field);
    }
    const notJson = await t.req('POST', `${win.base}/grants`, {
      token: w.dev.token,
      body: '{"granteeOrgId": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(await rows()).toEqual(before);
  });
});
