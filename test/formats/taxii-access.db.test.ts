/**
 * TAXII 2.1: who sees what. Every path (collections, objects, object by id, versions, manifest) goes through the one
 * access rule at read time: anonymous callers get the public collection only, a member of org B never sees org A's
 * AMBER or RED objects, embargoed objects appear when the embargo ends, a withdrawn organisation reads nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadMarkings, replaceMarking } from '../../src/access/marking.repository.js';
import { inTx } from '../../src/db/tx.js';
import { TLP2_MARKING_IDS } from '../../src/formats/stix/index.js';
import { TAXII_MEDIA_TYPE } from '../../src/formats/taxii/media.js';
import { describeBackends } from '../backends.js';
import {
  ACCEPT,
  advisoryBody,
  basic,
  buildWorld,
  get,
  PARTICIPANTS,
  PUBLIC,
  publish,
  RESTRICTED,
  ROOT,
  stixIssues,
  vulnerabilityIdOf,
  type World,
  walk,
} from './taxii-world.js';

describeBackends('TAXII access', (backend) => {
  let w: World;
  const vuln: Record<string, string> = {};
  beforeAll(async () => {
    w = await buildWorld(backend);
    // Reading once records the object versions of every advisory (including the embargoed one).
    await walk(w.t, PUBLIC, null);
    for (const [k, id] of Object.entries(w.ids)) vuln[k] = await vulnerabilityIdOf(w.t, id);
  }, 60_000);
  afterAll(async () => w?.t.close());

  const vulnIds = (objects: Record<string, unknown>[]) =>
    objects.filter((o) => o.type === 'vulnerability').map((o) => o.id as string);

  it('discovery and the API root answer in the TAXII media type, for anonymous callers too', async () => {
    const d = await get(w.t, '/taxii2/', null);
    expect(d.status).toBe(200);
    expect(d.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
    expect(d.body).toMatchObject({ api_roots: [expect.stringMatching(/\/taxii2\/api\/$/)] });
    const root = await get(w.t, `${ROOT}/`, null);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ versions: [TAXII_MEDIA_TYPE] });
  });

  it('anonymous callers list the public collection only and see TLP:CLEAR, un-embargoed objects only', async () => {
    const c = await w.t.req<{ collections: { id: string; can_write: boolean }[] }>('GET', `${ROOT}/collections/`, {
      headers: ACCEPT,
    });
    expect(c.body.collections.map((x) => x.id)).toEqual([PUBLIC]);
    expect(c.body.collections[0]!.can_write).toBe(false);
    const { objects } = await walk(w.t, PUBLIC, null);
    expect(vulnIds(objects)).toEqual([vuln.clear]);
    expect(stixIssues(objects)).toEqual([]);
    for (const o of objects.filter((x) => x.type !== 'marking-definition'))
      expect(o.object_marking_refs).toEqual(['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487']);
    for (const other of [PARTICIPANTS, RESTRICTED, w.groupCollection]) {
      const r = await get(w.t, `${ROOT}/collections/${other}/objects/`, null);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ http_status: '401', title: expect.any(String) });
    }
  });

  it('a member of B sees CLEAR and GREEN, never the AMBER, group or RED objects of A, on any path', async () => {
    const c = await w.t.req<{ collections: { id: string }[] }>('GET', `${ROOT}/collections/`, {
      headers: basic(w.b.token),
    });
    expect(c.body.collections.map((x) => x.id).sort()).toEqual([PUBLIC, PARTICIPANTS, RESTRICTED].sort());
    const participants = await walk(w.t, PARTICIPANTS, w.b.token);
    expect(vulnIds(participants.objects).sort()).toEqual([vuln.clear, vuln.green].sort());
    const restricted = await walk(w.t, RESTRICTED, w.b.token);
    expect(vulnIds(restricted.objects)).toEqual([]);
    for (const hidden of [vuln.amberA, vuln.amberGroup, vuln.redA, vuln.embargoed])
      for (const col of [PUBLIC, PARTICIPANTS, RESTRICTED]) {
        for (const path of [`objects/${hidden}/`, `objects/${hidden}/versions/`]) {
          const r = await get(w.t, `${ROOT}/collections/${col}/${path}`, w.b.token);
          expect(r.status, `${col}/${path}`).toBe(404);
          expect(r.body).toMatchObject({ http_status: '404' });
        }
        const m = await get(w.t, `${ROOT}/collections/${col}/manifest/?limit=1000`, w.b.token);
        expect(JSON.stringify(m.body)).not.toContain(hidden);
        const q = await get(w.t, `${ROOT}/collections/${col}/objects/?match[id]=${hidden}`, w.b.token);
        expect(q.status).toBe(200);
        expect(q.body.objects).toBeUndefined();
      }
    const group = await get(w.t, `${ROOT}/collections/${w.groupCollection}/objects/`, w.b.token);
    expect(group.status).toBe(404);
  });

  it('a member of A sees the AMBER objects shared with A and its group, and RED only when named', async () => {
    const restricted = await walk(w.t, RESTRICTED, w.a.token);
    expect(vulnIds(restricted.objects).sort()).toEqual([vuln.amberA, vuln.amberGroup, vuln.redA].sort());
    expect(stixIssues(restricted.objects)).toEqual([]);
    const amber = restricted.objects.find((o) => o.id === vuln.amberA)!;
    expect(amber.object_marking_refs).toEqual(['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421']);
    const group = await walk(w.t, w.groupCollection, w.a.token);
    expect(vulnIds(group.objects)).toEqual([vuln.amberGroup]);
    // The other member of A is not named on the RED advisory.
    const reader = await walk(w.t, RESTRICTED, w.aReader.token);
    expect(vulnIds(reader.objects).sort()).toEqual([vuln.amberA, vuln.amberGroup].sort());
    const red = await get(w.t, `${ROOT}/collections/${RESTRICTED}/objects/${vuln.redA}/`, w.aReader.token);
    expect(red.status).toBe(404);
  });

  it('reads of AMBER material through TAXII are audited', async () => {
    const before = await w.t.services.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'advisory.list')
      .execute();
    await walk(w.t, RESTRICTED, w.a.token);
    const after = await w.t.services.db.kysely
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'advisory.list')
      .execute();
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.at(-1)!.details).toContain(w.ids.amberA);
  });

  it('an embargoed CLEAR object is hidden until the embargo ends, then added for outsiders at its end', async () => {
    const before = await walk(w.t, PUBLIC, null);
    expect(vulnIds(before.objects)).not.toContain(vuln.embargoed);
    const lastSeen = before.pages.at(-1)!.headers['x-taxii-date-added-last'] as string;
    expect(lastSeen).toBeTruthy();
    // The coordinator (the owner) sees it during the embargo.
    const own = await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/${vuln.embargoed}/`, w.t.adminToken);
    expect(own.status).toBe(200);
    w.clock.advance(25 * 3600_000);
    const poll = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?added_after=${lastSeen}`, null);
    expect(vulnIds(poll.body.objects ?? [])).toEqual([vuln.embargoed]);
    expect(poll.headers['x-taxii-date-added-first']).toBe('2026-11-27T10:00:00.000Z');
    const b = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/${vuln.embargoed}/`, w.b.token);
    expect(b.status).toBe(200);
  });

  it('an embargo ended early (a marking change event) adds the objects for outsiders at that moment', async () => {
    const id = await publish(
      w.t,
      advisoryBody('Embargo that ends early', { tlp: 'CLEAR', embargoUntil: '2027-06-01T00:00:00.000Z' }),
    );
    const before = await walk(w.t, PUBLIC, null);
    const lastSeen = before.pages.at(-1)!.headers['x-taxii-date-added-last'] as string;
    const stixId = await vulnerabilityIdOf(w.t, id);
    expect(vulnIds(before.objects)).not.toContain(stixId);
    w.clock.advance(3600_000);
    const releasedAt = w.clock.now.toISOString();
    // What the case service does when a case's embargo ends early: the advisory's marking follows, then the event.
    await inTx(w.t.services.db, async (tx) => {
      const m = (await loadMarkings(tx, [id])).get(id)!;
      await replaceMarking(tx, id, { ...m, embargoUntil: null });
      await w.t.services.advisories.markingChanged(tx, id);
    });
    const poll = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?added_after=${lastSeen}`, null);
    expect(vulnIds(poll.body.objects ?? [])).toEqual([stixId]);
    expect(poll.headers['x-taxii-date-added-first']).toBe(releasedAt);
  });

  it('collections are views: a marking narrowed after publication hides the objects at once, refs follow', async () => {
    const id = await publish(w.t, advisoryBody('Green at first, AMBER later', { tlp: 'GREEN' }));
    // Recorded by the advisory listener in the publishing transaction.
    const stixId = await vulnerabilityIdOf(w.t, id);
    const url = `${ROOT}/collections/${PARTICIPANTS}/objects/${stixId}/`;
    const green = await get(w.t, url, w.b.token);
    expect(green.body.objects![0]!.object_marking_refs).toEqual([TLP2_MARKING_IDS.GREEN]);
    await inTx(w.t.services.db, async (tx) => {
      const m = (await loadMarkings(tx, [id])).get(id)!;
      await replaceMarking(tx, id, { ...m, tlp: 'AMBER', sharedOrgIds: [w.a.orgId] });
    });
    expect((await get(w.t, url, w.b.token)).status).toBe(404);
    const amber = await get(w.t, `${ROOT}/collections/${RESTRICTED}/objects/${stixId}/`, w.a.token);
    expect(amber.body.objects![0]!.object_marking_refs).toEqual([TLP2_MARKING_IDS.AMBER]);
  });

  it('POST to a sharing-group collection makes AMBER reports for that group, with Basic credentials', async () => {
    const vuln = {
      type: 'vulnerability',
      spec_version: '2.1',
      id: 'vulnerability--7d0c1a1e-2b3c-4d5e-8f60-718293a4b5c6',
      created: '2026-11-20T08:00:00.000Z',
      modified: '2026-11-20T08:00:00.000Z',
      name: 'Training data extraction in example-model',
      description: 'Repeated-token prompts make the model emit memorised training records.',
      x_clearinghouse: {
        affected: [{ package: { ecosystem: 'PyPI', name: 'example-model' }, versions: ['1.0.0'] }],
      },
    };
    const r = await w.t.req<{ successes: { message: string }[] }>(
      'POST',
      `${ROOT}/collections/${w.groupCollection}/objects/`,
      { headers: { ...basic(w.a.token), 'content-type': TAXII_MEDIA_TYPE }, body: { objects: [vuln] } },
    );
    expect(r.status).toBe(202);
    const reportId = /report (\S+) created/.exec(r.body.successes[0]!.message)![1]!;
    const a = await w.t.services.participants.authenticate(w.a.token);
    const report = await w.t.services.reports.get(a, reportId);
    expect(report.marking).toMatchObject({ tlp: 'AMBER', sharingGroupId: w.groupId });
    const b = await w.t.services.participants.authenticate(w.b.token);
    await expect(w.t.services.reports.get(b, reportId)).rejects.toThrow();
    expect(
      (
        await w.t.req('POST', `${ROOT}/collections/${w.groupCollection}/objects/`, {
          token: w.b.token,
          headers: { ...ACCEPT, 'content-type': TAXII_MEDIA_TYPE },
          body: { objects: [vuln] },
        })
      ).status,
    ).toBe(404);
  });

  it('Basic and Bearer both authenticate; a bad token is 401 in the TAXII error shape', async () => {
    const bearer = await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/`, w.b.token);
    expect(bearer.status).toBe(200);
    const viaBasic = await w.t.req('GET', `${ROOT}/collections/${PARTICIPANTS}/`, { headers: basic(w.b.token) });
    expect(viaBasic.status).toBe(200);
    const bad = await w.t.req('GET', `${ROOT}/collections/`, { headers: basic('chk_not_a_token') });
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
    expect(bad.body).toMatchObject({ http_status: '401', error_code: 'token_invalid' });
    expect(String(bad.headers['www-authenticate'])).toContain('Basic');
  });

  it('a withdrawn organisation reads nothing more', async () => {
    const c = await w.t.org('Org C Leaving', 'researcher');
    expect((await get(w.t, `${ROOT}/collections/`, c.token)).status).toBe(200);
    const out = await w.t.req('POST', `/api/v1/organisations/${c.orgId}/withdraw`, { token: c.token, body: {} });
    expect(out.status).toBe(200);
    const after = await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/`, c.token);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ http_status: '401' });
  });
});
