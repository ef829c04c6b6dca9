/** The real `clearinghouse` command, on a local SQLite file and against a server on 127.0.0.1. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCli } from '../cli-run.js';
import { reportBody, startTestApp, type TestApp } from '../harness.js';

const cli = (args: string[], env: Record<string, string> = {}) => execCli(args, { env });

describe('CLI on the local database', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-cli-'));
    env = { CLEARINGHOUSE_DATABASE_URL: `sqlite:${join(dir, 'ch.db')}` };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an organisation, submits a report as it, and lists it', async () => {
    const org = await cli(
      ['--json', 'org', 'create', 'CLI Lab', '--kind', 'ai_developer', '--admin-email', 'a@cli.test'],
      env,
    );
    expect(org.code, org.stderr).toBe(0);
    const { secret } = JSON.parse(org.stdout) as { secret: string };
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(reportBody({ title: 'CLI submitted finding in example-orm' })));
    const sub = await cli(['--token', secret, 'report', 'submit', file], env);
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toMatch(/report [0-9a-f-]{36} submitted/);
    const list = await cli(['report', 'list'], env);
    expect(list.stdout).toContain('CLI submitted finding');
  });

  it('names the file, line and field of bad input, and exits non-zero', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "title": "x",\n  oops\n}');
    const r = await cli(['report', 'submit', bad], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: not valid JSON`));
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify(reportBody({ cweIds: ['CWE-77777777'] })));
    const r2 = await cli(['report', 'submit', wrong], env);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(`${wrong}: cweIds.0: unknown CWE id CWE-77777777`);
  });

  it('audit verify exits 0 on a sound chain and 1 naming the entry after tampering', async () => {
    const ok = await cli(['audit', 'verify'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit chain holds: \d+ entries/);
    const db = new Database(join(dir, 'ch.db'));
    db.prepare("UPDATE audit_log SET action = 'report.nothing' WHERE seq = 2").run();
    db.close();
    const broken = await cli(['audit', 'verify'], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 2/);
  });
});

describe('CLI against a server', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const lab = await t.org('Remote Lab', 'ai_developer');
    await t.req('POST', '/api/v1/reports', {
      token: lab.token,
      body: reportBody({ title: 'Remote finding visible to all', marking: { tlp: 'CLEAR' } }),
    });
    await t.req('POST', '/api/v1/reports', {
      token: lab.token,
      body: reportBody({ title: 'Remote finding amber only', marking: { tlp: 'AMBER' } }),
    });
  });
  afterAll(() => t.close());

  it('lists with the token it is given, through the same access rule', async () => {
    const anon = await cli(['--server', url, '--json', 'report', 'list']);
    expect(anon.code, anon.stderr).toBe(0);
    const titles = (JSON.parse(anon.stdout) as { items: { title: string }[] }).items.map((r) => r.title);
    expect(titles).toEqual(['Remote finding visible to all']);
    const coord = await cli(['--server', url, '--token', t.adminToken, '--json', 'report', 'list']);
    expect((JSON.parse(coord.stdout) as { items: unknown[] }).items.length).toBe(2);
    const bad = await cli(['--server', url, '--token', 'chk_wrong', 'report', 'list']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/not known/);
  });
});
