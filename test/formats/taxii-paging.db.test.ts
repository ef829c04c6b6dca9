/**
 * A scripted TAXII client walks thousands of objects with limit + next: no duplicates, no gaps, although every object
 * shares one date_added (the clock stands still), and while new advisories are published mid-walk. The advisories are
 * imported, then their feed rows are removed (as in a database from before the TAXII server), so the walk also proves
 * the catch-up records advisories written before.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTaxii } from '../../src/formats/taxii/index.js';
import { describeBackends } from '../backends.js';
import { importPackageAdvisories } from '../fixtures.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { ACCEPT, advisoryBody, PARTICIPANTS, PUBLIC, publish, ROOT, stixIssues, walk } from './taxii-world.js';

const N = 1000;

describeBackends('TAXII paging', (backend) => {
  let t: TestApp;
  let b: TestOrg;
  const now = new Date('2026-11-26T12:00:00.000Z');
  const key = (o: Record<string, unknown>) => `${o.id}|${o.modified ?? o.created}`;

  beforeAll(async () => {
    t = await startTestApp(backend, { clock: () => now });
    b = await t.org('Org B Vendor', 'vendor');
    const p = await t.services.participants.authenticate(t.adminToken);
    await importPackageAdvisories(t.services, { orgId: p.viewer.orgId, memberId: p.viewer.memberId }, N, {
      prefix: 'test',
      summary: 'Imported flaw number',
      source: 'test data',
      batch: 250,
    });
  }, 300_000);
  afterAll(async () => t?.close());

  it('backfill: imported advisories are recorded at most a budget per call; the background run at serve finishes', async () => {
    // Imports record their feed rows in the same transaction; remove them to stand for advisories written before.
    await t.services.db.kysely.deleteFrom('taxii_objects').execute();
    await t.services.db.kysely.deleteFrom('taxii_sync').execute();
    const behind = async () =>
      Number(
        (
          await t.services.db.kysely
            .selectFrom('advisories as a')
            .leftJoin('taxii_sync as s', 's.advisory_id', 'a.id')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('s.advisory_id', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await behind()).toBe(N);
    expect(await t.services.taxii.catchUp(300)).toBe(300);
    expect(await behind()).toBe(N - 300);
    const stop = startTaxii(t.services);
    for (let i = 0; i < 600 && (await behind()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(await behind()).toBe(0);
    expect(await t.services.taxii.catchUp()).toBe(0);
  }, 300_000);

  it('walks every public object once, in pages of 97, although they share one date_added', async () => {
    const { objects, pages } = await walk(t, PUBLIC, null, '', 97);
    const keys = objects.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    const clear = N - Math.ceil(N / 3);
    // Per advisory: vulnerability, course-of-action (fixed versions) and relationship; plus CLEAR marking, identities.
    expect(objects.filter((o) => o.type === 'vulnerability')).toHaveLength(clear);
    expect(objects.filter((o) => o.type === 'course-of-action')).toHaveLength(clear);
    expect(objects.filter((o) => o.type === 'relationship')).toHaveLength(clear);
    expect(objects.length).toBe(
      3 * clear + objects.filter((o) => ['identity', 'marking-definition'].includes(String(o.type))).length,
    );
    expect(pages.length).toBe(Math.ceil(objects.length / 97));
    const added = new Set(
      pages.flatMap((p) => [p.headers['x-taxii-date-added-first'], p.headers['x-taxii-date-added-last']]),
    );
    expect(added.size).toBeLessThanOrEqual(2);
    expect(stixIssues(objects)).toEqual([]);
    const manifest: string[] = [];
    let next: string | undefined;
    do {
      const r = await t.req<{ more: boolean; next?: string; objects: { id: string; version: string }[] }>(
        'GET',
        `${ROOT}/collections/${PUBLIC}/manifest/?limit=500${next ? `&next=${next}` : ''}`,
        { headers: ACCEPT },
      );
      manifest.push(...r.body.objects.map((m) => `${m.id}|${m.version}`));
      next = r.body.more ? r.body.next : undefined;
    } while (next);
    expect(manifest).toEqual(keys);
  }, 300_000);

  it('a client over a real socket (fetch, Basic credentials) walks the participants collection the same way', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const auth = `Basic ${Buffer.from(`taxii-client:${b.token}`).toString('base64')}`;
    const discovery = await fetch(`${address}/taxii2/`, { headers: { ...ACCEPT, authorization: auth } });
    expect(discovery.headers.get('content-type')).toBe(ACCEPT.accept);
    const root = ((await discovery.json()) as { api_roots: string[] }).api_roots[0]!;
    expect(root).toMatch(/\/taxii2\/api\/$/);
    const seen = new Set<string>();
    let total = 0;
    let next: string | undefined;
    do {
      const res = await fetch(
        `${address}/taxii2/api/collections/${PARTICIPANTS}/objects/?limit=1000${next ? `&next=${next}` : ''}`,
        { headers: { ...ACCEPT, authorization: auth } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { more: boolean; next?: string; objects?: Record<string, unknown>[] };
      for (const o of body.objects ?? []) seen.add(key(o));
      total += body.objects?.length ?? 0;
      next = body.more ? body.next : undefined;
    } while (next);
    expect(seen.size).toBe(total);
    const inProcess = await walk(t, PARTICIPANTS, b.token, '', 1000);
    expect([...seen]).toEqual(inProcess.objects.map(key));
  }, 300_000);

  it('a member walks CLEAR and GREEN; objects published during the walk come at its end, nothing lost or repeated', async () => {
    const seen: Record<string, unknown>[] = [];
    let next: string | undefined;
    let published = 0;
    for (let page = 0; ; page++) {
      const r = await t.req<{ more: boolean; next?: string; objects?: Record<string, unknown>[] }>(
        'GET',
        `${ROOT}/collections/${PARTICIPANTS}/objects/?limit=250${next ? `&next=${next}` : ''}`,
        { token: b.token, headers: ACCEPT },
      );
      expect(r.status).toBe(200);
      seen.push(...(r.body.objects ?? []));
      if (page === 3)
        for (let i = 0; i < 5; i++) {
          await publish(t, advisoryBody(`Published mid-walk ${i}`, { tlp: i % 2 ? 'GREEN' : 'CLEAR' }));
          published++;
        }
      if (!r.body.more) break;
      next = r.body.next;
    }
    const keys = seen.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    const vulns = seen.filter((o) => o.type === 'vulnerability');
    expect(vulns).toHaveLength(N + published);
    expect(vulns.slice(-published).map((v) => String(v.description))).toEqual(
      Array.from({ length: published }, (_, i) => expect.stringContaining(`mid-walk ${i}`)),
    );
  }, 300_000);
});
