/**
 * `clearinghouse review …`: offers, the window's steps, terms and consent, grants and gateway keys. Every command goes
 * through the REST API (local database or --server). `registerReviewCli` returns the `review` command so that other
 * parts (runs, findings) can add their subcommands to it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { type Globals, qs, type Row, withClient } from '../cli/context.js';
import { CliError, print, readJsonFile, table } from '../cli/output.js';

const WINDOW_COLS = ['id', 'modelName', 'snapshotId', 'state', 'myRole', 'trustedPartnerDate', 'closesAt'];
const GRANT_COLS = [
  'id',
  'role',
  'granteeOrgId',
  'status',
  'variants',
  'used.requests',
  'budget.requests',
  'validUntil',
];
const KEY_COLS = ['id', 'prefix', 'label', 'createdAt', 'revokedAt', 'lastUsedAt'];
const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
};

const enc = (s: string) => encodeURIComponent(s);
const W = (id: string) => `/api/v1/reviews/windows/${enc(id)}`;

function attachment(file: string, kind: 'model_card' | 'developer_evaluation') {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as Error).message}`);
  }
  return {
    kind,
    filename: basename(file),
    contentType: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    contentBase64: bytes.toString('base64'),
  };
}

function windowText(w: Row): string {
  const lines = [
    `${String(w.id)}  ${String(w.modelName)} (${String(w.snapshotId)})  ${String(w.state)}  you: ${String(w.myRole)}`,
    `trusted-partner date ${String(w.trustedPartnerDate)}; closes ${String(w.closesAt ?? '-')}`,
    `variants: ${(w.variants as string[]).join(', ')}; gateway ${String((w.gateway as Row).baseURL)}`,
  ];
  for (const t of (w.terms as Row[]) ?? [])
    lines.push(`terms ${String(t.id)} ${String(t.audience)} v${String(t.version)} sha256 ${String(t.textSha256)}`);
  return lines.join('\n');
}

export function registerReviewCli(program: Command): Command {
  const review = program
    .command('review')
    .description('the voluntary pre-release review window (never a release decision)');
  const run =
    (fn: (api: Parameters<Parameters<typeof withClient>[1]>[0], g: Globals) => Promise<void>) => (cmd: Command) =>
      withClient(cmd, fn);

  review
    .command('offer <file>')
    .description('offer a model (JSON: modelName, snapshotId, trustedPartnerDate, endpoint, limits); creates a draft')
    .option('--api-key-file <file>', 'read the endpoint secret from this file instead of the JSON')
    .option('--model-card <files...>', 'model card files to attach')
    .option('--evaluation <files...>', "the developer's own evaluation results to attach")
    .action(
      async (file: string, o: { apiKeyFile?: string; modelCard?: string[]; evaluation?: string[] }, cmd: Command) =>
        run(async (api, g) => {
          const body = readJsonFile(file) as Row & { endpoint?: Row; attachments?: unknown[] };
          if (o.apiKeyFile)
            body.endpoint = { ...(body.endpoint ?? {}), apiKey: readFileSync(o.apiKeyFile, 'utf8').trim() };
          body.attachments = [
            ...(body.attachments ?? []),
            ...(o.modelCard ?? []).map((f) => attachment(f, 'model_card')),
            ...(o.evaluation ?? []).map((f) => attachment(f, 'developer_evaluation')),
          ];
          const out = await api.call('POST', '/api/v1/reviews/windows', body, file);
          print(!!g.json, out, () => `window ${String(out.id)} created (draft)`);
        })(cmd),
    );

  const win = review.command('window').description('review windows');
  win
    .command('list')
    .option('--state <state>', 'draft|offered|open|closed|withdrawn')
    .action(async (o: { state?: string }, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call<{ items: Row[] }>('GET', `/api/v1/reviews/windows${qs({ state: o.state })}`);
        print(!!g.json, out.items, () => table(out.items, WINDOW_COLS));
      })(cmd),
    );
  win.command('show <id>').action(async (id: string, _o, cmd: Command) =>
    run(async (api, g) => {
      const out = await api.call('GET', W(id));
      print(!!g.json, out, () => windowText(out));
    })(cmd),
  );
  for (const action of ['offer', 'open'] as const)
    win
      .command(`${action} <id>`)
      .description(
        action === 'offer' ? 'offer the draft (terms needed)' : 'open the window (the developer signed the terms)',
      )
      .action(async (id: string, _o, cmd: Command) =>
        run(async (api, g) => {
          const out = await api.call('POST', `${W(id)}/${action}`);
          print(
            !!g.json,
            out,
            () => `window ${id} is ${String(out.state)}${out.closesAt ? `, closes ${String(out.closesAt)}` : ''}`,
          );
        })(cmd),
      );
  win
    .command('partner-date <id> <date>')
    .description('move the planned trusted-partner date')
    .action(async (id: string, date: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('POST', `${W(id)}/partner-date`, { trustedPartnerDate: date });
        print(!!g.json, out, () => `window ${id}: trusted-partner date ${String(out.trustedPartnerDate)}`);
      })(cmd),
    );
  win
    .command('covered <id>')
    .description('record covered status (coordinators)')
    .requiredOption('--status <status>', 'pending|covered|not_covered|unknown')
    .option('--ref <designationRef>', 'opaque designation reference')
    .action(async (id: string, o: { status: string; ref?: string }, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('PUT', `${W(id)}/covered`, { designationRef: o.ref ?? null, status: o.status });
        print(!!g.json, out, () => `window ${id}: covered status ${String((out.covered as Row).status)}`);
      })(cmd),
    );
  win
    .command('rotate-secret <id> <apiKeyFile>')
    .description('replace the endpoint secret (read from a file; never printed)')
    .action(async (id: string, file: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('PATCH', `${W(id)}/endpoint`, { apiKey: readFileSync(file, 'utf8').trim() });
        print(!!g.json, out, () => `window ${id}: secret replaced`);
      })(cmd),
    );
  win
    .command('log <id>')
    .description('gateway call metadata')
    .action(async (id: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call<{ items: Row[] }>('GET', `${W(id)}/gateway-log`);
        print(!!g.json, out.items, () =>
          table(out.items, [
            'at',
            'grantId',
            'variant',
            'status',
            'outcome',
            'latencyMs',
            'promptTokens',
            'completionTokens',
          ]),
        );
      })(cmd),
    );
  for (const action of ['close', 'withdraw'] as const)
    review
      .command(`${action} <id>`)
      .description(
        action === 'close' ? 'close the window now (developer)' : 'withdraw at any time, no reason asked (developer)',
      )
      .action(async (id: string, _o, cmd: Command) =>
        run(async (api, g) => {
          const out = await api.call('POST', `${W(id)}/${action}`);
          print(!!g.json, out, () => `window ${id} is ${String(out.state)}; grants and keys revoked`);
        })(cmd),
      );

  const terms = review.command('terms').description('versioned terms');
  terms.command('add <id> <file>').action(async (id: string, file: string, _o, cmd: Command) =>
    run(async (api, g) => {
      const out = await api.call('POST', `${W(id)}/terms`, readJsonFile(file), file);
      print(
        !!g.json,
        out,
        () =>
          `terms ${String(out.id)} ${String(out.audience)} v${String(out.version)} sha256 ${String(out.textSha256)}`,
      );
    })(cmd),
  );
  terms.command('list <id>').action(async (id: string, _o, cmd: Command) =>
    run(async (api, g) => {
      const out = await api.call<{ items: Row[] }>('GET', `${W(id)}/terms`);
      print(!!g.json, out.items, () =>
        table(out.items, ['id', 'audience', 'version', 'textSha256', 'tlpDefault', 'onWithdrawal']),
      );
    })(cmd),
  );
  review
    .command('consent <id> <termsId>')
    .description('sign terms: the SHA-256 is computed here from the text as fetched, and checked by the server')
    .action(async (id: string, termsId: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const list = await api.call<{ items: Row[] }>('GET', `${W(id)}/terms`);
        const t = list.items.find((x) => x.id === termsId);
        if (!t) throw new CliError(`no terms ${termsId} on window ${id}`);
        const termsSha256 = createHash('sha256').update(String(t.text), 'utf8').digest('hex');
        const out = await api.call('POST', `${W(id)}/consents`, { termsId, termsSha256 });
        print(!!g.json, out, () => `signed terms ${termsId} (sha256 ${termsSha256}) as ${String(out.party)}`);
      })(cmd),
    );

  const grant = review.command('grant').description('grants to reviewers');
  grant
    .command('create <id> <file>')
    .description('grant access (JSON: granteeOrgId, role, variants, categories, rawTranscripts, budget, validUntil?)')
    .action(async (id: string, file: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('POST', `${W(id)}/grants`, readJsonFile(file), file);
        print(!!g.json, out, () => `grant ${String(out.id)} ${String(out.role)} ${String(out.status)}`);
      })(cmd),
    );
  grant.command('list <id>').action(async (id: string, _o, cmd: Command) =>
    run(async (api, g) => {
      const out = await api.call<{ items: Row[] }>('GET', `${W(id)}/grants`);
      print(!!g.json, out.items, () => table(out.items, GRANT_COLS));
    })(cmd),
  );
  for (const action of ['accept', 'decline', 'revoke'] as const)
    grant.command(`${action} <id> <grantId>`).action(async (id: string, grantId: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('POST', `${W(id)}/grants/${enc(grantId)}/${action}`);
        print(!!g.json, out, () => `grant ${grantId} is ${String(out.status)}`);
      })(cmd),
    );

  const key = review.command('key').description('gateway keys of a grant');
  key
    .command('create <id> <grantId>')
    .option('--label <label>', 'a name for the key', 'key')
    .action(async (id: string, grantId: string, o: { label: string }, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('POST', `${W(id)}/grants/${enc(grantId)}/keys`, { label: o.label });
        print(
          !!g.json,
          out,
          () =>
            `key ${String(out.id)} (shown once):\n  ${String(out.secret)}\nbase URL: ${g.server ? `${g.server.replace(/\/$/, '')}/gateway/v1` : '<server>/gateway/v1'}`,
        );
      })(cmd),
    );
  key.command('list <id> <grantId>').action(async (id: string, grantId: string, _o, cmd: Command) =>
    run(async (api, g) => {
      const out = await api.call<{ items: Row[] }>('GET', `${W(id)}/grants/${enc(grantId)}/keys`);
      print(!!g.json, out.items, () => table(out.items, KEY_COLS));
    })(cmd),
  );
  key
    .command('revoke <id> <grantId> <keyId>')
    .action(async (id: string, grantId: string, keyId: string, _o, cmd: Command) =>
      run(async (api, g) => {
        const out = await api.call('POST', `${W(id)}/grants/${enc(grantId)}/keys/${enc(keyId)}/revoke`);
        print(!!g.json, out, () => `key ${keyId} revoked at ${String(out.revokedAt)}`);
      })(cmd),
    );
  return review;
}
