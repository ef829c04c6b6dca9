/**
 * Two real server processes (`clearinghouse serve`) on one PostgreSQL database. An SBOM uploaded through node A reaches
 * node B's in-memory matching index over the change bus; an advisory then published through node B is matched against
 * it there, the finding is visible through node A, and the organisation's webhook receives the signed
 * `exposure.finding.created` event exactly once although both nodes run a dispatcher.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChangeBus } from '../../src/notify/bus.js';
import { verifySignature } from '../../src/notify/webhook.js';
import { createTestDb, describeBackends, PG_URL, type TestDb } from '../backends.js';
import { type Receiver, startReceiver } from './receiver.js';
import { waitFor } from './wait.js';

const ADMIN = 'chk_two_servers_test_token_0123456789abcdef';

interface Server {
  proc: ChildProcessWithoutNullStreams;
  base: string;
  output: string[];
}

async function serve(databaseUrl: string, keyDir: string): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--port', '0'], {
    env: {
      ...process.env,
      CLEARINGHOUSE_DATABASE_URL: databaseUrl,
      CLEARINGHOUSE_ADMIN_TOKEN: ADMIN,
      CLEARINGHOUSE_WEBHOOK_ALLOW_PRIVATE: 'true',
      CLEARINGHOUSE_SIGNING_KEY_FILE: join(keyDir, 'signing-key.pem'),
      CLEARINGHOUSE_SECRETS_KEY: 'ab'.repeat(32),
      CLEARINGHOUSE_LOG_LEVEL: 'error',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const s: Server = { proc, base: '', output: [] };
  const read = (line: string) => {
    s.output.push(line);
    const m = /serving on (http:\/\/[^\s]+)/.exec(line);
    if (m?.[1]) s.base = m[1];
  };
  createInterface({ input: proc.stdout }).on('line', read);
  createInterface({ input: proc.stderr }).on('line', read);
  await waitFor(() => s.base !== '', `server start:\n${s.output.join('\n')}`, 60_000);
  return s;
}

async function call<T = Record<string, unknown>>(
  s: Server,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

describeBackends('two server processes: exposure across nodes, one webhook delivery', (backend) => {
  if (backend !== 'postgres') {
    it.skip('needs PostgreSQL (BACKENDS=sqlite,postgres)', () => {});
    return;
  }
  let db: TestDb;
  let a: Server;
  let b: Server;
  let receiver: Receiver;
  let keyDir: string;
  // A third listener on the same database: it hears what A announces to B.
  let observer: ChangeBus;
  const heard: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDb('postgres');
    observer = new ChangeBus(db, PG_URL);
    observer.subscribe('exposure', (m) => {
      heard.push(m);
    });
    await observer.start();
    keyDir = mkdtempSync(join(tmpdir(), 'ch-two-servers-'));
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}`;
    a = await serve(url, keyDir);
    b = await serve(url, keyDir);
    receiver = await startReceiver();
  }, 120_000);
  afterAll(async () => {
    await observer?.stop();
    for (const s of [a, b]) s?.proc.kill('SIGTERM');
    await receiver?.close();
    await db.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('an SBOM uploaded on A is matched by an advisory published on B; the webhook fires once', async () => {
    const org = await call<{ org: { id: string }; secret: string }>(a, 'POST', '/api/v1/organisations', ADMIN, {
      name: 'Two Node Utility',
      kind: 'infrastructure_operator',
      sector: 'energy',
      admin: { email: 'admin@two-node.test', name: 'Admin' },
    });
    expect(org.status).toBe(201);
    const token = org.body.secret;
    const hook = await call<{ id: string; secret: string }>(a, 'POST', '/api/v1/webhooks', token, {
      url: receiver.url,
      eventTypes: ['exposure.finding'],
    });
    expect(hook.status).toBe(201);

    const sbom = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ type: 'library', 'bom-ref': 'c0', name: 'left-padder', purl: 'pkg:npm/left-padder@1.0.0' }],
    });
    const up = await call(a, 'POST', '/api/v1/assets/web-frontend/sboms', token, sbom);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    // The upload's bus message goes to every listener at A's commit; once the observer has it, give B a moment to
    // reload the asset into its index.
    await waitFor(() => heard.length > 0, 'the bus message of the upload', 20_000);
    await new Promise((r) => setTimeout(r, 1500));

    const adv = await call<{ id: string }>(b, 'POST', '/api/v1/advisories', ADMIN, {
      summary: 'Heap overflow in left-padder',
      details: 'details',
      aliases: ['CVE-2099-7101'],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'left-padder' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }],
        },
      ],
      marking: { tlp: 'CLEAR' },
    });
    expect(adv.status, `${JSON.stringify(adv.body)}\n${b.output.join('\n')}`).toBe(201);

    const findings = await call<{ items: { advisoryIds?: string[]; advisoryId?: string }[] }>(
      a,
      'GET',
      '/api/v1/findings',
      token,
    );
    expect(findings.status).toBe(200);
    expect(JSON.stringify(findings.body.items)).toContain(adv.body.id);

    await waitFor(() => receiver.received.length >= 1, 'webhook delivery', 15_000);
    // Both nodes poll the queue; give them a few more rounds, then check it arrived once.
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0];
    if (!got) throw new Error('no delivery');
    expect(got.headers['clearinghouse-event']).toBe('exposure.finding.created');
    expect(
      verifySignature(hook.body.secret, got.body, String(got.headers['clearinghouse-signature']), Date.now() / 1000),
    ).toBe(true);
    expect(got.body).toContain(adv.body.id);
  }, 120_000);
});
