/**
 * TAXII 2.1 protocol: versions and their history, every filter, the manifest, the error resource for 400, 401, 403,
 * 404, 406 and 415, POST → 202 → status → reports (markings never widened), DELETE (coordinators withdraw).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTx } from '../../src/db/tx.js';
import { TLP2_MARKING_IDS, tlp2Marking } from '../../src/formats/stix/index.js';
import { TAXII_MEDIA_TYPE } from '../../src/formats/taxii/media.js';
import { describeBackends } from '../backends.js';
import {
  ACCEPT,
  buildWorld,
  type Envelope,
  get,
  PARTICIPANTS,
  PUBLIC,
  RESTRICTED,
  ROOT,
  readerToken,
  stixIssues,
  vulnerabilityIdOf,
  type World,
  walk,
} from './taxii-world.js';

const TAXII_BODY = { ...ACCEPT, 'content-type': TAXII_MEDIA_TYPE };

function expectError(res: { status: number; body: unknown; headers: Record<string, unknown> }, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
  expect(res.body).toMatchObject({
    title: expect.any(String),
    description: expect.any(String),
    error_code: expect.any(String),
    http_status: String(status),
  });
}

describeBackends('TAXII protocol', (backend) => {
  let w: World;
  let vuln: string;
  const versionsOf = async (id: string, q = '') => {
    const r = await w.t.req<{ versions?: string[]; more: boolean }>(
      'GET',
      `${ROOT}/collections/${PUBLIC}/objects/${id}/versions/${q}`,
      { headers: ACCEPT },
    );
    expect(r.status).toBe(200);
    return r;
  };

  beforeAll(async () => {
    w = await buildWorld(backend);
    await walk(w.t, PUBLIC, null);
    vuln = await vulnerabilityIdOf(w.t, w.ids.clear);
    // Two more versions of the public advisory, an hour apart.
    for (const details of ['Second version of the details.', 'Third version of the details.']) {
      w.clock.advance(3600_000);
      const r = await w.t.req('PATCH', `/api/v1/advisories/${w.ids.clear}`, {
        token: w.t.adminToken,
        body: { details },
      });
      expect(r.status).toBe(200);
    }
  }, 60_000);
  afterAll(async () => w?.t.close());

  describe('versions', () => {
    it('lists the full history, oldest first, and objects answer the latest by default', async () => {
      const r = await versionsOf(vuln);
      expect(r.body.versions).toHaveLength(3);
      expect([...r.body.versions!].sort()).toEqual(r.body.versions);
      expect(r.headers['x-taxii-date-added-first']).toBeTruthy();
      const latest = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/${vuln}/`, null);
      expect(latest.body.objects).toHaveLength(1);
      expect(latest.body.objects![0]!.modified).toBe(r.body.versions![2]);
      expect(String(latest.body.objects![0]!.description)).toContain('Third version');
    });

    it('match[version] takes first, last, all and exact versions, alone or together', async () => {
      const all = (await versionsOf(vuln)).body.versions!;
      const url = (v: string) => `${ROOT}/collections/${PUBLIC}/objects/${vuln}/?match[version]=${v}`;
      const versions = async (v: string) => ((await get(w.t, url(v), null)).body.objects ?? []).map((o) => o.modified);
      expect(await versions('first')).toEqual([all[0]]);
      expect(await versions('last')).toEqual([all[2]]);
      expect(await versions('all')).toEqual(all);
      expect(await versions(all[1]!)).toEqual([all[1]]);
      expect(await versions(`first,${all[2]}`)).toEqual([all[0], all[2]]);
      expect(await versions('2001-01-01T00:00:00.000Z')).toEqual([]);
      const every = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?match[version]=all&limit=1000`, null);
      expect(every.body.objects!.filter((o) => o.id === vuln)).toHaveLength(3);
      expect(stixIssues(every.body.objects!)).toEqual([]);
    });

    it('a change that keeps the advisory modified date still makes a new, later STIX version', async () => {
      const coordinator = w.coordinator!;
      // applyKev finds advisories by alias: give the public advisory one, then KEV facts (its modified stays).
      const before = (await versionsOf(vuln)).body.versions!;
      await w.t.req('PATCH', `/api/v1/advisories/${w.ids.clear}`, {
        token: w.t.adminToken,
        body: { aliases: ['CVE-2026-0001'] },
      });
      w.clock.advance(1000);
      await inTx(w.t.services.db, (tx) =>
        w.t.services.advisories.applyKev(
          tx,
          { orgId: coordinator.viewer.orgId, memberId: coordinator.viewer.memberId },
          {
            cveId: 'CVE-2026-0001',
            dateAdded: '2026-11-26',
            dueDate: '2026-12-17',
            knownRansomwareCampaignUse: 'Known',
            requiredAction: 'Apply the update.',
          },
        ),
      );
      const after = (await versionsOf(vuln)).body.versions!;
      expect(after.length).toBe(before.length + 2);
      expect(new Set(after).size).toBe(after.length);
      expect([...after].sort()).toEqual(after);
      const sighting = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?match[type]=sighting`, null);
      expect(sighting.body.objects).toHaveLength(1);
      expect(stixIssues(sighting.body.objects!).filter((i) => !i.includes('does not resolve'))).toEqual([]);
    });
  });

  describe('filters', () => {
    it('match[type], match[id] and match[spec_version] select, in any combination', async () => {
      const types = async (q: string) =>
        ((await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?${q}`, null)).body.objects ?? []).map((o) => o.type);
      expect(new Set(await types('match[type]=course-of-action'))).toEqual(new Set(['course-of-action']));
      expect(new Set(await types('match[type]=vulnerability,relationship'))).toEqual(
        new Set(['vulnerability', 'relationship']),
      );
      expect(await types('match[type]=vulnerability&match[type]=relationship')).toHaveLength(2);
      expect(await types('match[spec_version]=2.0')).toEqual([]);
      expect((await types('match[spec_version]=2.1')).length).toBeGreaterThan(3);
      const ids = [vuln, TLP2_MARKING_IDS.CLEAR];
      const byId = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?match[id]=${ids.join(',')}`, null);
      expect(byId.body.objects!.map((o) => o.id).sort()).toEqual([...ids].sort());
      expect(byId.body.objects!.find((o) => o.id === TLP2_MARKING_IDS.CLEAR)).toEqual(tlp2Marking('CLEAR'));
    });

    it('added_after is exclusive and follows X-TAXII-Date-Added-Last; the manifest matches the objects', async () => {
      const all = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?limit=1000`, null);
      const last = all.headers['x-taxii-date-added-last'] as string;
      const first = all.headers['x-taxii-date-added-first'] as string;
      expect(first <= last).toBe(true);
      const none = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?added_after=${last}`, null);
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ more: false });
      expect(none.headers['x-taxii-date-added-first']).toBeUndefined();
      const some = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?added_after=${first}&limit=1000`, null);
      expect(some.body.objects!.length).toBeLessThan(all.body.objects!.length);
      const manifest = await w.t.req<{ objects: Record<string, string>[] }>(
        'GET',
        `${ROOT}/collections/${PUBLIC}/manifest/?limit=1000`,
        { headers: ACCEPT },
      );
      expect(manifest.status).toBe(200);
      expect(manifest.body.objects.map((m) => `${m.id}|${m.version}`)).toEqual(
        all.body.objects!.map((o) => `${o.id}|${o.modified ?? o.created}`),
      );
      for (const m of manifest.body.objects) {
        expect(m.media_type).toBe('application/stix+json;version=2.1');
        expect(m.date_added! >= first && m.date_added! <= last).toBe(true);
      }
    });
  });

  describe('errors in the TAXII shape', () => {
    it('406 for a foreign Accept, 200 for the TAXII type, a wildcard or none', async () => {
      for (const accept of ['application/json', 'application/taxii+json;version=2.0', 'text/html'])
        expectError(await w.t.req('GET', `${ROOT}/collections/`, { headers: { accept } }), 406);
      for (const accept of ['application/taxii+json', '*/*', 'application/json, application/taxii+json;version=2.1'])
        expect((await w.t.req('GET', `${ROOT}/collections/`, { headers: { accept } })).status).toBe(200);
      expect((await w.t.req('GET', `${ROOT}/collections/`)).status).toBe(200);
    });

    it('400 for bad filters, naming the parameter', async () => {
      const base = `${ROOT}/collections/${PUBLIC}/objects/`;
      for (const [q, parameter] of [
        ['added_after=yesterday', 'added_after'],
        ['added_after=2026-11-26T10:00:00', 'added_after'],
        ['limit=0', 'limit'],
        ['limit=ten', 'limit'],
        ['match[version]=latest', 'match[version]'],
        ['match[id]=not-an-id', 'match[id]'],
        ['match[type]=Not_A_Type', 'match[type]'],
        ['match[spec_version]=two', 'match[spec_version]'],
        ['match[foo]=x', 'match[foo]'],
        ['next=garbage', 'next'],
        ['added_after=2026-11-26T10:00:00Z&added_after=2026-11-26T11:00:00Z', 'added_after'],
      ]) {
        const r = await get(w.t, `${base}?${q}`, null);
        expectError(r, 400);
        expect(r.body, q).toMatchObject({ details: { parameter } });
      }
      const r = await get(
        w.t,
        `${ROOT}/collections/${PUBLIC}/objects/${vuln}/versions/?match[type]=vulnerability`,
        null,
      );
      expectError(r, 400);
    });

    it('404 for unknown collections, objects and endpoints; 401 and 403 where the caller may not', async () => {
      expectError(await get(w.t, `${ROOT}/collections/00000000-0000-4000-8000-000000000000/`, w.b.token), 404);
      expectError(
        await get(
          w.t,
          `${ROOT}/collections/${PUBLIC}/objects/vulnerability--00000000-0000-4000-8000-000000000000/`,
          null,
        ),
        404,
      );
      expectError(await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/not-an-id/`, null), 404);
      expectError(await get(w.t, '/taxii2/nothing-here/', null), 404);
      expectError(await get(w.t, `${ROOT}/status/00000000-0000-4000-8000-000000000000/`, w.b.token), 404);
      expectError(await get(w.t, `${ROOT}/status/00000000-0000-4000-8000-000000000000/`, null), 401);
      const envelope = { objects: [] };
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, { headers: TAXII_BODY, body: envelope }),
        401,
      );
      const reader = await readerToken(w.t, w.b);
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, {
          token: reader.token,
          headers: TAXII_BODY,
          body: envelope,
        }),
        403,
      );
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PUBLIC}/objects/`, {
          token: w.b.token,
          headers: TAXII_BODY,
          body: envelope,
        }),
        403,
      );
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, {
          token: w.b.token,
          headers: { ...ACCEPT, 'content-type': 'application/json' },
          body: envelope,
        }),
        415,
      );
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, {
          token: w.b.token,
          headers: TAXII_BODY,
          body: '{"objects": [',
        }),
        400,
      );
      expectError(
        await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, {
          token: w.b.token,
          headers: TAXII_BODY,
          body: { type: 'bundle' },
        }),
        400,
      );
      const c = await w.t.req('GET', `${ROOT}/collections/${PARTICIPANTS}/`, { token: reader.token, headers: ACCEPT });
      expect(c.body).toMatchObject({ can_read: true, can_write: false });
    });
  });

  describe('POST objects', () => {
    const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const vulnerability = (n: number, extra: Record<string, unknown>) => ({
      type: 'vulnerability',
      spec_version: '2.1',
      id: `vulnerability--${uuid(n)}`,
      created: '2026-11-20T08:00:00.000Z',
      modified: '2026-11-21T08:00:00.000Z',
      name: `Prompt injection in example-model-server ${n}`,
      description: 'A crafted document makes the model server call tools the user did not ask for.',
      external_references: [{ source_name: 'cwe', external_id: 'CWE-77' }],
      ...extra,
    });
    const software = {
      type: 'software',
      spec_version: '2.1',
      id: `software--${uuid(90)}`,
      name: 'example-model-server',
      vendor: 'Example',
      version: '3.1',
    };
    const has = (n: number) => ({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuid(100 + n)}`,
      created: '2026-11-20T08:00:00.000Z',
      modified: '2026-11-20T08:00:00.000Z',
      relationship_type: 'has',
      source_ref: software.id,
      target_ref: `vulnerability--${uuid(n)}`,
    });
    const envelope = {
      objects: [
        tlp2Marking('GREEN'),
        software,
        has(1),
        has(2),
        vulnerability(1, { object_marking_refs: [TLP2_MARKING_IDS.GREEN] }),
        vulnerability(2, { object_marking_refs: [TLP2_MARKING_IDS.RED] }),
        vulnerability(3, {}),
        { ...vulnerability(4, {}), name: undefined },
      ],
    };

    it('answers 202 with a status resource; vulnerabilities become reports, never wider than marked', async () => {
      const r = await w.t.req<Record<string, unknown>>('POST', `${ROOT}/collections/${RESTRICTED}/objects/`, {
        token: w.a.token,
        headers: TAXII_BODY,
        body: envelope,
      });
      expect(r.status).toBe(202);
      expect(r.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
      expect(r.body).toMatchObject({
        status: 'complete',
        total_count: 8,
        success_count: 2,
        failure_count: 6,
        pending_count: 0,
      });
      const successes = r.body.successes as { id: string; version: string; message: string }[];
      expect(successes.map((s) => s.id).sort()).toEqual([`vulnerability--${uuid(1)}`, `vulnerability--${uuid(2)}`]);
      const failures = r.body.failures as { id: string; message: string }[];
      expect(failures.find((f) => f.id === `vulnerability--${uuid(3)}`)!.message).toContain('affected');
      expect(failures.find((f) => f.id === `vulnerability--${uuid(4)}`)!.message).toMatch(/name/);
      expect(failures.find((f) => f.id === software.id)!.message).toContain('not ingested');

      const status = await w.t.req('GET', `${ROOT}/status/${r.body.id}/`, { token: w.a.token, headers: ACCEPT });
      expect(status.status).toBe(200);
      expect(status.body).toEqual(r.body);
      expectError(await w.t.req('GET', `${ROOT}/status/${r.body.id}/`, { token: w.b.token, headers: ACCEPT }), 404);

      const a = await w.t.services.participants.authenticate(w.a.token);
      const b = await w.t.services.participants.authenticate(w.b.token);
      const reportId = (s: { message: string }) => /report (\S+) created/.exec(s.message)![1]!;
      const green = successes.find((s) => s.id.endsWith(uuid(1)))!;
      const red = successes.find((s) => s.id.endsWith(uuid(2)))!;
      const greenReport = await w.t.services.reports.get(a, reportId(green));
      // GREEN object POSTed to the restricted collection: narrowed to AMBER, the collection's audience.
      expect(greenReport.marking.tlp).toBe('AMBER');
      expect(greenReport.affected).toEqual([expect.objectContaining({ product: 'example-model-server' })]);
      expect(greenReport.cweIds).toEqual(['CWE-77']);
      expect((await w.t.services.reports.get(a, reportId(red))).marking.tlp).toBe('RED');
      await expect(w.t.services.reports.get(b, reportId(green))).rejects.toThrow();

      const again = await w.t.req<Record<string, unknown>>('POST', `${ROOT}/collections/${RESTRICTED}/objects/`, {
        token: w.a.token,
        headers: TAXII_BODY,
        body: envelope,
      });
      expect(again.status).toBe(202);
      expect(
        (again.body.successes as { message: string }[]).every((s) => s.message.startsWith('already ingested')),
      ).toBe(true);
      const audit = await w.t.services.db.kysely
        .selectFrom('audit_log')
        .select('object_id')
        .where('action', '=', 'taxii.add_objects')
        .execute();
      expect(audit.map((x) => x.object_id)).toEqual(expect.arrayContaining([r.body.id, again.body.id]));
    });
  });

  describe('bad input', () => {
    it('arbitrary JSON bodies and filter values: always a TAXII answer (never 5xx), nothing stored but reports', async () => {
      const reports = async () =>
        Number(
          (
            await w.t.services.db.kysely
              .selectFrom('reports')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const objects = async () =>
        Number(
          (
            await w.t.services.db.kysely
              .selectFrom('taxii_objects')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const storedObjects = await objects();
      const stixish = fc.record(
        {
          type: fc.constantFrom('vulnerability', 'identity', 'software', 'relationship', 'x-thing'),
          spec_version: fc.constantFrom('2.1', '2.0', 7),
          id: fc.oneof(
            fc.uuid().map((u) => `vulnerability--${u}`),
            fc.string(),
          ),
          created: fc.oneof(fc.constant('2026-11-20T08:00:00Z'), fc.string(), fc.integer()),
          modified: fc.oneof(fc.constant('2026-11-20T08:00:00Z'), fc.string()),
          name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          description: fc.string(),
          object_marking_refs: fc.array(fc.oneof(fc.constant(TLP2_MARKING_IDS.RED), fc.string())),
        },
        { requiredKeys: [] },
      );
      const body = fc.oneof(
        fc.jsonValue(),
        fc.record({ objects: fc.array(fc.oneof(stixish, fc.jsonValue()), { maxLength: 5 }) }),
      );
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const before = await reports();
          const r = await w.t.req<Record<string, unknown>>('POST', `${ROOT}/collections/${RESTRICTED}/objects/`, {
            token: w.b.token,
            headers: TAXII_BODY,
            body: JSON.stringify(b),
          });
          expect([202, 400]).toContain(r.status);
          expect(r.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
          const created = r.status === 202 ? Number(r.body.success_count) : 0;
          expect((await reports()) - before).toBeLessThanOrEqual(created);
        }),
        { numRuns: 60 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.constantFrom('added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[x]'),
            fc.string(),
          ),
          async (q) => {
            const qs = new URLSearchParams(q).toString();
            const r = await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?${qs}`, null);
            expect([200, 400]).toContain(r.status);
            expect(r.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
          },
        ),
        { numRuns: 100 },
      );
      expect(await objects()).toBe(storedObjects);
    }, 120_000);
  });

  describe('DELETE', () => {
    it('a coordinator deleting a vulnerability withdraws its advisory; its objects get a revoked version', async () => {
      const green = await vulnerabilityIdOf(w.t, w.ids.green);
      const url = `${ROOT}/collections/${PARTICIPANTS}/objects/${green}/`;
      expectError(await w.t.req('DELETE', url, { token: w.b.token, headers: ACCEPT }), 403);
      const coa = (await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/?match[type]=course-of-action`, null)).body
        .objects![0]!;
      expectError(
        await w.t.req('DELETE', `${ROOT}/collections/${PUBLIC}/objects/${coa.id}/`, {
          token: w.t.adminToken,
          headers: ACCEPT,
        }),
        403,
      );
      const del = await w.t.req('DELETE', url, { token: w.t.adminToken, headers: ACCEPT });
      expect(del.status).toBe(200);
      const after = await get(w.t, url, w.b.token);
      expect(after.body.objects![0]).toMatchObject({ id: green, revoked: true });
      const advisory = await w.t.req<{ withdrawn: string | null }>('GET', `/api/v1/advisories/${w.ids.green}`, {
        token: w.b.token,
      });
      expect(advisory.body.withdrawn).not.toBeNull();
      const versions = await w.t.req<Envelope & { versions: string[] }>('GET', `${url}versions/`, {
        token: w.b.token,
        headers: ACCEPT,
      });
      expect(versions.body.versions).toHaveLength(2);
    });
  });
});
