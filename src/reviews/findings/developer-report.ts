/**
 * The report to the developer: the shared (and answered) findings of a window, as JSON and as Markdown. It informs
 * the developer before the trusted-partner date; it decides nothing about the model's release.
 */
import type { Tlp } from '../../access/marking.js';
import type { FindingView } from './finding.service.js';

export interface DeveloperReport {
  windowId: string;
  generatedAt: string;
  /** The most restrictive TLP among the findings (the report is handled under it). */
  tlp: Tlp;
  summary: { findings: number; bySeverity: Record<string, number>; byType: Record<string, number> };
  findings: FindingView[];
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdown(r: DeveloperReport): string {
  const out: string[] = [];
  out.push(`**TLP:${r.tlp}**`, '', `# Review findings for window ${r.windowId}`, '');
  out.push(`Generated ${r.generatedAt}. ${r.summary.findings} finding(s).`, '');
  out.push(
    'This report informs the developer about what the reviewers observed. It is not a decision about the release.',
    '',
  );
  if (r.findings.length) {
    out.push('| severity | type | title | reproduced | response |', '| --- | --- | --- | --- | --- |');
    const sorted = [...r.findings].sort(
      (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.id.localeCompare(b.id),
    );
    for (const f of sorted)
      out.push(
        `| ${f.severity} | ${f.type} | ${cell(f.title)} | ${f.reproducibility.k}/${f.reproducibility.n} | ${f.response?.value ?? '—'} |`,
      );
    out.push('');
    for (const f of sorted) {
      out.push(`## ${f.title}`, '');
      out.push(`- id: \`${f.id}\``, `- type: ${f.type}; severity: ${f.severity}; TLP:${f.tlp}`);
      out.push(`- reproduced: ${f.reproducibility.k} of ${f.reproducibility.n}`);
      const ids = [...f.atlasIds, ...f.owaspLlmIds, ...f.cweIds];
      if (ids.length) out.push(`- references: ${ids.join(', ')}`);
      if (f.labels.length) out.push(`- labels: ${f.labels.map((l) => `${l.framework}: ${l.label}`).join('; ')}`);
      out.push(
        `- evidence: ${f.evidence.map((e) => `run \`${e.runId}\`${e.sampleId ? ` sample \`${e.sampleId}\`${e.epoch ? ` epoch ${e.epoch}` : ''}` : ''}`).join(', ')}`,
      );
      if (f.response)
        out.push(`- developer response: ${f.response.value}${f.response.note ? ` — ${f.response.note}` : ''}`);
      out.push('', f.description, '');
    }
  }
  return `${out.join('\n')}\n`;
}
