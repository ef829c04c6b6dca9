/**
 * Inbox signals (pure): each is a value with the reason shown to the coordinator. They order the inbox and never hide
 * a report. The priority is a documented sum (docs/triage.md), not a learned model.
 */
import { extractFeatures, type TriageDoc } from './features.js';

export interface Signal {
  name: 'severity' | 'duplicates' | 'track_record' | 'completeness' | 'generated' | 'validation' | 'exposure';
  value: number;
  /** Contribution to the priority. */
  points: number;
  reason: string;
}

export interface SignalInput {
  doc: TriageDoc;
  severity: { score: number | null; label: string | null };
  duplicates: number;
  trackRecord: { valid: number; judged: number; method: string };
  attachments: number;
  validationState: string;
  /** Text shingles of this report seen in at least `boilerplateMinReports` other reports of the inbox. */
  boilerplateShare: number;
  /**
   * Registered inventories (current SBOMs of all organisations) holding a package the report names, whatever the
   * version: how widely the flaw would land. Absent when the report names no ecosystem package.
   */
  exposure?: { inventories: number; packages: string[] };
}

/** Phrases typical of generated reports without substance (lower-case; a hit is a sign, never a verdict). */
export const FILLER_PHRASES = [
  'as an ai',
  'it is important to note',
  'could potentially',
  'may potentially',
  'potential vulnerability',
  'comprehensive analysis',
  'in conclusion',
  'best practices',
  'it is recommended to',
  'this could lead to',
];

const REPRO = /steps to reproduce|reproduc|proof of concept|\bpoc\b|```|^\s*\d+\.\s|\$ \S+|curl |python3? |import /im;

/** The generated-report signs, each a named feature (documented in docs/triage.md). */
export function generatedSigns(doc: TriageDoc, attachments: number, boilerplateShare: number): string[] {
  const f = extractFeatures(doc);
  const text = `${doc.title}\n${doc.description}`.toLowerCase();
  const signs: string[] = [];
  if (f.paths.length + f.frames.length + f.code.length === 0)
    signs.push('no concrete location (file, function, endpoint or stack frame)');
  if (attachments === 0 && !REPRO.test(doc.description)) signs.push('no reproduction (no steps, code or attachment)');
  if (boilerplateShare >= 0.5)
    signs.push(`boilerplate: ${(boilerplateShare * 100).toFixed(0)}% of its text recurs across other reports`);
  const fillers = FILLER_PHRASES.filter((p) => text.includes(p));
  if (fillers.length >= 2) signs.push(`filler phrases: ${fillers.join(', ')}`);
  const hasVersion = (doc.affected ?? []).some((a) => (a.ranges ?? []).length > 0 || (a.versions ?? []).length > 0);
  if (!hasVersion && !/\b\d+\.\d+(\.\d+)?\b/.test(text)) signs.push('no affected version anywhere');
  return signs;
}

export function completeness(doc: TriageDoc, attachments: number): { present: string[]; missing: string[] } {
  const hasRange = (doc.affected ?? []).some((a) => (a.ranges ?? []).length > 0 || (a.versions ?? []).length > 0);
  const hasPoc = attachments > 0 || REPRO.test(doc.description);
  const hasCwe = (doc.cweIds ?? []).length > 0;
  const present: string[] = [];
  const missing: string[] = [];
  (hasRange ? present : missing).push('affected version range');
  (hasPoc ? present : missing).push('proof of concept or reproduction');
  (hasCwe ? present : missing).push('CWE');
  return { present, missing };
}

export function signals(i: SignalInput): { priority: number; signals: Signal[] } {
  const out: Signal[] = [];
  const sev = i.severity.score;
  out.push({
    name: 'severity',
    value: sev ?? 0,
    points: sev === null ? 2 : sev,
    reason: sev === null ? 'no CVSS score given (counted as 2)' : `CVSS ${sev} (${i.severity.label ?? 'unrated'})`,
  });
  out.push({
    name: 'duplicates',
    value: i.duplicates,
    points: Math.min(6, 2 * Math.log2(1 + i.duplicates)),
    reason: i.duplicates === 0 ? 'no other report in its cluster' : `${i.duplicates} other report(s) in its cluster`,
  });
  const tr = i.trackRecord;
  const share = tr.judged === 0 ? null : tr.valid / tr.judged;
  out.push({
    name: 'track_record',
    value: share ?? -1,
    points: share === null ? 0 : 4 * (share - 0.5),
    reason:
      share === null
        ? `no validated past reports from this reporter (${tr.method})`
        : `${tr.valid} of ${tr.judged} validated past reports from this reporter (${tr.method}) were reproduced`,
  });
  const c = completeness(i.doc, i.attachments);
  out.push({
    name: 'completeness',
    value: c.present.length / 3,
    points: c.present.length,
    reason: `has ${c.present.join(', ') || 'nothing'}${c.missing.length ? `; missing ${c.missing.join(', ')}` : ''}`,
  });
  const g = generatedSigns(i.doc, i.attachments, i.boilerplateShare);
  out.push({
    name: 'generated',
    value: g.length,
    points: -1.5 * g.length,
    reason: g.length === 0 ? 'no sign of a generated report without substance' : g.join('; '),
  });
  if (i.exposure) {
    const n = i.exposure.inventories;
    const names = i.exposure.packages.slice(0, 3).join(', ');
    out.push({
      name: 'exposure',
      value: n,
      points: Math.min(6, 2 * Math.log2(1 + n)),
      reason:
        n === 0
          ? `no registered inventory holds ${names}`
          : `${names} in ${n} registered inventor${n === 1 ? 'y' : 'ies'} (any version)`,
    });
  } else
    out.push({ name: 'exposure', value: 0, points: 0, reason: 'names no ecosystem package to look up in inventories' });
  const vs = i.validationState;
  const vp = vs === 'reproduced' ? 3 : vs === 'could_not_reproduce' ? -2 : vs === 'invalid' ? -10 : 0;
  out.push({ name: 'validation', value: vp, points: vp, reason: `validation state: ${vs}` });
  const priority = Math.round(out.reduce((s, x) => s + x.points, 0) * 100) / 100;
  return { priority, signals: out };
}
