/** `clearinghouse review …`: the real command against a listening server, from offer to withdrawal. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { execCli } from '../cli-run.js';
import { startTestApp, type TestApp } from '../harness.js';
import { grantBody, offerBody, SECRET, SECRETS_KEY, termsBody, type World, world } from './window-fixtures.js';

describeBackends('review CLI', (backend) => {
  let t: TestApp;
  let w: World;
  let server: string;
  let dir: string;
  const cli = (token: string, args: string[]) => execCli(['--server', server, '--token', token, ...args]);

  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ch-review-cli-'));
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    server = await t.app.listen({ port: 0, host: '127.0.0.1' });
    w = await world(t);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offer, terms, consent, offer and open, grant, key, list; outsiders refused; withdraw ends access', async () => {
    const {
      endpoint,
      attachments: _a,
      ...rest
    } = offerBody('http://127.0.0.1:9/v1') as Record<string, unknown> & {
      endpoint: Record<string, unknown>;
    };
    const offer = file('offer.json', { ...rest, endpoint: { ...endpoint, apiKey: undefined } });
    const keyFile = file('upstream.key', `${SECRET}\n`);
    const card = file('card.md', '# Frontier-1\nA model card.');
    const created = await cli(w.dev.token, [
      '--json',
      'review',
      'offer',
      offer,
      '--api-key-file',
      keyFile,
      '--model-card',
      card,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).not.toContain(SECRET);
    const win = JSON.parse(created.stdout) as { id: string; state: string; attachments: { kind: string }[] };
    expect(win.state).toBe('draft');
    expect(win.attachments.map((a) => a.kind)).toEqual(['model_card']);

    const terms = await cli(w.dev.token, ['--json', 'review', 'terms', 'add', win.id, file('terms.json', termsBody())]);
    expect(terms.code, terms.stderr).toBe(0);
    const termsId = (JSON.parse(terms.stdout) as { id: string }).id;
    const signed = await cli(w.dev.token, ['review', 'consent', win.id, termsId]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/signed terms .* \(sha256 [0-9a-f]{64}\) as developer/);
    expect((await cli(w.dev.token, ['review', 'window', 'offer', win.id])).stdout).toContain('is offered');
    const opened = await cli(w.dev.token, ['review', 'window', 'open', win.id]);
    expect(opened.stdout).toMatch(/is open, closes \d{4}-/);

    const grant = await cli(w.dev.token, [
      '--json',
      'review',
      'grant',
      'create',
      win.id,
      file('grant.json', grantBody(w.agency.orgId)),
    ]);
    expect(grant.code, grant.stderr).toBe(0);
    const grantId = (JSON.parse(grant.stdout) as { id: string }).id;
    const key = await cli(w.agency.token, ['review', 'key', 'create', win.id, grantId, '--label', 'laptop']);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout).toMatch(/\(shown once\):\n {2}chgw_/);
    const listed = await cli(w.agency.token, ['review', 'window', 'list']);
    expect(listed.stdout).toContain(win.id);
    expect(listed.stdout).toContain('government_reviewer');

    const outsider = await cli(w.otherAgency.token, ['review', 'window', 'show', win.id]);
    expect(outsider.code).toBe(1);
    expect(outsider.stderr).toMatch(/not found/);
    const notDev = await cli(w.agency.token, ['review', 'withdraw', win.id]);
    expect(notDev.code).toBe(3);

    const withdrawn = await cli(w.dev.token, ['review', 'withdraw', win.id]);
    expect(withdrawn.stdout).toContain('is withdrawn');
    const after = await cli(w.agency.token, ['review', 'key', 'create', win.id, grantId]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/revoked|not open/);
  }, 400_000);
});
