/**
 * `clearinghouse review run|runs|results|evallog|findings|finding|report`: evaluation runs, findings and the report to
 * the developer. Every command goes through the REST API (local database or --server). Runs execute in the server
 * process; on a local database `review run` queues the run for the next `serve`.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Api, type Globals, qs, type Row, withClient } from '../cli/context.js';
import { CliError, print, readJsonFile, table } from '../cli/output.js';

const RUN_COLS = ['id', 'task', 'variant', 'reference', 'status', 'results.0.metrics.accuracy.value', 'createdAt'];
const FINDING_COLS = ['id', 'state', 'severity', 'type', 'title', 'reproducibility', 'response.value'];
const FINAL = new Set(['success', 'error', 'cancelled']);

const enc = (s: string) => encodeURIComponent(s);
const W = (id: string) => `/api/v1/reviews/windows/${enc(id)}`;
const int = (v: string) => Number.parseInt(v, 10);

type Action = (api: Api, g: Globals) => Promise<void>;
const go = (cmd: Command, fn: Action) => withClient(cmd, fn);

function writeOrPrint(out: string | undefined, text: string): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function scoreLines(run: Row): string {
  const results = (run.results as Row[] | undefined) ?? [];
  const lines = [
    `run ${String(run.id)}  ${String(run.task)}  ${String(run.variant)}${run.reference ? ' (reference)' : ''}  ${String(run.status)}`,
  ];
  const p = run.progress as Row | undefined;
  if (p) lines.push(`samples: ${String(p.done)} done, ${String(p.errored)} errored of ${String(p.samples)}`);
  for (const r of results) {
    const m = r.metrics as Record<string, { value: number }>;
    lines.push(
      `${String(r.scorer)}: accuracy ${m.accuracy!.value.toFixed(3)} ± ${m.stderr!.value.toFixed(3)} (n=${String(r.scoredSamples)})`,
    );
  }
  const c = run.comparison as { referenceRunId: string; scores: Row[] } | undefined;
  for (const s of c?.scores ?? [])
    lines.push(
      `vs reference ${c!.referenceRunId}: difference ${(s.difference as number).toFixed(3)} (95% CI ${(s.ci95 as number[]).map((x) => x.toFixed(3)).join('..')})`,
    );
  if (run.error) lines.push(`error: ${String(run.error)}`);
  return lines.join('\n');
}

export function registerRunsCli(review: Command): void {
  review
    .command('run <windowId>')
    .description('start a suite (purplellama | cyber-knowledge | ctf) or one task id: one run per task')
    .requiredOption('--suite <name>', 'suite or task id')
    .option('--variant <variant>', 'production | reduced-safeguards | reasoning-visible', 'production')
    .option('--grant <grantId>', 'the grant to run under (default: your only one)')
    .option('--epochs <n>', 'epochs per sample', int)
    .option('--limit <n>', 'only the first N samples of each task', int)
    .option('--reference', 'a reference run: other runs of the task are compared with it')
    .option('--wait', 'wait until every run has ended (against --server)')
    .action(
      async (
        windowId: string,
        o: {
          suite: string;
          variant: string;
          grant?: string;
          epochs?: number;
          limit?: number;
          reference?: boolean;
          wait?: boolean;
        },
        cmd: Command,
      ) =>
        go(cmd, async (api, g) => {
          const body = {
            suite: o.suite,
            variant: o.variant,
            ...(o.grant ? { grantId: o.grant } : {}),
            ...(o.epochs ? { epochs: o.epochs } : {}),
            ...(o.limit ? { limit: o.limit } : {}),
            reference: !!o.reference,
          };
          let { runs } = await api.call<{ runs: Row[] }>('POST', `${W(windowId)}/runs`, body);
          if (o.wait) {
            if (!g.server) throw new CliError('--wait needs --server: runs execute in the server process', 2);
            for (;;) {
              runs = await Promise.all(runs.map((r) => api.call('GET', `${W(windowId)}/runs/${enc(String(r.id))}`)));
              if (runs.every((r) => FINAL.has(String(r.status)))) break;
              await new Promise((r) => setTimeout(r, 500));
            }
          }
          print(!!g.json, { runs }, () => (o.wait ? runs.map(scoreLines).join('\n\n') : table(runs, RUN_COLS)));
        }),
    );
  review
    .command('runs <windowId>')
    .description("the window's runs")
    .option('--status <status>', 'queued | running | success | error | cancelled')
    .option('--task <task>', 'one task id')
    .action(async (windowId: string, o: { status?: string; task?: string }, cmd: Command) =>
      go(cmd, async (api, g) => {
        const out = await api.call<{ items: Row[] }>(
          'GET',
          `${W(windowId)}/runs${qs({ status: o.status, task: o.task })}`,
        );
        print(!!g.json, out.items, () => table(out.items, RUN_COLS));
      }),
    );
  review
    .command('results <windowId> <runId>')
    .description('scores, metrics, usage and the comparison with the reference run; --samples for per-sample results')
    .option('--samples', 'per-sample results (transcripts with the raw-transcript scope)')
    .option('--cancel', 'cancel the run instead')
    .action(async (windowId: string, runId: string, o: { samples?: boolean; cancel?: boolean }, cmd: Command) =>
      go(cmd, async (api, g) => {
        const path = `${W(windowId)}/runs/${enc(runId)}`;
        if (o.cancel) {
          const out = await api.call('POST', `${path}/cancel`, {});
          return print(!!g.json, out, () => `run ${runId} ${String(out.status)}`);
        }
        if (o.samples) {
          const out = await api.call<{ transcripts: boolean; items: Row[] }>('GET', `${path}/samples`);
          return print(!!g.json, out, () =>
            table(
              out.items.map((s) => ({
                ...s,
                scores: JSON.stringify(
                  s.transcript
                    ? Object.fromEntries(Object.entries(s.scores as Record<string, Row>).map(([k, v]) => [k, v.value]))
                    : s.scores,
                ),
              })),
              ['sampleId', 'epoch', 'scores', 'retries'],
            ),
          );
        }
        const out = await api.call('GET', path);
        print(!!g.json, out, () => scoreLines(out));
      }),
    );
  review
    .command('evallog <windowId> <runId>')
    .description('the run as an Inspect EvalLog (format 2) JSON file, for `inspect view`')
    .option('-o, --out <file>', 'write to this file')
    .action(async (windowId: string, runId: string, o: { out?: string }, cmd: Command) =>
      go(cmd, async (api) => {
        const log = await api.call('GET', `${W(windowId)}/runs/${enc(runId)}/evallog`);
        writeOrPrint(o.out, JSON.stringify(log, null, 2));
      }),
    );
  review
    .command('findings <windowId>')
    .description("the window's findings you may see")
    .option('--state <state>', 'draft | validated | shared | responded')
    .action(async (windowId: string, o: { state?: string }, cmd: Command) =>
      go(cmd, async (api, g) => {
        const out = await api.call<{ items: Row[] }>('GET', `${W(windowId)}/findings${qs({ state: o.state })}`);
        const rows = out.items.map((f) => ({
          ...f,
          reproducibility: `${(f.reproducibility as Row).k}/${(f.reproducibility as Row).n}`,
        }));
        print(!!g.json, out.items, () => table(rows, FINDING_COLS));
      }),
    );

  const finding = review
    .command('finding')
    .description('one finding: new, show, edit, validate, share, respond, to-report');
  const F = (w: string, id: string) => `${W(w)}/findings/${enc(id)}`;
  const show = (g: Globals, f: Row) =>
    print(
      !!g.json,
      f,
      () => `finding ${String(f.id)}: ${String(f.state)} ${String(f.severity)} ${String(f.type)} — ${String(f.title)}`,
    );
  finding
    .command('new <windowId> <file>')
    .description(
      'draft a finding from a JSON file (title, type, severity, description, evidence, reproducibility, ids)',
    )
    .action(async (windowId: string, file: string, _o: unknown, cmd: Command) =>
      go(cmd, async (api, g) => show(g, await api.call('POST', `${W(windowId)}/findings`, readJsonFile(file), file))),
    );
  finding
    .command('show <windowId> <findingId>')
    .action(async (windowId: string, id: string, _o: unknown, cmd: Command) =>
      go(cmd, async (api, g) => {
        const f = await api.call('GET', F(windowId, id));
        print(!!g.json, f, () => JSON.stringify(f, null, 2));
      }),
    );
  finding
    .command('edit <windowId> <findingId> <file>')
    .description('change fields of a draft (JSON file with the fields to change)')
    .action(async (windowId: string, id: string, file: string, _o: unknown, cmd: Command) =>
      go(cmd, async (api, g) => show(g, await api.call('PATCH', F(windowId, id), readJsonFile(file), file))),
    );
  finding
    .command('validate <windowId> <findingId>')
    .description('validate a draft (a second reviewer, not its author)')
    .option('--note <text>', 'a note kept in the audit log')
    .action(async (windowId: string, id: string, o: { note?: string }, cmd: Command) =>
      go(cmd, async (api, g) =>
        show(g, await api.call('POST', `${F(windowId, id)}/validate`, o.note ? { note: o.note } : {})),
      ),
    );
  finding
    .command('share <windowId> <findingId>')
    .description('share a validated finding with the developer')
    .action(async (windowId: string, id: string, _o: unknown, cmd: Command) =>
      go(cmd, async (api, g) => show(g, await api.call('POST', `${F(windowId, id)}/share`, {}))),
    );
  finding
    .command('respond <windowId> <findingId>')
    .description("the developer's response")
    .requiredOption('--response <r>', 'acknowledged | disputed | mitigated | wont_fix')
    .option('--note <text>', 'the response text', '')
    .action(async (windowId: string, id: string, o: { response: string; note: string }, cmd: Command) =>
      go(cmd, async (api, g) =>
        show(g, await api.call('POST', `${F(windowId, id)}/response`, { response: o.response, note: o.note })),
      ),
    );
  finding
    .command('to-report <windowId> <findingId> <file>')
    .description('turn a third-party-software finding into a clearinghouse report (JSON file: affected, cvssVector?)')
    .action(async (windowId: string, id: string, file: string, _o: unknown, cmd: Command) =>
      go(cmd, async (api, g) => {
        const out = await api.call('POST', `${F(windowId, id)}/clearinghouse-report`, readJsonFile(file), file);
        print(!!g.json, out, () => `finding ${id} is clearinghouse report ${String(out.reportId)}`);
      }),
    );

  review
    .command('report <windowId>')
    .description('the report to the developer (--generate shares every validated finding first)')
    .option('--generate', 'share validated findings and build the report (reviewers, before the trusted-partner date)')
    .option('--markdown', 'Markdown instead of JSON')
    .option('-o, --out <file>', 'write to this file')
    .action(async (windowId: string, o: { generate?: boolean; markdown?: boolean; out?: string }, cmd: Command) =>
      go(cmd, async (api, g) => {
        if (o.generate) await api.call('POST', `${W(windowId)}/report`, {});
        const body = await api.call<unknown>(
          'GET',
          `${W(windowId)}/report${qs({ format: o.markdown ? 'markdown' : 'json' })}`,
        );
        if (typeof body === 'string') return writeOrPrint(o.out, body);
        if (o.out || g.json || !o.markdown) return writeOrPrint(o.out, JSON.stringify(body, null, 2));
      }),
    );
}
