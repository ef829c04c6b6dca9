/** `clearinghouse triage …` as a real process against a server on 127.0.0.1 (the same path as local mode). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCli as cli } from '../cli-run.js';
import { reportBody, startTestApp, type TestApp, type TestOrg } from '../harness.js';

const TEXT =
  'Path traversal in the export handler: GET /api/v1/export?file=../../etc/passwd is joined onto the data directory ' +
  'by export_file() in server/export.go without cleaning, so any authenticated user reads files outside it. Steps to ' +
  'reproduce: 1. log in 2. request the URL above 3. the response holds the password file. Fixed in 1.4.2.';

describe('triage CLI against a server', () => {
  let t: TestApp;
  let url: string;
  let dir: string;
  let lab: TestOrg;
  const ids: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ch-triage-cli-'));
    t = await startTestApp('sqlite');
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    lab = await t.org('CLI Lab', 'ai_developer');
    const other = await t.org('CLI Second Lab', 'ai_developer');
    for (const [org, extra] of [
      [lab, ''],
      [other, ' Seen independently.'],
    ] as const) {
      const r = await t.req<{ id: string }>('POST', '/api/v1/reports', {
        token: org.token,
        body: reportBody({ title: 'Path traversal in export handler', description: TEXT + extra }),
      });
      ids.push(r.body.id);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs, lists clusters and the inbox, validates, splits; a non-coordinator is refused', async () => {
    const g = ['--server', url, '--token', t.adminToken];
    const runOut = await cli([...g, '--json', 'triage', 'run']);
    expect(runOut.code, runOut.stderr).toBe(0);
    expect(JSON.parse(runOut.stdout)).toMatchObject({ processed: 2, attached: 1 });
    const clusters = await cli([...g, '--json', 'triage', 'clusters']);
    const items = JSON.parse(clusters.stdout).items as { id: string; reportIds: string[] }[];
    expect(items).toHaveLength(1);
    expect(items[0]!.reportIds.sort()).toEqual([...ids].sort());
    const inbox = await cli([...g, 'triage', 'inbox']);
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout).toContain('duplicates');
    expect(inbox.stdout).toContain('1 other report(s) in its cluster');
    const steps = join(dir, 'steps.txt');
    writeFileSync(steps, '1. log in\n2. GET the URL\n');
    const val = await cli([...g, '--json', 'triage', 'validate', ids[0]!, 'reproduced', '--steps', steps]);
    expect(val.code, val.stderr).toBe(0);
    expect(JSON.parse(val.stdout).state).toBe('reproduced');
    const split = await cli([...g, '--json', 'triage', 'split', items[0]!.id, ids[1]!, '--reason', 'two flaws']);
    expect(split.code, split.stderr).toBe(0);
    expect(JSON.parse(split.stdout).reports.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    const refused = await cli(['--server', url, '--token', lab.token, 'triage', 'clusters']);
    expect(refused.code).toBe(3);
  }, 120_000);
});
