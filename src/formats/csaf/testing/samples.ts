/**
 * Hand-written advisories for the export codec tests (CSAF, STIX, VEX): one full AI-stack advisory with every field
 * set, one bare advisory with no packages. Facts are shaped after public advisories (PyPI package names, a real KEV
 * entry for CVE-2024-3400) but the advisories themselves are test data. Also the builders other tests and the benches
 * make advisories with (`importedAdvisory`, `advisoryDoc`). Test-only.
 */
import type { AdvisoryDoc, MarkedAdvisory } from '../../../vulnerabilities/advisory.model.js';

/** What `advisories.importDocument` takes: an advisory before the clearinghouse gives it an id, version and case. */
export type ImportedAdvisory = Omit<AdvisoryDoc, 'id' | 'version' | 'caseId'>;

/** An advisory with nothing but a summary and dates; `over` sets the fields a test cares about. */
export function importedAdvisory(over: Partial<ImportedAdvisory> = {}): ImportedAdvisory {
  return {
    aliases: [],
    related: [],
    summary: 'Test advisory',
    details: '',
    affected: [],
    cvss: [],
    ssvc: null,
    kev: null,
    cweIds: [],
    atlasIds: [],
    owaspLlmIds: [],
    references: [],
    credits: [],
    remediation: null,
    published: '2026-11-01T00:00:00.000Z',
    modified: '2026-11-02T00:00:00.000Z',
    withdrawn: null,
    source: null,
    ...over,
  };
}

/** The same as a stored advisory (id CH-2026-0001, version 1, no case unless `over` says otherwise). */
export function advisoryDoc(over: Partial<AdvisoryDoc> = {}): AdvisoryDoc {
  const { id = 'CH-2026-0001', version = 1, caseId = null, ...rest } = over;
  const { source, ...head } = importedAdvisory(rest);
  return { id, ...head, version, source, caseId };
}

/** One PyPI package affected from 0 up to (not including) `fixed`. */
export function pypiAffected(name: string, fixed: string): AdvisoryDoc['affected'][number] {
  return {
    package: { ecosystem: 'PyPI', name },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
  };
}

export const fullDoc: AdvisoryDoc = {
  id: 'CH-2026-0042',
  aliases: ['CVE-2024-3400', 'GHSA-qcx9-j53g-ccgf', 'PYSEC-2024-12'],
  related: ['CH-2026-0007'],
  summary: 'Prompt injection in examplellm tool router allows arbitrary command execution',
  details:
    'The tool router of examplellm before 1.4.2 passes model output to a shell without neutralisation. An attacker who can place text in a retrieved document can run commands on the host.',
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'examplellm' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.4.2' }] }],
    },
    {
      package: { ecosystem: 'npm', name: '@example/llm-router' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '2.3.0' }] }],
    },
    {
      package: { ecosystem: 'Go', name: 'github.com/example/agent' },
      versions: ['v0.9.0', 'v0.9.1'],
    },
  ],
  cvss: [
    { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, severity: 'CRITICAL' },
    {
      version: '4.0',
      vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      score: 9.3,
      severity: 'CRITICAL',
    },
  ],
  ssvc: {
    model: 'CISA Coordinator 2.0.3',
    exploitation: 'active',
    automatable: 'yes',
    technicalImpact: 'total',
    missionAndWellBeing: 'high',
    decision: 'Act',
    trace: ['exploitation=active', 'automatable=yes', 'technical impact=total', 'mission=high → Act'],
    decidedAt: '2026-03-02T10:00:00Z',
  },
  kev: {
    cveId: 'CVE-2024-3400',
    dateAdded: '2024-04-12',
    dueDate: '2024-04-19',
    knownRansomwareCampaignUse: 'Unknown',
    requiredAction: 'Apply mitigations per vendor instructions or discontinue use of the product.',
  },
  cweIds: ['CWE-1427', 'CWE-78'],
  atlasIds: ['AML.T0051'],
  owaspLlmIds: ['LLM01:2025'],
  references: [
    { type: 'ADVISORY', url: 'https://example.org/advisories/CH-2026-0042' },
    { type: 'FIX', url: 'https://github.com/example/examplellm/commit/0123456789abcdef' },
  ],
  credits: [
    { name: 'Example AI Lab', type: 'FINDER', contact: ['security@example.org'] },
    { name: 'A. Researcher', type: 'REPORTER' },
  ],
  remediation: 'Upgrade examplellm to 1.4.2 or later; disable the shell tool until then.',
  published: '2026-03-01T12:00:00Z',
  modified: '2026-03-05T08:30:00Z',
  withdrawn: null,
  version: 3,
  source: {
    name: 'OSV: PyPA Advisory Database',
    url: 'https://github.com/pypa/advisory-database',
    licence: 'CC-BY-4.0',
    upstreamId: 'PYSEC-2024-12',
  },
  caseId: 'case-17',
};

export const bareDoc: AdvisoryDoc = advisoryDoc({
  id: 'CH-2026-0099',
  summary: 'Model weights exfiltration through debug endpoint',
  published: '2026-04-01T00:00:00Z',
  modified: '2026-04-01T00:00:00Z',
  withdrawn: '2026-04-03T00:00:00Z',
});

export const full: MarkedAdvisory = { doc: fullDoc, tlp: 'AMBER', ownerOrgName: 'Example AI Lab' };
export const bare: MarkedAdvisory = { doc: bareDoc, tlp: 'AMBER+STRICT', ownerOrgName: 'Example Utility Co-op' };

export const publisher = {
  name: 'National AI Security Clearinghouse',
  namespace: 'https://clearinghouse.example.gov',
  category: 'coordinator' as const,
  contactDetails: 'psirt@clearinghouse.example.gov',
};
