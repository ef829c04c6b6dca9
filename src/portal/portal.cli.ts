/** `clearinghouse invite …`: one-time password links for members, locally or against --server. */
import type { Command } from 'commander';
import { type Row, withClient } from '../cli/context.js';
import { CliError, print, table } from '../cli/output.js';

const enc = encodeURIComponent;

export function registerPortalCli(program: Command): void {
  const invite = program.command('invite').description('one-time links through which members set a portal password');
  invite
    .command('create')
    .description('invite a new member (--email, --name, --role) or an existing one (--member)')
    .requiredOption('--org <id>', 'organisation id')
    .option('--member <id>', 'an existing member')
    .option('--email <email>', 'a new member: email')
    .option('--name <name>', 'a new member: name')
    .option('--role <role>', 'a new member: admin, analyst or viewer', 'analyst')
    .action(async (o: { org: string; member?: string; email?: string; name?: string; role: string }, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        if (!o.member && !(o.email && o.name)) throw new CliError('give --member ID, or --email and --name', 2);
        const body = o.member ? { memberId: o.member } : { email: o.email, name: o.name, role: o.role };
        const out = await api.call<{ url: string; invite: Row }>(
          'POST',
          `/api/v1/organisations/${enc(o.org)}/invites`,
          body,
        );
        print(
          !!g.json,
          out,
          () => `invite link (shown once, works once, expires ${String(out.invite.expiresAt)}):\n  ${out.url}`,
        );
      }),
    );
  invite
    .command('list')
    .description("an organisation's invites (never their tokens)")
    .requiredOption('--org <id>', 'organisation id')
    .action(async (o: { org: string }, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const out = await api.call<{ items: Row[] }>('GET', `/api/v1/organisations/${enc(o.org)}/invites`);
        print(!!g.json, out.items, () => table(out.items, ['id', 'email', 'status', 'expiresAt']));
      }),
    );
  invite
    .command('revoke <inviteId>')
    .description('revoke an open invite')
    .requiredOption('--org <id>', 'organisation id')
    .action(async (inviteId: string, o: { org: string }, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        await api.call('DELETE', `/api/v1/organisations/${enc(o.org)}/invites/${enc(inviteId)}`);
        print(!!g.json, { revoked: inviteId }, () => `invite ${inviteId} revoked`);
      }),
    );
}
