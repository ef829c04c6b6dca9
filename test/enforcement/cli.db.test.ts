/**
 * The CLI end to end against a listening server (--server URL --token T): file with evidence files, triage, review,
 * refer, override, download the package, verify it offline (key from --server and from --public-key), see a
 * tampered copy fail with exit code 1 and the problems printed, and `evidence verify`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliError } from '../../src/cli/output.js';
import { readTarGz, writeTarGz } from '../../src/enforcement/tar.js';
import { sampleIncidentInput } from '../../src/enforcement/test-fixtures.js';
import { describeBackends } from '../backends.js';
import { runCli } from '../cli-run.js';
import { LOG, makeWorld, PROMPT, type World } from './world.js';

describeBackends('enforcement CLI', (backend) => {
  let w: World;
  let server: string;
  const dir = mkdtempSync(join(tmpdir(), 'ch-cli-'));
  let caseId: string;
  const as = (token: string, ...args: string[]) => runCli(['--server', server, '--token', token, ...args]);

  beforeAll(async () => {
    w = await makeWorld(backend);
    server = await w.t.app.listen({ host: '127.0.0.1', port: 0 });
    writeFileSync(join(dir, 'incident.json'), JSON.stringify(sampleIncidentInput()));
    writeFileSync(join(dir, 'waf.log'), LOG);
    writeFileSync(join(dir, 'prompt.txt'), PROMPT);
  });
  afterAll(async () => w.t.close());

  it('incident file sends the report and the evidence files', async () => {
    const r = await as(
      w.victim.token,
      '--json',
      'incident',
      'file',
      join(dir, 'incident.json'),
      '--evidence',
      join(dir, 'waf.log'),
      join(dir, 'prompt.txt'),
    );
    expect(r.error).toBeNull();
    const filed = JSON.parse(r.out) as { id: string; evidence: { name: string; contentType: string }[] };
    caseId = filed.id;
    expect(filed.evidence.map((e) => [e.name, e.contentType]).sort()).toEqual([
      ['prompt.txt', 'text/plain'],
      ['waf.log', 'text/plain'],
    ]);
  });

  it('a bad file is refused with the field named', async () => {
    const bad = sampleIncidentInput() as Record<string, unknown>;
    bad.occurredAt = 'yesterday';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const r = await as(w.victim.token, 'incident', 'file', join(dir, 'bad.json'));
    expect(r.error).toBeInstanceOf(CliError);
    expect((r.error as Error).message).toContain('bad.json: incident.occurredAt');
  });

  it('the coordinator triages, reviews, overrides and refers; the queue shows the override', async () => {
    for (const step of ['triage', 'review'])
      expect((await as(w.t.adminToken, 'incident', step, caseId)).error).toBeNull();
    const o = await as(
      w.t.adminToken,
      'incident',
      'override',
      caseId,
      '--score',
      '95',
      '--reason',
      'linked to a live FBI case',
    );
    expect(o.error).toBeNull();
    const refer = await as(w.t.adminToken, 'incident', 'refer', caseId, '--reason', 'to the FBI cyber division');
    expect(refer.out).toContain('is referred');
    const list = await as(w.t.adminToken, '--json', 'incident', 'list');
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ id: caseId, state: 'referred', priority: expect.objectContaining({ effective: 95 }) }),
    ]);
  });

  it('referral download and verify (key from --server and from --public-key); tampering exits 1 naming what broke', async () => {
    const file = join(dir, 'referral.tar.gz');
    const d = await as(w.liaison.token, 'referral', 'download', caseId, '-o', file);
    expect(d.error).toBeNull();
    const ok = await runCli(['--server', server, 'referral', 'verify', file]);
    expect(ok.error).toBeNull();
    expect(ok.out).toContain(`ok: case ${caseId}, 2 evidence files`);

    const key = (await w.t.req<{ publicKeyPem: string }>('GET', '/.well-known/clearinghouse/referral-signing-key'))
      .body;
    writeFileSync(join(dir, 'key.pem'), key.publicKeyPem);
    expect((await runCli(['referral', 'verify', file, '--public-key', join(dir, 'key.pem')])).error).toBeNull();

    const entries = readTarGz(new Uint8Array(readFileSync(file))).map((e) =>
      e.path.startsWith('evidence/') && Buffer.from(e.bytes).equals(LOG)
        ? { path: e.path, bytes: new Uint8Array(Buffer.from(LOG.toString().replace('GET', 'PUT'))) }
        : e,
    );
    const bad = join(dir, 'tampered.tar.gz');
    writeFileSync(bad, writeTarGz(entries, 0));
    const r = await runCli(['referral', 'verify', bad, '--public-key', join(dir, 'key.pem')]);
    expect(r.error).toBeInstanceOf(CliError);
    expect((r.error as CliError).exitCode).toBe(1);
    expect(r.out).toMatch(/evidence file evidence\/[0-9a-f]{64} \(waf\.log\): sha256 mismatch/);
  });

  it('evidence verify reports ok for an intact case', async () => {
    const r = await as(w.t.adminToken, 'evidence', 'verify', caseId);
    expect(r.error).toBeNull();
    expect(r.out).toMatch(/^ok: 2 evidence files, \d+ custody events/);
  });
});
