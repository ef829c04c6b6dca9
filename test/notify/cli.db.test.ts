/** The `webhook` CLI against a listening server: create (secret printed once), list, ping, deliveries, rotate, delete. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliError } from '../../src/cli/output.js';
import { loadConfig } from '../../src/config.js';
import { verifySignature } from '../../src/notify/webhook.js';
import { describeBackends } from '../backends.js';
import { runCli } from '../cli-run.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { type Receiver, startReceiver } from './receiver.js';

describeBackends('webhook CLI', (backend) => {
  let t: TestApp;
  let server: string;
  let org: TestOrg;
  let r: Receiver;
  const as = (...args: string[]) => runCli(['--server', server, '--token', org.token, ...args]);

  beforeAll(async () => {
    t = await startTestApp(backend, { config: { webhooks: { ...loadConfig({}).webhooks, allowPrivate: true } } });
    org = await t.org('CLI Hook Org', 'vendor');
    server = await t.app.listen({ host: '127.0.0.1', port: 0 });
    r = await startReceiver();
  });
  afterAll(async () => {
    await r?.close();
    await t?.close();
  });

  it('create, list, ping, deliveries, rotate-secret, delete', async () => {
    const created = await as('--json', 'webhook', 'create', r.url, '--events', 'exposure.finding', 'ping');
    expect(created.error).toBeNull();
    const hook = JSON.parse(created.out) as { id: string; secret: string };
    expect(hook.secret).toMatch(/^whsec_/);

    const human = await as('webhook', 'list');
    expect(human.out).toContain(hook.id);
    expect(human.out).not.toContain(hook.secret);

    const ping = await as('webhook', 'ping', hook.id);
    expect(ping.error).toBeNull();
    expect(ping.out).toMatch(/delivered/);
    const got = r.received[0];
    if (!got) throw new Error('no ping received');
    expect(
      verifySignature(hook.secret, got.body, String(got.headers['clearinghouse-signature']), Date.now() / 1000),
    ).toBe(true);

    const log = await as('--json', 'webhook', 'deliveries', hook.id);
    expect((JSON.parse(log.out) as { eventType: string; state: string }[]).map((d) => [d.eventType, d.state])).toEqual([
      ['ping', 'delivered'],
    ]);

    const rotated = await as('webhook', 'rotate-secret', hook.id);
    expect(rotated.out).toMatch(/secret \(shown once, keep it safe\): whsec_/);
    expect(rotated.out).not.toContain(hook.secret);

    expect((await as('webhook', 'delete', hook.id)).out).toContain('deleted');
    const gone = await as('webhook', 'show', hook.id);
    expect(gone.error).toBeInstanceOf(CliError);
  });

  it('a refused URL names the field', async () => {
    const res = await as('webhook', 'create', 'ftp://example.org/x', '--events', '*');
    expect(res.error).toBeInstanceOf(CliError);
    expect(String((res.error as Error).message)).toMatch(/url/);
  });
});
