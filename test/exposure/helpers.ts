/** Shared helpers of the exposure tests: fixture SBOMs, advisory bodies, uploads, and a look at the stored rows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { TestApp, TestOrg } from '../harness.js';

export function fixture(name: string): string {
  return readFileSync(join(projectRoot(), 'fixtures', 'sbom', name), 'utf8');
}

/** A CycloneDX 1.6 BOM with these purls (and optional ML models as [group/name, version]). */
export function cdx(purls: string[], models: [string, string][] = []): string {
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    components: [
      ...purls.map((purl, i) => ({
        type: 'library',
        'bom-ref': `c${i}`,
        name: purl.split('/').pop()!.split('@')[0],
        purl,
      })),
      ...models.map(([name, version], i) => ({ type: 'machine-learning-model', 'bom-ref': `m${i}`, name, version })),
    ],
  });
}

export function advisoryBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    summary: 'Heap overflow in left-padder',
    details: 'details',
    aliases: [],
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-padder' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
      },
    ],
    marking: { tlp: 'CLEAR' },
    ...over,
  };
}

export async function publish(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', { token: t.adminToken, body });
  if (res.status !== 201) throw new Error(`publish failed: ${res.raw}`);
  return res.body.id;
}

export async function upload(t: TestApp, org: TestOrg | string, asset: string, sbom: string, query = '') {
  const token = typeof org === 'string' ? org : org.token;
  return t.req<Record<string, unknown>>('POST', `/api/v1/assets/${encodeURIComponent(asset)}/sboms${query}`, {
    token,
    body: sbom,
    headers: { 'content-type': 'application/json' },
  });
}

export interface FindingView {
  id: string;
  status: string;
  resolution: string | null;
  advisoryId: string | null;
  advisories: { id: string; aliases: string[] }[];
  component: { name: string; version: string; purl: string | null; kind: string; ref: string };
  asset: { name: string };
  priority: string;
  dueDate: string;
  kev: boolean;
}

export async function findings(t: TestApp, token: string, query = 'status=all'): Promise<FindingView[]> {
  const res = await t.req<{ items: FindingView[] }>('GET', `/api/v1/findings?limit=500&${query}`, { token });
  if (res.status !== 200) throw new Error(`findings failed: ${res.status} ${res.raw}`);
  return res.body.items;
}

/** Row counts of every exposure table (to prove a refused upload stored nothing). */
export async function counts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of [
    'exposure_assets',
    'exposure_inventories',
    'exposure_components',
    'exposure_findings',
    'exposure_finding_advisories',
  ] as const) {
    const r = await t.services.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}
