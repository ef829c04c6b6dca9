/** `clearinghouse invite` against a listening server (both backends): the link it prints works once, then signs in. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.ts');

describeBackends('invite CLI', (backend) => {
  let t: TestApp;
  let org: TestOrg;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp(backend);
    org = await t.org('CLI Invite Org', 'vendor');
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => t?.close());

  async function cli(token: string, args: string[]) {
    try {
      const r = await run(
        process.execPath,
        ['--import', 'tsx', BIN, '--server', url, '--token', token, '--json', ...args],
        {
          env: { ...process.env, CLEARINGHOUSE_LOG_LEVEL: 'silent' },
          timeout: 60_000,
        },
      );
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  }

  it('creates a link that sets a password once; lists and revokes; refuses a non-admin', async () => {
    const made = await cli(org.token, [
      'invite',
      'create',
      '--org',
      org.orgId,
      '--email',
      'eve@cli.test',
      '--name',
      'Eve',
    ]);
    expect(made.code, made.err).toBe(0);
    const out = JSON.parse(made.out) as { token: string; url: string; invite: { id: string } };
    expect(out.url).toContain('/invite#chi_');
    const ok = await t.req('POST', '/api/v1/invites/accept', {
      body: { token: out.token, password: 'a long enough password' },
    });
    expect(ok.status).toBe(200);
    const again = await t.req('POST', '/api/v1/invites/accept', {
      body: { token: out.token, password: 'another long password' },
    });
    expect(again.status).toBe(404);
    const signIn = await t.req('POST', '/api/v1/session', {
      body: { email: 'eve@cli.test', password: 'a long enough password' },
    });
    expect(signIn.status).toBe(200);

    const second = JSON.parse(
      (await cli(org.token, ['invite', 'create', '--org', org.orgId, '--member', signIn.body.memberId as string])).out,
    ) as { invite: { id: string } };
    const listed = JSON.parse((await cli(org.token, ['invite', 'list', '--org', org.orgId])).out) as {
      id: string;
      status: string;
    }[];
    expect(listed.map((i) => i.status).sort()).toEqual(['open', 'used']);
    expect((await cli(org.token, ['invite', 'revoke', second.invite.id, '--org', org.orgId])).code).toBe(0);
    const after = JSON.parse((await cli(org.token, ['invite', 'list', '--org', org.orgId])).out) as {
      id: string;
      status: string;
    }[];
    expect(after.find((i) => i.id === second.invite.id)?.status).toBe('revoked');

    const viewer = await t.member(org, 'viewer');
    const refused = await cli(viewer.token, ['invite', 'create', '--org', org.orgId, '--member', viewer.memberId]);
    expect(refused.code).toBe(3);
  }, 120_000);
});
