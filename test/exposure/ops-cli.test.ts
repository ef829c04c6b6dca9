/**
 * The real `clearinghouse` process for exposure: `scan` (table, JSON, SARIF, --fail-on exit codes, bad input exit 2,
 * nothing stored, only advisories the caller may see), `sbom upload`, `findings`, `vex set|export`, `exposure`,
 * against a server on 127.0.0.1 and on a local SQLite file.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaSet } from '../../src/formats/csaf/schema-set.js';
import { cycloneDx16Schema } from '../../src/formats/vex/index.js';
import { CLI_BIN, execCli } from '../cli-run.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, publish } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON the CLI printed
type Loose = Record<string, any>;

const run = promisify(execFile);
const SARIF_URI = 'https://json.schemastore.org/sarif-2.1.0-rtm.5.json';
const sarifSchema = schemaSet([{ file: 'sarif/sarif-2.1.0-rtm.5.json', uris: [SARIF_URI] }], {
  draft: 'draft-07',
  unicodeRegExp: false,
})(SARIF_URI);

const cli = (args: string[], env: Record<string, string> = {}) => execCli(args, { env, timeout: 240_000 });

/** Per-test time: each CLI run starts a Node process with the TypeScript loader (slow on a busy 2-core machine). */
const T = 400_000;

/** SSVC inputs that the CISA Coordinator table decides as Act (so P1). */
const ACT = { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionAndWellBeing: 'high' };

describe('exposure CLI against a server', () => {
  let t: TestApp;
  let url: string;
  let dir: string;
  let op: TestOrg;
  let partner: TestOrg;
  let sbomFile: string;
  let advAct: string;
  let advAmber: string;
  const g = (org: TestOrg) => ['--server', url, '--token', org.token];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ch-exposure-cli-'));
    t = await startTestApp('sqlite');
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    op = await t.org('Scan Utility', 'infrastructure_operator', 'energy');
    partner = await t.org('Scan Partner', 'infrastructure_operator', 'energy');
    advAct = await publish(t, advisoryBody({ aliases: ['CVE-2099-0201', 'GHSA-aaaa-bbbb-cccc'], ssvc: ACT }));
    await publish(
      t,
      advisoryBody({
        summary: 'Old bug in safe-lib, fixed long ago',
        affected: [
          {
            package: { ecosystem: 'npm', name: 'safe-lib' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.5.0' }] }],
          },
        ],
      }),
    );
    // AMBER, shared with the partner only: op must not learn of it through a scan.
    advAmber = await publish(
      t,
      advisoryBody({
        summary: 'Embargo-grade flaw in right-padder',
        aliases: ['CVE-2099-0202'],
        affected: [
          {
            package: { ecosystem: 'npm', name: 'right-padder' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '3.0.0' }] }],
          },
        ],
        marking: { tlp: 'AMBER', sharedWithOrgIds: [partner.orgId] },
      }),
    );
    sbomFile = join(dir, 'app.cdx.json');
    writeFileSync(
      sbomFile,
      cdx(['pkg:npm/left-padder@1.0.0', 'pkg:npm/right-padder@2.0.0', 'pkg:npm/safe-lib@1.0.0', 'pkg:npm/unknown-x']),
    );
  }, T);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('scan --json: purl, version, advisory id and aliases; only visible advisories; nothing stored', {
    timeout: T,
  }, async () => {
    const before = await t.services.db.kysely
      .selectFrom('exposure_assets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const r = await cli([...g(op), '--json', 'scan', sbomFile]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Loose;
    expect(out).toMatchObject({ file: sbomFile, format: 'cyclonedx', components: 4, counts: { P1: 1 } });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      component: { purl: 'pkg:npm/left-padder@1.0.0', version: '1.0.0', name: 'left-padder' },
      advisory: { id: advAct, aliases: ['CVE-2099-0201', 'GHSA-aaaa-bbbb-cccc'], ssvc: 'Act' },
      priority: 'P1',
    });
    expect(r.stdout).not.toContain(advAmber);
    expect(r.stdout).not.toContain('CVE-2099-0202');
    expect(out.skipped).toEqual([{ ref: 'c3', name: 'unknown-x', reason: 'no version' }]);
    const after = await t.services.db.kysely
      .selectFrom('exposure_assets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('scan table and SARIF (schema-valid); --fail-on sets the exit code', { timeout: T }, async () => {
    const sarifFile = join(dir, 'out.sarif');
    const clean = join(dir, 'clean.cdx.json');
    writeFileSync(clean, cdx(['pkg:npm/safe-lib@1.0.0']));
    const [table, s, p1, low, c] = await Promise.all([
      cli([...g(op), 'scan', sbomFile]),
      cli([...g(op), 'scan', sbomFile, '--format', 'sarif', '-o', sarifFile]),
      cli([...g(op), 'scan', sbomFile, '--fail-on', 'P1']),
      cli([...g(op), 'scan', sbomFile, '--fail-on', 'low']),
      cli([...g(op), 'scan', clean, '--fail-on', 'P4']),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('4 components (1 not matchable), 1 findings');
    expect(table.stdout).toMatch(/P1\s+\S+\s+pkg:npm\/left-padder@1\.0\.0\s+1\.0\.0\s+CH-/);
    expect(s.code, s.stderr).toBe(0);
    const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as Loose;
    expect(sarifSchema(log)).toEqual([]);
    expect(log.runs[0].results[0]).toMatchObject({
      ruleId: advAct,
      level: 'error',
      properties: {
        purl: 'pkg:npm/left-padder@1.0.0',
        version: '1.0.0',
        aliases: ['CVE-2099-0201', 'GHSA-aaaa-bbbb-cccc'],
      },
    });
    expect(p1.code).toBe(1);
    // No CVSS severity on the advisory: a severity threshold is not met.
    expect(low.code).toBe(0);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('0 findings');
  });

  it('scan: bad input exits 2 naming the file and the reason', { timeout: T }, async () => {
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, cdx(['pkg:npm/left-padder@1.0.0']).slice(0, 60));
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: 'none' }));
    const [r1, r2, r3, r4] = await Promise.all([
      cli([...g(op), 'scan', truncated]),
      cli([...g(op), 'scan', wrong]),
      cli([...g(op), 'scan', join(dir, 'missing.json')]),
      cli([...g(op), 'scan', sbomFile, '--fail-on', 'P9']),
    ]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(truncated);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(wrong);
    expect(r2.stderr).toMatch(/components/);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/missing\.json: cannot read/);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('--fail-on');
  });

  it('sbom upload, findings, vex set and export, exposure summary', { timeout: 2 * T }, async () => {
    const up = await cli([
      ...g(op),
      'sbom',
      'upload',
      sbomFile,
      '--asset',
      'web portal',
      '--criticality',
      'critical',
      '--internet-facing',
    ]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/inventory of web portal \(4 components\)\nfindings: \d+ new/);
    expect(up.stderr).not.toContain('%'); // no progress bar when stderr is not a terminal
    const list = await cli([...g(op), '--json', 'findings']);
    expect(list.code, list.stderr).toBe(0);
    const items = JSON.parse(list.stdout).items as Loose[];
    expect(items).toHaveLength(1);
    const id = items[0]!.id as string;
    expect(items[0]).toMatchObject({ priority: 'P1', component: { purl: 'pkg:npm/left-padder@1.0.0' } });

    const [bad, refused] = await Promise.all([
      cli([...g(op), 'vex', 'set', id, '--status', 'not_affected']),
      cli([...g(partner), 'vex', 'set', id, '--status', 'fixed']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('justification');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not found');
    const set = await cli([
      ...g(op),
      'vex',
      'set',
      id,
      '--status',
      'not_affected',
      '--justification',
      'code_not_reachable',
      '--impact',
      'the padder is not called on the request path',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('not_affected (vulnerable_code_not_in_execute_path), statement 1');
    const outFile = join(dir, 'vex.cdx.json');
    const [hist, exp, openvex, none, sum, human] = await Promise.all([
      cli([...g(op), 'vex', 'history', id]),
      cli([...g(op), 'vex', 'export', '--format', 'cyclonedx', '-o', outFile]),
      cli([...g(op), 'vex', 'export']),
      cli([...g(partner), 'vex', 'export']),
      cli([...g(op), '--json', 'exposure']),
      cli([...g(op), 'exposure']),
    ]);
    expect(hist.stdout).toContain('not_affected');
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toContain('TLP:AMBER+STRICT');
    const bom = JSON.parse(readFileSync(outFile, 'utf8')) as Loose;
    expect(cycloneDx16Schema()(bom)).toEqual([]);
    expect(bom.vulnerabilities[0].analysis).toMatchObject({
      state: 'not_affected',
      justification: 'code_not_reachable',
    });
    expect(JSON.parse(openvex.stdout).statements[0].status).toBe('not_affected');
    // The partner has no statements: nothing to export.
    expect(none.code).toBe(1);
    expect(sum.code, sum.stderr).toBe(0);
    expect(JSON.parse(sum.stdout)).toMatchObject({ scope: 'organisation', assets: 1 });
    expect(human.stdout).toMatch(/assets 1 {2}open \d/);
  });
  it('sbom upload of a large file draws a progress bar on a terminal (script gives it a pty)', {
    timeout: 2 * T,
  }, async () => {
    const big = join(dir, 'big.cdx.json');
    const purls = Array.from({ length: 12_000 }, (_, i) => `pkg:npm/generated-package-${i}@1.${i % 50}.0`);
    writeFileSync(big, cdx(purls));
    expect(statSync(big).size).toBeGreaterThan(1024 * 1024);
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const line = [process.execPath, '--import', 'tsx', CLI_BIN, ...g(op), 'sbom', 'upload', big, '--asset', 'big']
      .map(quote)
      .join(' ');
    const r = await run('script', ['-qec', line, '/dev/null'], {
      env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' },
      timeout: 2 * T,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(r.stdout).toMatch(/\[#{30}\] 100%/);
    expect(r.stdout).toContain('inventory of big (12000 components)');
  });
});

describe('exposure CLI on a local database', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-exposure-local-'));
    env = { CLEARINGHOUSE_DATABASE_URL: `sqlite:${join(dir, 'ch.db')}` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('publishes an advisory, scans an SBOM without storing it, then uploads it', { timeout: 2 * T }, async () => {
    const adv = join(dir, 'adv.json');
    writeFileSync(adv, JSON.stringify(advisoryBody({ aliases: ['CVE-2099-0301'] })));
    const pub = await cli(['--json', 'advisory', 'publish', adv], env);
    expect(pub.code, pub.stderr).toBe(0);
    const sbom = join(dir, 'local.cdx.json');
    writeFileSync(sbom, cdx(['pkg:npm/left-padder@0.9.0']));
    const scan = await cli(['--json', 'scan', sbom, '--fail-on', 'P4'], env);
    expect(scan.code, scan.stderr + scan.stdout).toBe(1);
    const out = JSON.parse(scan.stdout) as Loose;
    expect(out.findings[0]).toMatchObject({
      component: { purl: 'pkg:npm/left-padder@0.9.0', version: '0.9.0' },
      advisory: { aliases: ['CVE-2099-0301'] },
      priority: 'P3',
    });
    const none = await cli(['--json', 'findings'], env);
    expect(JSON.parse(none.stdout).items).toEqual([]);
    const up = await cli(['sbom', 'upload', sbom, '--asset', 'plant-scada'], env);
    expect(up.code, up.stderr).toBe(0);
    const after = await cli(['--json', 'findings'], env);
    expect(JSON.parse(after.stdout).items).toHaveLength(1);
  });
});
