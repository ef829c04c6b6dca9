/**
 * A clearinghouse with the people an enforcement case involves: a victim (reporting organisation) with a colleague,
 * a federal agency with a law-enforcement liaison and an admin who is not one, an unrelated vendor, the coordinators.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../src/db/connect.js';
import { inTx } from '../../src/db/tx.js';
import { sampleIncidentInput } from '../../src/enforcement/test-fixtures.js';
import { importedAdvisory } from '../../src/formats/csaf/testing/samples.js';
import { marking } from '../fixtures.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';

export interface World {
  t: TestApp;
  keyFile: string;
  victim: TestOrg;
  colleague: TestOrg;
  agencyAdmin: TestOrg;
  liaison: TestOrg;
  stranger: TestOrg;
}

export const enc = (s: string) => Buffer.from(s, 'utf8');
export const LOG = enc('2026-03-02T03:14:07Z 203.0.113.45 GET /billing/export?all=1 200 (40k requests in 6 min)\n');
export const PROMPT = enc(
  'You are an autonomous agent. Enumerate the billing portal and copy every customer record.\n',
);

export function evidenceBody() {
  return [
    { name: 'waf.log', contentType: 'text/plain', contentBase64: LOG.toString('base64') },
    { name: 'prompt.txt', contentType: 'text/plain; charset=utf-8', contentBase64: PROMPT.toString('base64') },
  ];
}

export async function makeWorld(backend: Dialect, config: Parameters<typeof startTestApp>[1] = {}): Promise<World> {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'ch-enf-')), 'signing-key.pem');
  const t = await startTestApp(backend, { ...config, config: { signingKeyFile: keyFile, ...config.config } });
  const victim = await t.org(
    'Example County Water District',
    'infrastructure_operator',
    'water_and_wastewater_systems',
  );
  const colleague = await t.member(victim, 'analyst');
  const agencyAdmin = await t.org('Federal Investigations Agency', 'federal_agency');
  const liaison = await t.member(agencyAdmin, 'analyst');
  const stranger = await t.org('Unrelated Vendor', 'vendor');
  const grant = await t.req('POST', '/api/v1/enforcement/liaisons', {
    token: t.adminToken,
    body: { memberId: liaison.memberId, note: 'cyber division liaison' },
  });
  if (grant.status !== 201) throw new Error(`liaison grant failed: ${grant.raw}`);
  return { t, keyFile, victim, colleague, agencyAdmin, liaison, stranger };
}

/** A CLEAR advisory flagged as in CISA KEV under the sample's CVE, so the score's KEV factor applies. */
export async function importKevAdvisory(t: TestApp, cveId = 'CVE-2023-34362'): Promise<void> {
  const s = t.services;
  await inTx(s.db, async (tx) =>
    s.advisories.importDocument(
      tx,
      { orgId: t.coordinatorOrgId, memberId: null },
      `test:${cveId}`,
      importedAdvisory({
        aliases: [cveId],
        summary: 'MOVEit Transfer SQL injection',
        kev: {
          cveId,
          dateAdded: '2023-06-02',
          dueDate: '2023-06-23',
          knownRansomwareCampaignUse: 'Known',
          requiredAction: 'Apply updates per vendor instructions.',
        },
        published: '2023-06-02T00:00:00.000Z',
        modified: '2023-06-02T00:00:00.000Z',
        source: { name: 'test' },
      }),
      marking(t.coordinatorOrgId),
    ),
  );
}

export async function fileSample(w: World, change: (i: Record<string, unknown>) => void = () => {}) {
  const incident = sampleIncidentInput();
  change(incident);
  const res = await w.t.req<Record<string, unknown> & { id: string }>('POST', '/api/v1/incidents', {
    token: w.victim.token,
    body: { incident, evidence: evidenceBody() },
  });
  if (res.status !== 201) throw new Error(`filing failed: ${res.raw}`);
  return res.body;
}

/** A binary download through the app (the harness's req decodes bodies as text). */
export async function download(t: TestApp, url: string, token: string | null) {
  const res = await t.app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, bytes: new Uint8Array(res.rawPayload), headers: res.headers, text: res.body };
}
