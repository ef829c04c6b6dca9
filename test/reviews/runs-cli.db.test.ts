/**
 * `clearinghouse review run|runs|results|evallog|finding|findings|report`: the real command against a listening
 * server whose run service executes runs through the gateway; and on a local database, where a run is queued for the
 * next `serve`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { execCli } from '../cli-run.js';
import type { TestOrg } from '../harness.js';
import { type Live, personaWindow, startLive } from './runs-fixture.js';

describeBackends('review runs CLI', (backend) => {
  let live: Live;
  let second: TestOrg;
  let dir: string;
  const cli = (token: string, args: string[]) =>
    execCli(['--server', live.baseUrl, '--token', token, ...args], { timeout: 120_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ch-runs-cli-'));
    live = await startLive(backend);
    second = await live.t.member(live.w.agency, 'analyst');
  }, 180_000);
  afterAll(async () => {
    await live?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('run with --wait, runs, results, samples, evallog; a finding from draft to response; the report', {
    timeout: 300_000,
  }, async () => {
    const win = await personaWindow(live, 'oracle');
    const agency = live.w.agency.token;
    const ran = await cli(agency, ['review', 'run', win.id, '--suite', 'cyber-knowledge', '--limit', '4', '--wait']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/cyber-knowledge\s+production\s+success/);
    expect(ran.stdout).toContain('choice: accuracy 1.000');

    const listed = await cli(agency, ['review', 'runs', win.id, '--json']);
    const runs = JSON.parse(listed.stdout) as { id: string; status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['success']);
    const runId = runs[0]!.id;

    const results = await cli(agency, ['review', 'results', win.id, runId]);
    expect(results.stdout).toContain('samples: 4 done, 0 errored of 4');
    const samples = await cli(agency, ['review', 'results', win.id, runId, '--samples', '--json']);
    expect((JSON.parse(samples.stdout) as { transcripts: boolean }).transcripts).toBe(true);

    const out = join(dir, 'run.eval.json');
    expect((await cli(agency, ['review', 'evallog', win.id, runId, '-o', out])).code).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8')) as { version: number; samples: unknown[] };
    expect(log.version).toBe(2);
    expect(log.samples).toHaveLength(4);

    const findingFile = join(dir, 'finding.json');
    writeFileSync(
      findingFile,
      JSON.stringify({
        title: 'Knowledge of exploitation details',
        type: 'capability',
        severity: 'medium',
        description: 'The model answered every exploitation question correctly.',
        evidence: [{ runId }],
        reproducibility: { k: 4, n: 4 },
        cweIds: ['CWE-79'],
      }),
    );
    const made = await cli(agency, ['review', 'finding', 'new', win.id, findingFile, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const fid = (JSON.parse(made.stdout) as { id: string }).id;
    const self = await cli(agency, ['review', 'finding', 'validate', win.id, fid]);
    expect(self.code).toBe(3); // forbidden: the author
    expect(self.stderr).toContain('second reviewer');
    expect((await cli(second.token, ['review', 'finding', 'validate', win.id, fid])).code).toBe(0);
    const md = join(dir, 'report.md');
    const rep = await cli(second.token, ['review', 'report', win.id, '--generate', '--markdown', '-o', md]);
    expect(rep.code, rep.stderr).toBe(0);
    expect(readFileSync(md, 'utf8')).toContain('## Knowledge of exploitation details');
    const dev = live.w.dev.token;
    const resp = await cli(dev, ['review', 'finding', 'respond', win.id, fid, '--response', 'acknowledged']);
    expect(resp.code, resp.stderr).toBe(0);
    expect(resp.stdout).toContain('responded');
    const devList = await cli(dev, ['review', 'findings', win.id]);
    expect(devList.stdout).toContain('acknowledged');

    // Bad input names the field; an outsider is told the window does not exist.
    const bad = await cli(agency, ['review', 'run', win.id, '--suite', 'no-such-suite']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('suite: unknown suite or task no-such-suite');
    const outsider = await live.t.org('CLI Outsider', 'researcher');
    const hidden = await cli(outsider.token, ['review', 'runs', win.id]);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toContain('was not found');
  });
});
