import { describe, expect, it } from 'vitest';
import { PRIORITY_LEVEL, type ReportedFinding, toSarif } from '../../src/exposure/sarif.js';
import { schemaSet } from '../../src/formats/csaf/schema-set.js';

// biome-ignore lint/suspicious/noExplicitAny: the test reads the JSON shape the writer produced
type Loose = Record<string, any>;

const URI = 'https://json.schemastore.org/sarif-2.1.0-rtm.5.json';
// unicodeRegExp: false because the schema's `language` pattern has a stray `]` the `u` flag rejects.
const validate = schemaSet([{ file: 'sarif/sarif-2.1.0-rtm.5.json', uris: [URI] }], {
  draft: 'draft-07',
  unicodeRegExp: false,
})(URI);

const findings: ReportedFinding[] = [
  {
    component: { name: 'jinja2', version: '2.10', purl: 'pkg:pypi/jinja2@2.10', ecosystem: 'PyPI', ref: 'comp-1' },
    advisory: {
      id: 'CH-2026-0002',
      aliases: ['CVE-2019-10906', 'GHSA-462w-v97r-4m45'],
      summary: 'Sandbox escape in Jinja2',
      cvssSeverity: 'HIGH',
      cvssScore: 8.6,
      ssvc: 'Attend',
      kev: false,
    },
    priority: 'P2',
    dueDate: '2026-12-26',
    reasons: ['SSVC Attend: P2'],
  },
  {
    id: 'f-1',
    asset: 'billing',
    component: { name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', ecosystem: 'npm' },
    advisory: { id: 'CH-2026-0001', aliases: ['CVE-2020-8203'], summary: null, kev: true },
    priority: 'P1',
    dueDate: '2026-12-10',
    vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
  },
  {
    component: { name: 'lodash', version: '4.17.11', purl: null, ecosystem: 'npm' },
    advisory: { id: 'CH-2026-0001', aliases: ['CVE-2020-8203'] },
    priority: 'P4',
  },
];

describe('SARIF 2.1.0 writer', () => {
  it('is valid against the SARIF 2.1.0 schema, and the schema rejects a broken log (the check can fail)', () => {
    const log = toSarif(findings, {
      artifactUri: 'sbom/app.cdx.json',
      toolVersion: '0.1.0',
      baseUrl: 'https://ch.test',
    });
    expect(validate(log)).toEqual([]);
    expect(validate({ ...log, version: '2.0.0' }).length).toBeGreaterThan(0);
    const broken = structuredClone(log) as Loose;
    delete broken.runs[0].results[0].message;
    expect(
      validate(broken)
        .map((i) => i.path)
        .join(' '),
    ).toContain('/runs/0/results/0');
    expect(validate(toSarif([], { artifactUri: 'x.json', toolVersion: '0.1.0' }))).toEqual([]);
  });

  it('each result names the purl and version, the advisory and its aliases; level from priority', () => {
    const log = toSarif(findings, { artifactUri: 'app.json', toolVersion: '0.1.0' }) as Loose;
    const run = log.runs[0];
    // Ordered by priority, then advisory, then component.
    expect(run.results.map((r: Loose) => r.properties.priority)).toEqual(['P1', 'P2', 'P4']);
    const jinja = run.results[1];
    expect(jinja.ruleId).toBe('CH-2026-0002');
    expect(jinja.level).toBe('error');
    expect(jinja.message.text).toContain('pkg:pypi/jinja2@2.10');
    expect(jinja.message.text).toContain('CVE-2019-10906, GHSA-462w-v97r-4m45');
    expect(jinja.properties).toMatchObject({
      purl: 'pkg:pypi/jinja2@2.10',
      version: '2.10',
      advisoryId: 'CH-2026-0002',
      aliases: ['CVE-2019-10906', 'GHSA-462w-v97r-4m45'],
      'security-severity': '8.6',
      ref: 'comp-1',
    });
    expect(jinja.locations[0].physicalLocation.artifactLocation.uri).toBe('app.json');
    expect(jinja.locations[0].logicalLocations[0].fullyQualifiedName).toBe('pkg:pypi/jinja2@2.10');
    // No purl: the component is named by ecosystem, name and version.
    expect(run.results[2].message.text).toContain('npm/lodash@4.17.11');
    expect(run.results[2].level).toBe('note');
    expect(PRIORITY_LEVEL).toEqual({ P1: 'error', P2: 'error', P3: 'warning', P4: 'note' });
  });

  it('one rule per advisory, referenced by index; VEX not_affected results are suppressed, not dropped', () => {
    const log = toSarif(findings, { artifactUri: 'app.json', toolVersion: '0.1.0' }) as Loose;
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: Loose) => r.id)).toEqual(['CH-2026-0001', 'CH-2026-0002']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.tool.driver.rules[0].properties.tags).toContain('CVE-2020-8203');
    const lodash = run.results[0];
    expect(lodash.suppressions).toEqual([
      { kind: 'external', justification: 'VEX not_affected: vulnerable_code_not_in_execute_path' },
    ]);
    expect(run.results[1].suppressions).toBeUndefined();
  });

  it('is deterministic and fingerprints are stable per (component, advisory)', () => {
    const a = toSarif(findings, { artifactUri: 'app.json', toolVersion: '0.1.0' }) as Loose;
    const b = toSarif([...findings].reverse(), { artifactUri: 'app.json', toolVersion: '0.1.0' }) as Loose;
    expect(b).toEqual(a);
    const fps = a.runs[0].results.map((r: Loose) => r.partialFingerprints['clearinghouseFinding/v1']);
    expect(new Set(fps).size).toBe(3);
    for (const fp of fps) expect(fp).toMatch(/^[0-9a-f]{16}$/);
  });
});
