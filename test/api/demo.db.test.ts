/** The demo seed on each backend: demo organisations, advisories, reports, a case, and operator inventories with findings. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';

describeBackends('demo seed', (backend) => {
  let t: TestApp;
  let tokens: Awaited<ReturnType<typeof seedDemo>>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    const coordinator = await t.services.participants.authenticate(t.adminToken);
    tokens = await seedDemo(t.services, coordinator);
  });
  afterAll(async () => t?.close());

  it('gives each demo operator an inventory with findings, visible to it and not to another operator', async () => {
    const water = tokens.find((x) => x.organisation === 'Demo Rural Water Utility')!;
    const bank = tokens.find((x) => x.organisation === 'Demo Community Bank')!;
    const mine = await t.req<{ items: { id: string; asset?: { name: string } }[] }>(
      'GET',
      '/api/v1/findings?limit=100',
      {
        token: water.token,
      },
    );
    expect(mine.status, mine.raw).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    const theirs = await t.req<{ items: { id: string }[] }>('GET', '/api/v1/findings?limit=100', { token: bank.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.length).toBeGreaterThan(0);
    const waterIds = new Set(mine.body.items.map((f) => f.id));
    expect(theirs.body.items.some((f) => waterIds.has(f.id))).toBe(false);
    const other = await t.req('GET', `/api/v1/findings/${mine.body.items[0]!.id}`, { token: bank.token });
    expect(other.status).toBe(404);
  });
});
