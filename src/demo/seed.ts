/**
 * `serve --demo` on an empty database: a clearly marked demo (every organisation's name starts with "Demo"), with a
 * coordinator, an AI developer, an agency, two operators and a vendor, real public advisories from the bundled OSV
 * fixtures (fixtures/osv, sources and licences in fixtures/osv/SOURCE.md), and reports and a case built on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearMarking } from '../access/marking.js';
import { SYSTEM_ACTOR } from '../audit/audit.js';
import { inTx } from '../db/tx.js';
import { decodeOsv } from '../formats/osv/index.js';
import type { Principal } from '../participants/principal.js';
import { projectRoot } from '../paths.js';
import type { Services } from '../services.js';
import { reportInputSchema } from '../vulnerabilities/report.schema.js';

export interface DemoToken {
  organisation: string;
  kind: string;
  orgId: string;
  token: string;
}

const DEMO_ORGS = [
  { name: 'Demo Frontier AI Lab', kind: 'ai_developer', sector: 'information_technology', email: 'admin@lab.demo' },
  {
    name: 'Demo Federal Cyber Agency',
    kind: 'federal_agency',
    sector: 'government_facilities',
    email: 'admin@agency.demo',
  },
  {
    name: 'Demo Community Bank',
    kind: 'infrastructure_operator',
    sector: 'financial_services',
    email: 'admin@bank.demo',
  },
  {
    name: 'Demo Rural Water Utility',
    kind: 'infrastructure_operator',
    sector: 'water_and_wastewater_systems',
    email: 'admin@water.demo',
  },
  { name: 'Demo Software Vendor', kind: 'vendor', sector: 'information_technology', email: 'admin@vendor.demo' },
] as const;

export async function isEmptyForDemo(s: Services): Promise<boolean> {
  const orgs = await s.db.kysely.selectFrom('organisations').select('kind').execute();
  return orgs.every((o) => o.kind === 'coordinator');
}

export async function seedDemo(s: Services, coordinator: Principal): Promise<DemoToken[]> {
  const tokens: DemoToken[] = [];
  const coordToken = await s.participants.createToken(coordinator, { name: 'demo coordinator', expiresInDays: 30 });
  tokens.push({
    organisation: 'Clearinghouse coordination',
    kind: 'coordinator',
    orgId: coordinator.viewer.orgId,
    token: coordToken.secret,
  });
  const principals: Record<string, Principal> = {};
  for (const o of DEMO_ORGS) {
    const out = await s.participants.createOrg(coordinator, {
      name: o.name,
      kind: o.kind,
      sector: o.sector,
      admin: { email: o.email, name: `${o.name} admin` },
    });
    tokens.push({ organisation: o.name, kind: o.kind, orgId: out.org.id, token: out.secret! });
    principals[o.kind === 'infrastructure_operator' ? `${o.kind}:${o.sector}` : o.kind] =
      await s.participants.authenticate(out.secret!);
  }
  await inTx(s.db, async (tx) => {
    await tx.insertInto('meta').values({ key: 'demo', value: new Date().toISOString() }).execute();
  });

  // Real public advisories (OSV), imported TLP:CLEAR under the coordinator.
  const lines = readFileSync(join(projectRoot(), 'fixtures', 'osv', 'valid-sample.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  await inTx(s.db, async (tx) => {
    for (const line of lines) {
      const d = decodeOsv(JSON.parse(line));
      if (!d.ok) continue;
      const upstream = d.value.source?.upstreamId ?? d.value.aliases[0] ?? 'unknown';
      await s.advisories.importDocument(
        tx,
        SYSTEM_ACTOR,
        `osv:${upstream}`,
        d.value,
        clearMarking(coordinator.viewer.orgId),
      );
    }
  });

  // Two machine-found reports of the same flaw (duplicates), one by the lab and one by the agency, and a case.
  const lab = principals.ai_developer!;
  const agency = principals.federal_agency!;
  const vendorOrg = tokens.find((t) => t.kind === 'vendor')!.orgId;
  const base = {
    title: 'Prompt injection in the demo model-serving gateway lets a document exfiltrate tool credentials',
    description:
      'An indirect prompt injection placed in a retrieved document makes the agent call the HTTP tool with the stored API key in the query string. Reproduced against demo-gateway 2.3.1; fixed in 2.4.0.',
    affected: [
      {
        purl: 'pkg:npm/demo-model-gateway',
        ranges: [{ type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.4.0' }] }],
      },
    ],
    cweIds: ['CWE-77'],
    atlasIds: ['AML.T0051.001'],
    owaspLlmIds: ['LLM01:2025'],
    cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:N/SI:N/SA:N',
  };
  const r1 = await s.reports.submit(
    lab,
    reportInputSchema.parse({
      ...base,
      provenance: {
        discoveryMethod: 'ai_autonomous',
        model: 'demo-frontier-model-2026-06',
        harness: 'demo agentic fuzzing harness',
        humanReview: 'reviewed',
      },
      marking: { tlp: 'AMBER' },
      idempotencyKey: 'demo-1',
    }),
  );
  const r2 = await s.reports.submit(
    agency,
    reportInputSchema.parse({
      ...base,
      title: 'Demo gateway agent leaks API key through injected retrieval content',
      provenance: { discoveryMethod: 'ai_assisted', model: 'demo-agency-model', humanReview: 'verified' },
      marking: { tlp: 'AMBER' },
    }),
  );
  await s.reports.submit(
    lab,
    reportInputSchema.parse({
      title: 'Demo public note: model card generator renders unescaped HTML',
      description:
        'The demo model-card generator inserts the model description into HTML without escaping (stored XSS). Public, low impact.',
      provenance: { discoveryMethod: 'human' },
      affected: [
        {
          purl: 'pkg:pypi/demo-model-card',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.0' }] }],
        },
      ],
      cweIds: ['CWE-79'],
      marking: { tlp: 'CLEAR' },
    }),
  );
  await seedInventories(s, lines, [
    [principals['infrastructure_operator:water_and_wastewater_systems']!, 'scada-historian', 'high', false],
    [principals['infrastructure_operator:financial_services']!, 'online-banking', 'critical', true],
  ]);
  const kase = await s.cases.open(coordinator, {
    title: 'Demo: prompt injection in demo-model-gateway',
    reportIds: [r1.report.id, r2.report.id],
    participants: [{ orgId: vendorOrg, role: 'vendor', timeZone: 'America/Chicago' }],
    tlp: 'AMBER',
  });
  await s.cases.transitionRm(coordinator, kase.id, 'valid');
  await s.cases.embargo(coordinator, kase.id, {
    action: 'propose',
    endsAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    reason: 'vendor needs two weeks for a fix',
  });
  return tokens;
}

/**
 * Each demo operator registers an SBOM (CycloneDX 1.5) whose components are versions the bundled advisories list as
 * affected, plus a few unaffected ones, so the operator dashboard and findings have something to show.
 */
async function seedInventories(
  s: Services,
  osvLines: string[],
  assets: [Principal, string, 'low' | 'medium' | 'high' | 'critical', boolean][],
): Promise<void> {
  const purlType: Record<string, string> = { PyPI: 'pypi', Go: 'golang', 'crates.io': 'cargo', npm: 'npm' };
  const affected: { name: string; version: string; purl: string }[] = [];
  for (const line of osvLines) {
    const o = JSON.parse(line) as {
      affected?: { package?: { ecosystem: string; name: string }; versions?: string[] }[];
    };
    for (const a of o.affected ?? []) {
      const type = a.package && purlType[a.package.ecosystem];
      const version = a.versions?.[0];
      if (!a.package || !type || !version) continue;
      affected.push({ name: a.package.name, version, purl: `pkg:${type}/${a.package.name}@${version}` });
    }
  }
  const safe = [
    { name: 'requests', version: '2.32.3', purl: 'pkg:pypi/requests@2.32.3' },
    { name: 'serde', version: '1.0.210', purl: 'pkg:cargo/serde@1.0.210' },
  ];
  for (const [i, [owner, asset, criticality, internetFacing]] of assets.entries()) {
    const picked = affected.filter((_, k) => k % assets.length === i).slice(0, 6);
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      metadata: { component: { type: 'application', name: asset, version: '1.0.0' } },
      components: [...picked, ...safe].map((c, k) => ({
        type: 'library',
        'bom-ref': `c${k}`,
        name: c.name,
        version: c.version,
        purl: c.purl,
      })),
    };
    await s.exposure.upload(owner, asset, JSON.stringify(bom), {
      fileName: `${asset}.cdx.json`,
      criticality,
      internetFacing,
    });
  }
}
