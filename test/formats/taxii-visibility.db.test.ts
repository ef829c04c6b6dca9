/**
 * TAXII 2.1: date_added is when an object was added to the collection *as the reader sees it*. An AMBER object that
 * becomes visible to an organisation after it was recorded (the organisation joins the object's sharing group, or the
 * marking is widened to it) is added for that organisation at that moment, so its client polling with added_after
 * receives it; organisations outside the audience still never see it, and a walk with `next` neither repeats nor
 * loses anything.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadMarkings, replaceMarking } from '../../src/access/marking.repository.js';
import { inTx } from '../../src/db/tx.js';
import { describeBackends } from '../backends.js';
import { reportBody, type TestOrg } from '../harness.js';
import {
  advisoryBody,
  buildWorld,
  type Envelope,
  get,
  PARTICIPANTS,
  publish,
  RESTRICTED,
  ROOT,
  readerToken,
  vulnerabilityIdOf,
  type World,
  walk,
} from './taxii-world.js';

const key = (o: Record<string, unknown>) => `${o.id}|${o.modified ?? o.created ?? ''}`;

describeBackends('TAXII date_added as the reader sees it', (backend) => {
  let w: World;
  let c: TestOrg;
  const vuln: Record<string, string> = {};

  beforeAll(async () => {
    w = await buildWorld(backend);
    c = await w.t.org('Org C Utility', 'infrastructure_operator');
    await walk(w.t, PARTICIPANTS, w.b.token);
    for (const [k, id] of Object.entries(w.ids)) vuln[k] = await vulnerabilityIdOf(w.t, id);
  }, 60_000);
  afterAll(async () => w?.t.close());

  /** One poll as a TAXII client does it: objects added after `after`, and the X-TAXII-Date-Added-Last header. */
  const poll = async (collection: string, token: string, after: string | null) => {
    const r = await get(
      w.t,
      `${ROOT}/collections/${collection}/objects/?limit=1000${after ? `&added_after=${after}` : ''}`,
      token,
    );
    expect(r.status).toBe(200);
    const last = r.headers['x-taxii-date-added-last'];
    return { objects: r.body.objects ?? [], last: typeof last === 'string' ? last : after };
  };
  const vulnIds = (objects: Record<string, unknown>[]) =>
    objects.filter((o) => o.type === 'vulnerability').map((o) => o.id as string);

  it('an organisation that joins a sharing group receives its AMBER object at its next added_after poll; an outsider does not', async () => {
    const before = await poll(RESTRICTED, w.b.token, null);
    expect(vulnIds(before.objects)).toEqual([]);
    const outsider = await poll(RESTRICTED, c.token, null);
    expect(vulnIds(outsider.objects)).toEqual([]);
    expect(before.last).toEqual(expect.any(String));

    w.clock.advance(60_000);
    const joined = await w.t.req('PUT', `/api/v1/sharing-groups/${w.groupId}/members/${w.b.orgId}`, {
      token: w.t.adminToken,
    });
    expect(joined.status).toBe(200);

    // B's next poll from where it stopped holds the group's AMBER object, dated after that poll.
    const after = await poll(RESTRICTED, w.b.token, before.last);
    expect(vulnIds(after.objects)).toEqual([vuln.amberGroup]);
    expect(after.last! > before.last!).toBe(true);
    const manifest = await w.t.req<{ objects: { id: string; date_added: string }[] }>(
      'GET',
      `${ROOT}/collections/${RESTRICTED}/manifest/?added_after=${before.last}&match[id]=${vuln.amberGroup}`,
      { token: w.b.token, headers: { accept: 'application/taxii+json;version=2.1' } },
    );
    expect(manifest.body.objects).toHaveLength(1);
    expect(manifest.body.objects[0]!.date_added > before.last!).toBe(true);
    // The next poll does not send it again, and the group's collection serves it too.
    const again = await poll(RESTRICTED, w.b.token, after.last);
    expect(vulnIds(again.objects)).toEqual([]);
    expect(vulnIds((await walk(w.t, w.groupCollection, w.b.token)).objects)).toEqual([vuln.amberGroup]);
    // Another member of B (a read-only token) gets the same date_added: visibility is the organisation's.
    const bReader = await readerToken(w.t, w.b);
    expect(vulnIds((await poll(RESTRICTED, bReader.token, before.last)).objects)).toEqual([vuln.amberGroup]);

    // C, not in the group, still gets nothing, whether it polls from its last point or walks everything.
    expect(vulnIds((await poll(RESTRICTED, c.token, outsider.last)).objects)).toEqual([]);
    expect(vulnIds((await walk(w.t, RESTRICTED, c.token)).objects)).toEqual([]);
    // A, in the group from the start, keeps the recording date: its poll from the last point sends nothing again.
    const aAll = await poll(RESTRICTED, w.a.token, null);
    expect(vulnIds(aAll.objects)).toContain(vuln.amberGroup);
    expect(vulnIds((await poll(RESTRICTED, w.a.token, aAll.last)).objects)).toEqual([]);
  });

  it('a walk with next that spans a join neither repeats nor loses an object, and ends with the newly visible one', async () => {
    const d = await w.t.org('Org D Bank', 'infrastructure_operator');
    // An AMBER advisory for D recorded after the group's, so that D's cursor passes the group's object's recording
    // instant before D joins: without a new date_added for D, the group's object would fall behind the cursor.
    w.clock.advance(1_000);
    const amberD = await publish(
      w.t,
      advisoryBody('Amber flaw shared with D', { tlp: 'AMBER', sharedWithOrgIds: [d.orgId] }),
    );
    const full = async () => (await walk(w.t, RESTRICTED, d.token, '', 1000)).objects.map(key);
    const count = (await full()).length;
    const seen: Record<string, unknown>[] = [];
    let next: string | undefined;
    for (let page = 0; ; page++) {
      const r = await get(
        w.t,
        `${ROOT}/collections/${RESTRICTED}/objects/?limit=1${next ? `&next=${next}` : ''}`,
        d.token,
      );
      expect(r.status).toBe(200);
      seen.push(...((r.body as Envelope).objects ?? []));
      if (page === count - 2) {
        w.clock.advance(1_000);
        const joined = await w.t.req('PUT', `/api/v1/sharing-groups/${w.groupId}/members/${d.orgId}`, {
          token: w.t.adminToken,
        });
        expect(joined.status).toBe(200);
      }
      if (!r.body.more) break;
      next = r.body.next;
    }
    const keys = seen.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(vulnIds(seen)).toEqual([await vulnerabilityIdOf(w.t, amberD), vuln.amberGroup]);
    expect(keys.sort()).toEqual((await full()).sort());
  });

  it('an organisation that leaves the group and joins again gets the object again at its return, not while out', async () => {
    const f = await w.t.org('Org F Lab', 'ai_developer');
    const member = (on: boolean) =>
      w.t.req(on ? 'PUT' : 'DELETE', `/api/v1/sharing-groups/${w.groupId}/members/${f.orgId}`, {
        token: w.t.adminToken,
      });
    const first = await poll(RESTRICTED, f.token, null);
    w.clock.advance(1_000);
    expect((await member(true)).status).toBe(200);
    const joined = await poll(RESTRICTED, f.token, first.last);
    expect(vulnIds(joined.objects)).toEqual([vuln.amberGroup]);
    w.clock.advance(1_000);
    expect((await member(false)).status).toBe(200);
    const out = await poll(RESTRICTED, f.token, joined.last);
    expect(vulnIds(out.objects)).toEqual([]);
    expect(vulnIds((await walk(w.t, RESTRICTED, f.token)).objects)).toEqual([]);
    w.clock.advance(1_000);
    expect((await member(true)).status).toBe(200);
    expect(vulnIds((await poll(RESTRICTED, f.token, out.last)).objects)).toEqual([vuln.amberGroup]);
  });

  it('a marking widened to an organisation adds the object for it at that moment; the others keep their dates', async () => {
    const e = await w.t.org('Org E Agency', 'federal_agency');
    const eBefore = await poll(RESTRICTED, e.token, null);
    const aBefore = await poll(RESTRICTED, w.a.token, null);
    const cBefore = await poll(RESTRICTED, c.token, null);
    expect(vulnIds(eBefore.objects)).toEqual([]);
    w.clock.advance(60_000);
    await inTx(w.t.services.db, async (tx) => {
      const m = (await loadMarkings(tx, [w.ids.amberA])).get(w.ids.amberA)!;
      await replaceMarking(tx, w.ids.amberA, { ...m, sharedOrgIds: [...m.sharedOrgIds, e.orgId] });
      await w.t.services.advisories.markingChanged(tx, w.ids.amberA);
    });
    expect(vulnIds((await poll(RESTRICTED, e.token, eBefore.last)).objects)).toEqual([vuln.amberA]);
    // A could already see it: nothing new for A. C is outside the audience: nothing at all.
    expect(vulnIds((await poll(RESTRICTED, w.a.token, aBefore.last)).objects)).toEqual([]);
    expect(vulnIds((await poll(RESTRICTED, c.token, cBefore.last)).objects)).toEqual([]);
    expect(vulnIds((await walk(w.t, RESTRICTED, c.token)).objects)).toEqual([]);
  });
  it('a case embargo moved with a new participant: the new embargo party gets the advisory at its next poll, an outsider never', async () => {
    const t = w.t;
    const join = await t.org('Org G Deployer', 'infrastructure_operator');
    const outsider = await t.org('Org H Outsider', 'vendor');
    const r = await t.req<{ id: string }>('POST', '/api/v1/reports', { token: w.a.token, body: reportBody() });
    expect(r.status, r.raw).toBe(201);
    const c = await t.req<{ id: string }>('POST', '/api/v1/cases', {
      token: t.adminToken,
      body: {
        title: 'Embargoed flaw for TAXII',
        reportIds: [r.body.id],
        participants: [{ orgId: w.b.orgId, role: 'vendor' }],
      },
    });
    expect(c.status, c.raw).toBe(201);
    const id = c.body.id;
    const embargo = (token: string, body: Record<string, unknown>) =>
      t.req<Record<string, unknown>>('POST', `/api/v1/cases/${id}/embargo`, { token, body });
    await embargo(t.adminToken, { action: 'propose', endsAt: '2026-12-01T00:00:00Z' });
    for (const org of [w.a, w.b]) await embargo(org.token, { action: 'consent' });
    expect((await embargo(t.adminToken, { action: 'accept' })).body.embargoInForce).toBe(true);
    const adv = await t.req<{ id: string }>('POST', `/api/v1/cases/${id}/advisories`, {
      token: t.adminToken,
      body: { summary: 'Embargoed advisory for the TAXII test', marking: { tlp: 'GREEN' } },
    });
    expect(adv.status, adv.raw).toBe(201);
    // A later GREEN advisory moves the pollers' last point past the embargoed advisory's recording instant.
    w.clock.advance(1_000);
    await publish(t, advisoryBody('Green flaw recorded after the embargoed one', { tlp: 'GREEN' }));
    const joinBefore = await poll(PARTICIPANTS, join.token, null);
    const outsiderBefore = await poll(PARTICIPANTS, outsider.token, null);
    const vulnOf = await vulnerabilityIdOf(t, adv.body.id);
    expect(vulnIds(joinBefore.objects)).not.toContain(vulnOf);

    w.clock.advance(60_000);
    const added = await t.req('POST', `/api/v1/cases/${id}/participants`, {
      token: t.adminToken,
      body: { orgId: join.orgId, role: 'deployer' },
    });
    expect(added.status, added.raw).toBe(200);
    await embargo(t.adminToken, {
      action: 'propose',
      endsAt: '2026-12-02T00:00:00Z',
      reason: 'the deployer needs time',
    });
    for (const org of [w.a, w.b, join]) await embargo(org.token, { action: 'consent' });
    expect((await embargo(t.adminToken, { action: 'accept' })).status).toBe(200);

    expect(vulnIds((await poll(PARTICIPANTS, join.token, joinBefore.last)).objects)).toEqual([vulnOf]);
    expect(vulnIds((await poll(PARTICIPANTS, outsider.token, outsiderBefore.last)).objects)).toEqual([]);
    expect(vulnIds((await walk(t, PARTICIPANTS, outsider.token)).objects)).not.toContain(vulnOf);
  });
});
