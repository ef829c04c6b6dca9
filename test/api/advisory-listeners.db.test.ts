/** Advisory change listeners run inside the writing transaction: they see every kind of change, and a failing one rolls the change back. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importedAdvisory } from '../../src/formats/csaf/testing/samples.js';
import type { AdvisoryChange } from '../../src/vulnerabilities/advisory.service.js';
import { describeBackends } from '../backends.js';
import { marking } from '../fixtures.js';
import { startTestApp, type TestApp } from '../harness.js';

const body = {
  summary: 'Heap overflow in left-padder',
  details: 'details',
  aliases: ['CVE-2099-7001'],
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-padder' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
    },
  ],
  marking: { tlp: 'CLEAR' },
};

describeBackends('advisory change listeners', (backend) => {
  let t: TestApp;
  const seen: { kind: AdvisoryChange['kind']; id: string; version: number }[] = [];
  let failNext = false;
  beforeAll(async () => {
    t = await startTestApp(backend);
    t.services.advisories.onChange(async (_tx, c) => {
      if (failNext) {
        failNext = false;
        throw new Error('listener refused');
      }
      seen.push({ kind: c.kind, id: c.advisory.id, version: c.advisory.version });
    });
  });
  afterAll(() => t.close());

  it('sees publish, update and withdraw, in order, with the new version', async () => {
    const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', { token: t.adminToken, body });
    expect(res.status, res.raw).toBe(201);
    const id = res.body.id;
    expect(
      (
        await t.req('PATCH', `/api/v1/advisories/${id}`, {
          token: t.adminToken,
          body: { summary: 'Heap overflow in left-padder before 1.0.1' },
        })
      ).status,
    ).toBe(200);
    const w = await t.req('POST', `/api/v1/advisories/${id}/withdraw`, {
      token: t.adminToken,
      body: { reason: 'duplicate of another' },
    });
    expect(w.status, w.raw).toBe(200);
    expect(seen.filter((s) => s.id === id)).toEqual([
      { kind: 'created', id, version: 1 },
      { kind: 'updated', id, version: 2 },
      { kind: 'withdrawn', id, version: 3 },
    ]);
  });

  it('a listener that throws aborts the write: nothing is stored', async () => {
    const before = await t.req<{ items: unknown[] }>('GET', '/api/v1/advisories?limit=100', { token: t.adminToken });
    failNext = true;
    const res = await t.req('POST', '/api/v1/advisories', {
      token: t.adminToken,
      body: { ...body, aliases: ['CVE-2099-7002'] },
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const after = await t.req<{ items: unknown[] }>('GET', '/api/v1/advisories?limit=100', { token: t.adminToken });
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('sees imports: created, then updated when the source changes, nothing when unchanged', async () => {
    const { inTx } = await import('../../src/db/tx.js');
    const value = importedAdvisory({
      aliases: ['CVE-2099-7003'],
      summary: 'Imported flaw',
      details: 'details',
      published: '2099-01-01T00:00:00Z',
      modified: '2099-01-01T00:00:00Z',
    });
    const actor = { orgId: null, memberId: null };
    const imp = (v: typeof value) =>
      inTx(t.services.db, (tx) =>
        t.services.advisories.importDocument(tx, actor, 'test:X-1', v, marking(t.coordinatorOrgId)),
      );
    const first = await imp(value);
    await imp(value);
    await imp({ ...value, modified: '2099-02-01T00:00:00Z' });
    expect(seen.filter((s) => s.id === first.id).map((s) => s.kind)).toEqual(['created', 'updated']);
  });

  it('an update that names only some fields leaves the others (lists included) as they were', async () => {
    const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', {
      token: t.adminToken,
      body: {
        ...body,
        aliases: ['CVE-2099-7004'],
        cweIds: ['CWE-787'],
        references: [{ url: 'https://example.org/x' }],
      },
    });
    expect(res.status, res.raw).toBe(201);
    const upd = await t.req<{ aliases: string[]; affected: unknown[]; cweIds: string[]; references: unknown[] }>(
      'PATCH',
      `/api/v1/advisories/${res.body.id}`,
      { token: t.adminToken, body: { summary: 'Heap overflow in left-padder, renamed' } },
    );
    expect(upd.status, upd.raw).toBe(200);
    expect(upd.body.aliases).toEqual(['CVE-2099-7004']);
    expect(upd.body.affected).toHaveLength(1);
    expect(upd.body.cweIds).toEqual(['CWE-787']);
    expect(upd.body.references).toHaveLength(1);
  });
});
