/** A small clearinghouse for the TAXII tests: organisations, a sharing group, advisories under every marking. */
import { inTx } from '../../src/db/tx.js';
import { validateStixBundle, validateStixObject } from '../../src/formats/stix/index.js';
import { collectionId } from '../../src/formats/taxii/collections.js';
import { TAXII_MEDIA_TYPE } from '../../src/formats/taxii/media.js';
import type { Caller } from '../../src/participants/principal.js';
import { type Res, startTestApp, type TestApp, type TestOrg } from '../harness.js';

export const ACCEPT = { accept: TAXII_MEDIA_TYPE };
export const ROOT = '/taxii2/api';
export const PUBLIC = collectionId('public');
export const PARTICIPANTS = collectionId('participants');
export const RESTRICTED = collectionId('restricted');

export function basic(token: string): Record<string, string> {
  return { ...ACCEPT, authorization: `Basic ${Buffer.from(`taxii:${token}`).toString('base64')}` };
}

export interface Clock {
  now: Date;
  advance(ms: number): void;
}

export function movableClock(start = '2026-11-26T10:00:00.000Z'): Clock & { fn: () => Date } {
  const c = {
    now: new Date(start),
    advance(ms: number) {
      c.now = new Date(c.now.getTime() + ms);
    },
    fn: () => c.now,
  };
  return c;
}

export interface World {
  t: TestApp;
  clock: ReturnType<typeof movableClock>;
  coordinator: Caller;
  a: TestOrg;
  aReader: TestOrg;
  b: TestOrg;
  groupId: string;
  groupCollection: string;
  /** Advisory ids by marking. */
  ids: { clear: string; green: string; amberA: string; amberGroup: string; embargoed: string; redA: string };
}

export async function publish(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const r = await t.req<{ id: string }>('POST', '/api/v1/advisories', { token: t.adminToken, body });
  if (r.status !== 201 && r.status !== 200) throw new Error(`publish failed: ${r.raw}`);
  return r.body.id;
}

export function advisoryBody(summary: string, marking: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    summary,
    details: `${summary}: details of the flaw.`,
    aliases: [],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'example-lib' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }],
      },
    ],
    cweIds: ['CWE-89'],
    marking,
    ...extra,
  };
}

export async function readerToken(t: TestApp, org: TestOrg): Promise<TestOrg> {
  const m = await t.member(org, 'viewer');
  const tok = await t.req<{ secret: string }>('POST', '/api/v1/tokens', {
    token: org.token,
    body: { name: 'read only', memberId: m.memberId, scopes: ['read'] },
  });
  if (tok.status !== 201) throw new Error(`token failed: ${tok.raw}`);
  return { ...m, token: tok.body.secret };
}

export async function buildWorld(backend: 'sqlite' | 'postgres'): Promise<World> {
  const clock = movableClock();
  const t = await startTestApp(backend, { clock: clock.fn });
  const coordinator = await t.services.participants.authenticate(t.adminToken);
  const a = await t.org('Org A Labs', 'ai_developer');
  const b = await t.org('Org B Vendor', 'vendor');
  const aReader = await readerToken(t, a);
  const g = await t.req<{ id: string }>('POST', '/api/v1/sharing-groups', {
    token: t.adminToken,
    body: { name: 'Model developers', memberOrgIds: [a.orgId, t.coordinatorOrgId] },
  });
  if (g.status !== 201) throw new Error(`group failed: ${g.raw}`);
  const ids = {
    clear: await publish(t, advisoryBody('Public flaw in example-lib', { tlp: 'CLEAR' }, { remediation: 'Upgrade.' })),
    green: await publish(t, advisoryBody('Green flaw for participants', { tlp: 'GREEN' })),
    amberA: await publish(t, advisoryBody('Amber flaw shared with A', { tlp: 'AMBER', sharedWithOrgIds: [a.orgId] })),
    amberGroup: await publish(t, advisoryBody('Amber flaw for the group', { tlp: 'AMBER', sharingGroupId: g.body.id })),
    embargoed: await publish(
      t,
      advisoryBody('Embargoed public flaw', { tlp: 'CLEAR', embargoUntil: '2026-11-27T10:00:00.000Z' }),
    ),
    redA: await publish(t, advisoryBody('Red flaw for one member of A', { tlp: 'RED', namedMemberIds: [a.memberId] })),
  };
  return {
    t,
    clock,
    coordinator,
    a,
    aReader,
    b,
    groupId: g.body.id,
    groupCollection: collectionId(`group:${g.body.id}`),
    ids,
  };
}

export interface Envelope {
  more: boolean;
  next?: string;
  objects?: Record<string, unknown>[];
}

export function get(t: TestApp, url: string, token?: string | null, headers: Record<string, string> = ACCEPT) {
  return t.req<Envelope>('GET', url, { token: token ?? null, headers });
}

/** Every object of a collection, following `next` (asserting the media type of each page). */
export async function walk(
  t: TestApp,
  collection: string,
  token: string | null,
  query = '',
  limit = 50,
): Promise<{ objects: Record<string, unknown>[]; pages: Res<Envelope>[] }> {
  const objects: Record<string, unknown>[] = [];
  const pages: Res<Envelope>[] = [];
  let next: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const q = [`limit=${limit}`, query, next ? `next=${next}` : ''].filter(Boolean).join('&');
    const r = await get(t, `${ROOT}/collections/${collection}/objects/?${q}`, token);
    if (r.status !== 200) throw new Error(`walk failed: ${r.status} ${r.raw}`);
    if (r.headers['content-type'] !== TAXII_MEDIA_TYPE) throw new Error(`media type ${r.headers['content-type']}`);
    pages.push(r);
    objects.push(...(r.body.objects ?? []));
    if (!r.body.more) break;
    next = r.body.next;
  }
  return { objects, pages };
}

/** The STIX id of an advisory's vulnerability object (as the codec names it). */
export async function vulnerabilityIdOf(t: TestApp, advisoryId: string): Promise<string> {
  const r = await t.services.db.kysely
    .selectFrom('taxii_objects')
    .select('object_id')
    .where('advisory_id', '=', advisoryId)
    .where('object_type', '=', 'vulnerability')
    .executeTakeFirst();
  if (!r) throw new Error(`no vulnerability object for ${advisoryId}`);
  return r.object_id;
}

/** Every object validates against the STIX 2.1 schemas, and together they resolve every reference. */
export function stixIssues(objects: Record<string, unknown>[]): string[] {
  const issues = objects.flatMap((o, i) => validateStixObject(o, `/${i}`)).map((i) => `${i.path}: ${i.message}`);
  // One version per id for the reference check (the bundle rule allows each id+version once).
  const bundle = { type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000000', objects };
  issues.push(...validateStixBundle(bundle).map((i) => `${i.path}: ${i.message}`));
  return issues;
}

export { inTx };
