/**
 * `clearinghouse sbom upload`, `exposure`, `findings`, `vex set|history|export` and `scan`. Every command is a REST
 * call (locally through the in-process app, or against --server), so the access rule and the audit log apply alike.
 * `scan` parses the SBOM here and sends only its components to the read-only POST /api/v1/exposure/scan: nothing is
 * uploaded or stored. Exit codes of `scan`: 0 no finding at or above --fail-on, 1 some, 2 bad input (file, reason).
 */
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import { type Api, type Globals, qs, type Row, withClient } from '../cli/context.js';
import { CliError, print, problemMessage, table } from '../cli/output.js';
import { projectRoot } from '../paths.js';
import { CRITICALITIES, PRIORITIES, type Priority } from './priority.js';
import { type ReportedFinding, toSarif } from './sarif.js';
import { parseSbom } from './sbom/parse.js';
import type { ScanResult } from './vex.scan.js';
import { CYCLONEDX_JUSTIFICATIONS } from './vex.schema.js';

const FINDING_COLS = ['id', 'priority', 'dueDate', 'asset.name', 'component.purl', 'advisoryId', 'status', 'kev'];
const SCAN_COLS = ['priority', 'dueDate', 'component', 'version', 'advisory', 'aliases', 'kev'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
/** Files from this size on show a progress bar while they are sent (when stderr is a terminal). */
const PROGRESS_FROM_BYTES = 1024 * 1024;

function choice(values: readonly string[], what: string) {
  return (v: string) => {
    if (!values.includes(v)) throw new CliError(`${what} must be one of ${values.join(', ')} (got "${v}")`, 2);
    return v;
  };
}

/** A transform that counts the bytes passing and draws a bar on stderr (only when `enabled`). */
function progress(total: number, enabled: boolean): Transform & { finish(): void } {
  let sent = 0;
  let last = 0;
  const draw = (force: boolean) => {
    if (!enabled) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const frac = total > 0 ? Math.min(1, sent / total) : 1;
    const width = 30;
    const done = Math.round(frac * width);
    process.stderr.write(
      `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${Math.floor(frac * 100)}%  ${(sent / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MB `,
    );
  };
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      draw(false);
      cb(null, chunk);
    },
  }) as Transform & { finish(): void };
  t.finish = () => {
    if (!enabled) return;
    draw(true);
    process.stderr.write('\n');
  };
  return t;
}

async function uploadSbom(api: Api, file: string, path: string): Promise<Row> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new CliError(`${file}: cannot read: ${(e as Error).message}`, 2);
  }
  const bar = progress(size, Boolean(process.stderr.isTTY) && size >= PROGRESS_FROM_BYTES);
  const body = createReadStream(file).pipe(bar);
  try {
    const res = await api.client.request('POST', path, body, { contentType: 'application/json' });
    if (res.status >= 400)
      throw new CliError(problemMessage(res.body, file), res.status === 401 || res.status === 403 ? 3 : 1);
    return res.body as Row;
  } finally {
    bar.finish();
  }
}

/** The severity order for --fail-on words: the advisory's CVSS severity (unscored ranks below low). */
function severityRank(s: string | null | undefined): number {
  return SEVERITIES.indexOf((s ?? '').toLowerCase() as (typeof SEVERITIES)[number]);
}

export function failsOn(findings: readonly ReportedFinding[], threshold: string): boolean {
  const t = threshold.toUpperCase();
  if ((PRIORITIES as readonly string[]).includes(t))
    return findings.some((f) => PRIORITIES.indexOf(f.priority) <= PRIORITIES.indexOf(t as Priority));
  const min = severityRank(threshold);
  return findings.some((f) => severityRank(f.advisory.cvssSeverity) >= min);
}

function scanRows(findings: readonly ReportedFinding[]): Row[] {
  return findings.map((f) => ({
    priority: f.priority,
    dueDate: f.dueDate,
    component: f.component.purl ?? f.component.name,
    version: f.component.version,
    advisory: f.advisory.id,
    aliases: f.advisory.aliases,
    kev: f.advisory.kev ? 'KEV' : '',
  }));
}

export function registerExposureCli(program: Command): void {
  const sbom = program.command('sbom').description('inventories: SBOMs per asset');
  sbom
    .command('upload <file>')
    .description("upload a CycloneDX 1.4-1.6 or SPDX 2.3 JSON SBOM as the asset's inventory (replaces the previous)")
    .requiredOption('--asset <name>', 'the asset the SBOM describes (created on first upload)')
    .option('--criticality <level>', CRITICALITIES.join('|'), choice(CRITICALITIES, '--criticality'))
    .option('--internet-facing', 'the asset is reachable from the internet')
    .option('--not-internet-facing', 'the asset is not reachable from the internet')
    .option('--org <id>', 'coordinators: upload for another organisation')
    .action(async (file: string, o, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const path =
          `/api/v1/assets/${encodeURIComponent(o.asset)}/sboms` +
          qs({
            fileName: basename(file),
            criticality: o.criticality,
            internetFacing: o.internetFacing ? 'true' : o.notInternetFacing ? 'false' : undefined,
            org: o.org,
          });
        const out = await uploadSbom(api, file, path);
        const counts = (out.findings ?? {}) as Record<string, number>;
        const inv = (out.inventory ?? {}) as Row;
        print(
          !!g.json,
          out,
          () =>
            `uploaded ${file} as the inventory of ${o.asset} (${String(inv.components ?? '?')} components)\n` +
            `findings: ${counts.created ?? 0} new, ${counts.resolved ?? 0} resolved, ${counts.changed ?? 0} changed`,
        );
      }),
    );

  program
    .command('exposure')
    .description('exposure summary: open findings by priority, KEV, overdue, due soon, top findings')
    .option('--org <id>', 'coordinators: one organisation (default: aggregates by sector)')
    .action(async (o, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const s = await api.call('GET', `/api/v1/exposure${qs({ org: o.org })}`);
        print(!!g.json, s, () => {
          if (s.scope === 'sectors')
            return table(s.sectors as Row[], [
              'sector',
              'organisations',
              'assets',
              'open',
              'kev',
              'overdue',
              'byPriority',
            ]);
          const by = (s.byPriority ?? {}) as Record<string, number>;
          return [
            `assets ${String(s.assets)}  open ${String(s.open)}  P1 ${by.P1 ?? 0}  P2 ${by.P2 ?? 0}  P3 ${by.P3 ?? 0}  P4 ${by.P4 ?? 0}`,
            `KEV ${String(s.kev)}  overdue ${String(s.overdue)}  due within 14 days ${String(s.dueSoon)}`,
            '',
            table((s.top ?? []) as Row[], FINDING_COLS),
          ].join('\n');
        });
      }),
    );

  program
    .command('findings')
    .description('list findings, by priority and due date')
    .option('--asset <name>')
    .option('--status <status>', 'open|resolved|all', 'open')
    .option('--priority <p>', PRIORITIES.join('|'))
    .option('--kev', 'only known exploited')
    .option('--advisory <id>', 'by advisory id or alias')
    .option('--org <id>', 'coordinators: one organisation')
    .option('--limit <n>', 'page size', '100')
    .option('--cursor <c>')
    .action(async (o, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const out = await api.call<{ items: Row[]; nextCursor: string | null }>(
          'GET',
          `/api/v1/findings${qs({
            asset: o.asset,
            status: o.status,
            priority: o.priority,
            kev: o.kev ? 'true' : undefined,
            advisory: o.advisory,
            org: o.org,
            limit: o.limit,
            cursor: o.cursor,
          })}`,
        );
        print(
          !!g.json,
          out,
          () => table(out.items, FINDING_COLS) + (out.nextCursor ? `\nmore: --cursor ${out.nextCursor}` : ''),
        );
      }),
    );

  const vex = program.command('vex').description('VEX statements on findings');
  vex
    .command('set <finding>')
    .description('state VEX for a finding (its organisation only); the previous statement stays in the history')
    .requiredOption('--status <status>', 'affected|not_affected|fixed|under_investigation')
    .option(
      '--justification <j>',
      `for not_affected: OpenVEX (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) or CycloneDX (${CYCLONEDX_JUSTIFICATIONS.join(', ')})`,
    )
    .option('--impact <text>', 'impact statement (why not affected)')
    .option('--action <text>', 'action statement (what to do; required for affected)')
    .action(async (finding: string, o, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const out = await api.call('POST', `/api/v1/findings/${encodeURIComponent(finding)}/vex`, {
          status: o.status,
          ...(o.justification ? { justification: o.justification } : {}),
          ...(o.impact ? { impactStatement: o.impact } : {}),
          ...(o.action ? { actionStatement: o.action } : {}),
        });
        print(
          !!g.json,
          out,
          () =>
            `finding ${finding}: ${String(out.status)}${out.justification ? ` (${String(out.justification)})` : ''}, statement ${String(out.seq)}`,
        );
      }),
    );
  vex
    .command('history <finding>')
    .description("a finding's statements, oldest first")
    .action(async (finding: string, _o, cmd: Command) =>
      withClient(cmd, async (api, g) => {
        const out = await api.call<{ items: Row[] }>('GET', `/api/v1/findings/${encodeURIComponent(finding)}/vex`);
        print(!!g.json, out.items, () =>
          table(out.items, ['seq', 'status', 'justification', 'impactStatement', 'actionStatement', 'createdAt']),
        );
      }),
    );
  vex
    .command('export')
    .description("your organisation's current statements as OpenVEX 0.2.0 or CycloneDX 1.6 VEX")
    .option('--format <format>', 'openvex|cyclonedx', choice(['openvex', 'cyclonedx'], '--format'), 'openvex')
    .option('--asset <name>', "one asset's statements")
    .option('--tlp <tlp>', 'marking of your statements (the document takes the narrowest with its advisories)')
    .option('-o, --output <file>', 'write the document to a file instead of stdout')
    .action(async (o, cmd: Command) =>
      withClient(cmd, async (api) => {
        const res = await api.client.request(
          'GET',
          `/api/v1/exposure/vex${qs({ format: o.format, asset: o.asset, tlp: o.tlp })}`,
        );
        if (res.status >= 400)
          throw new CliError(problemMessage(res.body), res.status === 401 || res.status === 403 ? 3 : 1);
        const text = `${JSON.stringify(res.body, null, 2)}\n`;
        if (o.output) {
          writeFileSync(o.output, text);
          process.stderr.write(`wrote ${o.output} (TLP:${res.headers['clearinghouse-tlp'] ?? '?'})\n`);
        } else process.stdout.write(text);
      }),
    );

  program
    .command('scan <file>')
    .description('match a local SBOM against the advisories you may see, without uploading or storing it')
    .option('--format <format>', 'table|json|sarif', choice(['table', 'json', 'sarif'], '--format'))
    .option(
      '--fail-on <level>',
      'exit 1 when a finding is at or above: a priority (P1..P4) or a CVSS severity (critical|high|medium|low)',
      choice([...PRIORITIES, ...SEVERITIES], '--fail-on'),
    )
    .option('--criticality <level>', 'the asset tags priorities use', choice(CRITICALITIES, '--criticality'), 'medium')
    .option('--internet-facing', 'the asset is reachable from the internet')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (file: string, o, cmd: Command) => {
      const g = cmd.optsWithGlobals<Globals>();
      const format: string = o.format ?? (g.json ? 'json' : 'table');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`${file}: cannot read: ${(e as Error).message}`, 2);
      }
      const parsed = parseSbom(text, { fileName: basename(file) });
      if (!parsed.ok)
        throw new CliError(
          parsed.issues.map((i) => `${file}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'),
          2,
        );
      const components = parsed.value.components.map((c) => ({
        ref: c.ref,
        name: c.name,
        kind: c.kind,
        ...(c.version !== undefined ? { version: c.version } : {}),
        ...(c.purl !== undefined ? { purl: c.purl } : {}),
        ...(c.ecosystem !== undefined ? { ecosystem: c.ecosystem } : {}),
      }));
      const result = await withClient(cmd, (api) =>
        api.call<ScanResult>(
          'POST',
          '/api/v1/exposure/scan',
          { components, criticality: o.criticality, internetFacing: !!o.internetFacing },
          file,
        ),
      );
      let out: string;
      if (format === 'sarif')
        out = JSON.stringify(toSarif(result.findings, { artifactUri: file, toolVersion: toolVersion() }), null, 2);
      else if (format === 'json')
        out = JSON.stringify(
          {
            file,
            format: parsed.value.format,
            specVersion: parsed.value.specVersion,
            components: result.components,
            skipped: result.skipped,
            counts: result.counts,
            findings: result.findings,
          },
          null,
          2,
        );
      else {
        const c = result.counts;
        out =
          `${file}: ${result.components} components (${result.skipped.length} not matchable), ${result.findings.length} findings: ` +
          `P1 ${c.P1}  P2 ${c.P2}  P3 ${c.P3}  P4 ${c.P4}\n\n${table(scanRows(result.findings), SCAN_COLS)}`;
      }
      if (o.output) writeFileSync(o.output, `${out}\n`);
      else process.stdout.write(`${out}\n`);
      if (o.failOn && failsOn(result.findings, o.failOn)) process.exitCode = 1;
    });
}

let version: string | undefined;
function toolVersion(): string {
  if (version) return version;
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
    version = pkg.version ?? '0.0.0';
  } catch {
    version = '0.0.0';
  }
  return version;
}
