/** CLI: `webhook …`, through the REST API (local database or --server), like every command. */
import type { Command } from 'commander';
import { type Globals, qs, type Row, withClient } from '../cli/context.js';
import { print, table } from '../cli/output.js';

const id = (s: string) => encodeURIComponent(s);
const COLS = ['id', 'orgId', 'active', 'url', 'eventTypes', 'description'];
const DELIVERY_COLS = [
  'id',
  'createdAt',
  'eventType',
  'subject',
  'state',
  'attempts',
  'lastStatus',
  'lastError',
  'nextAttemptAt',
];

function withSecret(out: Row): string {
  return `webhook ${String(out.id)}\n  secret (shown once, keep it safe): ${String(out.secret)}`;
}

function deliveryLine(d: Row): string {
  const log = (d.log as Row[]).map(
    (a) =>
      `  #${String(a.seq)} ${String(a.at)} ${String(a.statusCode ?? '-')} ${String(a.latencyMs)} ms ${String(a.outcome)}${a.error ? ` (${String(a.error)})` : ''}`,
  );
  return [`delivery ${String(d.id)}: ${String(d.state)}`, ...log].join('\n');
}

export function registerWebhookCli(program: Command): void {
  const w = program.command('webhook').description('webhook subscriptions of your organisation and their delivery log');
  w.command('list')
    .description('subscriptions (coordinators: all, or --org)')
    .option('--org <id>', 'one organisation (coordinators)')
    .action(async (o: { org?: string }, cmd: Command) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call<{ items: Row[] }>('GET', `/api/v1/webhooks${qs({ orgId: o.org })}`);
        print(!!g.json, out.items, () => table(out.items, COLS));
      }),
    );
  w.command('create <url>')
    .description('subscribe a URL; prints the signing secret once')
    .requiredOption('--events <prefixes...>', 'event type prefixes, e.g. exposure.finding or *')
    .option('--description <text>', 'what it is for')
    .option('--inactive', 'create it switched off')
    .option('--org <id>', 'for another organisation (coordinator admins)')
    .action(async (url: string, o: { events: string[]; description?: string; inactive?: boolean; org?: string }, cmd) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call('POST', '/api/v1/webhooks', {
          url,
          eventTypes: o.events,
          ...(o.description ? { description: o.description } : {}),
          ...(o.inactive ? { active: false } : {}),
          ...(o.org ? { orgId: o.org } : {}),
        });
        print(!!g.json, out, () => withSecret(out));
      }),
    );
  w.command('show <id>').action(async (hook: string, _o, cmd: Command) =>
    withClient(cmd, async (api) => print(true, await api.call('GET', `/api/v1/webhooks/${id(hook)}`), () => '')),
  );
  w.command('update <id>')
    .description('change the URL, event types, description, or switch it on/off')
    .option('--url <url>')
    .option('--events <prefixes...>')
    .option('--description <text>')
    .option('--active <bool>', 'true or false')
    .action(async (hook: string, o: { url?: string; events?: string[]; description?: string; active?: string }, cmd) =>
      withClient(cmd, async (api, g: Globals) => {
        const body = {
          ...(o.url ? { url: o.url } : {}),
          ...(o.events ? { eventTypes: o.events } : {}),
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.active !== undefined ? { active: o.active === 'true' } : {}),
        };
        const out = await api.call('PATCH', `/api/v1/webhooks/${id(hook)}`, body);
        print(!!g.json, out, () => table([out], COLS));
      }),
    );
  w.command('delete <id>').action(async (hook: string, _o, cmd: Command) =>
    withClient(cmd, async (api, g: Globals) => {
      await api.call('DELETE', `/api/v1/webhooks/${id(hook)}`);
      print(!!g.json, { deleted: hook }, () => `webhook ${hook} deleted`);
    }),
  );
  w.command('rotate-secret <id>')
    .description('a new signing secret (printed once); the old one stops at once')
    .action(async (hook: string, _o, cmd: Command) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call('POST', `/api/v1/webhooks/${id(hook)}/rotate-secret`);
        print(!!g.json, out, () => withSecret(out));
      }),
    );
  w.command('ping <id>')
    .description('send a signed ping now and show the attempt')
    .action(async (hook: string, _o, cmd: Command) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call('POST', `/api/v1/webhooks/${id(hook)}/ping`);
        print(!!g.json, out, () => deliveryLine(out));
      }),
    );
  w.command('deliveries <id>')
    .description('the delivery log, newest first')
    .option('--state <state>', 'pending|delivering|delivered|dead')
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10))
    .action(async (hook: string, o: { state?: string; limit?: number }, cmd: Command) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call<{ items: Row[] }>(
          'GET',
          `/api/v1/webhooks/${id(hook)}/deliveries${qs({ state: o.state, limit: o.limit })}`,
        );
        print(!!g.json, out.items, () => table(out.items, DELIVERY_COLS));
      }),
    );
  w.command('redeliver <id> <deliveryId>')
    .description('queue a dead (or delivered) delivery again')
    .action(async (hook: string, delivery: string, _o, cmd: Command) =>
      withClient(cmd, async (api, g: Globals) => {
        const out = await api.call('POST', `/api/v1/webhooks/${id(hook)}/deliveries/${id(delivery)}/redeliver`);
        print(!!g.json, out, () => deliveryLine(out));
      }),
    );
}
