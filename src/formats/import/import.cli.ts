/**
 * `clearinghouse import osv|cve5|kev|csaf PATH|URL [--json]`: reads the source here (file, folder, JSON Lines, zip,
 * URL, CSAF provider), streaming, and sends the records to POST /api/v1/imports in batches, so local and --server
 * modes behave the same and memory stays flat. A progress bar goes to stderr on a terminal. Exit 0 when it ran.
 */
import type { Command } from 'commander';
import { withClient } from '../../cli/context.js';
import { CliError, print } from '../../cli/output.js';
import { IMPORT_FORMATS, type ImportFormat } from './decode.js';
import {
  BATCH_SIZE,
  emptySummary,
  type ImportSummary,
  type InputRecord,
  mergeSummary,
  reject,
} from './import.service.js';
import { readSource } from './sources.js';

const BATCH_BYTES = 4 * 1024 * 1024;

function progressBar(enabled: boolean) {
  let last = 0;
  let bytes = 0;
  let total: number | null = null;
  let records = 0;
  const draw = (force = false) => {
    if (!enabled) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const frac = total ? Math.min(1, bytes / total) : null;
    const width = 30;
    const bar =
      frac === null ? '' : `[${'#'.repeat(Math.round(frac * width))}${'.'.repeat(width - Math.round(frac * width))}] `;
    const pct = frac === null ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.floor(frac * 100)}%`;
    process.stderr.write(`\r${bar}${pct}  ${records} records `);
  };
  return {
    bytes(read: number, t: number | null) {
      bytes = read;
      total = t;
      draw();
    },
    records(n: number) {
      records = n;
      draw();
    },
    done() {
      if (enabled) {
        draw(true);
        process.stderr.write('\n');
      }
    },
  };
}

function human(s: ImportSummary): string {
  const lines = [
    `${s.format}: ${s.records} records: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.rejectedCount} rejected`,
  ];
  if (s.advisoriesFlagged !== undefined) lines.push(`KEV facts set on ${s.advisoriesFlagged} advisories`);
  for (const r of s.rejected.slice(0, 50))
    lines.push(
      `rejected ${r.ref}: ${r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
  if (s.rejectedCount > 50) lines.push(`… ${s.rejectedCount - 50} more rejected (use --json for the list)`);
  if (s.warningCount > 0) lines.push(`${s.warningCount} records imported with warnings (use --json to see them)`);
  return lines.join('\n');
}

export function registerImportCli(program: Command): void {
  program
    .command('import')
    .description('Import OSV, CVE JSON 5, the KEV catalogue or CSAF from a file, folder, JSON Lines, zip or URL')
    .argument('<format>', IMPORT_FORMATS.join('|'))
    .argument('<source>', 'file, folder, .jsonl, osv.dev .zip, http(s) URL, or a CSAF provider-metadata.json')
    .option('--licence <spdx>', "the data set's licence (SPDX id), recorded where a record states none")
    .option('--source-name <name>', "the data set's name, recorded where a record states none")
    .option(
      '--source-token <token>',
      "API token for the source's own host (e.g. another clearinghouse's CSAF provider), sent as Bearer to it only",
    )
    .action(
      async (
        format: string,
        source: string,
        opts: { licence?: string; sourceName?: string; sourceToken?: string },
        cmd: Command,
      ) => {
        if (!(IMPORT_FORMATS as readonly string[]).includes(format))
          throw new CliError(`unknown format ${format}: use one of ${IMPORT_FORMATS.join(', ')}`);
        const f = format as ImportFormat;
        await withClient(cmd, async (api, g) => {
          const summary = emptySummary(f);
          const bar = progressBar(Boolean(process.stderr.isTTY));
          let batch: InputRecord[] = [];
          let size = 0;
          let seen = 0;
          const send = async () => {
            const good = batch.filter((r) => r.value !== undefined && !r.issues);
            for (const r of batch)
              if (r.issues || r.value === undefined) {
                summary.records++;
                reject(summary, r.ref, r.issues ?? [{ path: '', message: 'empty' }]);
              }
            batch = [];
            size = 0;
            if (good.length === 0) return;
            const stated = {
              ...(opts.licence ? { licence: opts.licence } : {}),
              ...(opts.sourceName ? { name: opts.sourceName } : {}),
            };
            const body = {
              format: f,
              documents: good.map((r) => r.value),
              refs: good.map((r) => r.ref),
              ...(Object.keys(stated).length > 0 ? { source: stated } : {}),
            };
            mergeSummary(summary, await api.call<ImportSummary>('POST', '/api/v1/imports', body));
          };
          const read = {
            allowRemote: true,
            onBytes: (b: number, t: number | null) => bar.bytes(b, t),
            ...(opts.sourceToken ? { authorization: `Bearer ${opts.sourceToken}` } : {}),
          };
          for await (const rec of readSource(f, source, read)) {
            batch.push(rec);
            size += rec.value === undefined ? 0 : JSON.stringify(rec.value).length;
            bar.records(++seen);
            if (batch.length >= BATCH_SIZE || size >= BATCH_BYTES) await send();
          }
          await send();
          bar.done();
          print(Boolean(g.json), summary, () => human(summary));
        });
      },
    );
}
