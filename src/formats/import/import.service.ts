/**
 * Import use cases: records of a standard format become advisories (created / updated / unchanged by source key and
 * `modified`), a KEV catalogue becomes KEV facts on every advisory with the CVE alias. Valid records are written in
 * batches, one transaction each, with the stored state and KEV facts of the whole batch read in two queries; if a
 * batch fails to write, its records are retried one per transaction so that a record the database refuses is rejected
 * alone and no batch is ever half-written.
 */
import { clearMarking, type Marking, type Tlp } from '../../access/marking.js';
import type { AuditActor } from '../../audit/audit.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { inTx, type Q } from '../../db/tx.js';
import { actorOf, type Caller, requireCoordinator } from '../../participants/principal.js';
import type { AdvisoryService, ImportOutcome } from '../../vulnerabilities/advisory.service.js';
import type { Issue } from '../common/result.js';
import { decodeKev, toKevFacts } from '../kev/index.js';
import { cveAliases, decodeRecord, type ImportFormat, type ImportItem } from './decode.js';
import { isUnchanged, storedStates } from './import.repository.js';
import { kevFor, kevForMany, upsertKev } from './kev.repository.js';

/** One record handed to the importer: its place in the input (file, line, zip entry) and its parsed value. */
export interface InputRecord {
  ref: string;
  value?: unknown;
  /** Set instead of `value` when the reader could not even parse the record (bad JSON line, bad zip entry). */
  issues?: Issue[];
}

export interface Rejected {
  ref: string;
  issues: Issue[];
}

export interface ImportSummary {
  format: ImportFormat;
  records: number;
  created: number;
  updated: number;
  unchanged: number;
  rejectedCount: number;
  /** Up to MAX_LISTED rejected records with every reason. */
  rejected: Rejected[];
  warningCount: number;
  warnings: { ref: string; messages: string[] }[];
  /** KEV only: advisories whose KEV facts were set or changed. */
  advisoriesFlagged?: number;
}

export const BATCH_SIZE = 500;
const MAX_LISTED = 1000;

export function emptySummary(format: ImportFormat): ImportSummary {
  return {
    format,
    records: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejectedCount: 0,
    rejected: [],
    warningCount: 0,
    warnings: [],
  };
}

/** Add b's counts and lists into a (the CLI sums the answers of its batches this way). */
export function mergeSummary(a: ImportSummary, b: ImportSummary): ImportSummary {
  a.records += b.records;
  a.created += b.created;
  a.updated += b.updated;
  a.unchanged += b.unchanged;
  a.rejectedCount += b.rejectedCount;
  a.warningCount += b.warningCount;
  for (const r of b.rejected) if (a.rejected.length < MAX_LISTED) a.rejected.push(r);
  for (const w of b.warnings) if (a.warnings.length < MAX_LISTED) a.warnings.push(w);
  if (b.advisoriesFlagged !== undefined) a.advisoriesFlagged = (a.advisoriesFlagged ?? 0) + b.advisoriesFlagged;
  return a;
}

export function reject(s: ImportSummary, ref: string, issues: Issue[]): void {
  s.rejectedCount++;
  if (s.rejected.length < MAX_LISTED) s.rejected.push({ ref, issues });
}

function warn(s: ImportSummary, ref: string, messages: string[]): void {
  if (messages.length === 0) return;
  s.warningCount++;
  if (s.warnings.length < MAX_LISTED) s.warnings.push({ ref, messages });
}

/** What the importer states about the data set (e.g. its licence when the records do not carry one). */
export interface SourceOverride {
  name?: string;
  url?: string;
  licence?: string;
}

/** The record's own attribution with the stated fields filled in where the record has none (its own win). */
function withSource(item: ImportItem, o: SourceOverride | undefined): ImportItem {
  if (!o || Object.keys(o).length === 0) return item;
  const own = item.value.source;
  const source = {
    name: own?.name ?? o.name ?? 'unknown',
    ...(own?.url || o.url ? { url: own?.url ?? o.url } : {}),
    ...(own?.licence || o.licence ? { licence: own?.licence ?? o.licence } : {}),
    ...(own?.upstreamId ? { upstreamId: own.upstreamId } : {}),
  };
  return { ...item, value: { ...item.value, source } };
}

interface Pending extends ImportItem {
  ref: string;
}

export class ImportService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly advisories: AdvisoryService,
    private readonly clock: () => Date,
  ) {}

  /** Import records of one format (coordinators). Streams: records are consumed as they come, BATCH_SIZE at a time. */
  async importRecords(
    caller: Caller,
    format: ImportFormat,
    records: AsyncIterable<InputRecord> | Iterable<InputRecord>,
    onProgress?: (done: number) => void,
    sourceOverride?: SourceOverride,
  ): Promise<ImportSummary> {
    const p = requireCoordinator(caller);
    const actor = actorOf(p);
    const summary = emptySummary(format);
    const marking = (tlp: Tlp | null): Marking =>
      clearMarking(p.viewer.orgId, { authorMemberId: p.viewer.memberId ?? null, tlp: tlp ?? 'CLEAR' });
    let pending: Pending[] = [];
    const flush = async () => {
      if (pending.length > 0) await this.writeBatch(actor, pending, marking, summary);
      pending = [];
    };
    for await (const rec of records) {
      summary.records++;
      if (rec.issues || rec.value === undefined)
        reject(summary, rec.ref, rec.issues ?? [{ path: '', message: 'empty' }]);
      else if (format === 'kev') await this.importKev(actor, rec, summary);
      else {
        const d = decodeRecord(format, rec.value);
        if (!d.ok) reject(summary, rec.ref, d.issues);
        else {
          warn(summary, rec.ref, d.warnings);
          for (const item of d.items) pending.push({ ...withSource(item, sourceOverride), ref: rec.ref });
          if (pending.length >= BATCH_SIZE) await flush();
        }
      }
      onProgress?.(summary.records);
    }
    await flush();
    await inTx(this.db, (tx) =>
      this.audit.record(tx, {
        actor,
        action: 'import.run',
        objectType: 'import',
        objectId: format,
        details: {
          records: summary.records,
          created: summary.created,
          updated: summary.updated,
          unchanged: summary.unchanged,
          rejected: summary.rejectedCount,
        },
      }),
    );
    return summary;
  }

  private async writeOne(tx: Q, actor: AuditActor, item: Pending, marking: (t: Tlp | null) => Marking) {
    const kev = await kevFor(tx, cveAliases(item.value));
    const value = kev ? { ...item.value, kev } : item.value;
    return this.advisories.importDocument(tx, actor, item.sourceKey, value, marking(item.marking));
  }

  /**
   * A whole batch in the caller's transaction with two reads up front instead of two per record: the stored state of
   * every source key (records stored in the same version are unchanged and not handed on) and the KEV facts of every
   * CVE alias. A source key that occurs twice in the batch always goes through importDocument (the first may change
   * what the second finds).
   */
  private async writeItems(
    tx: Q,
    actor: AuditActor,
    items: Pending[],
    marking: (t: Tlp | null) => Marking,
  ): Promise<ImportOutcome[]> {
    const seen = new Map<string, number>();
    for (const item of items) seen.set(item.sourceKey, (seen.get(item.sourceKey) ?? 0) + 1);
    const stored = await storedStates(tx, [...seen.keys()]);
    const skip = items.map(
      (item) => seen.get(item.sourceKey) === 1 && isUnchanged(stored.get(item.sourceKey), item.value),
    );
    const todo = items.filter((_, i) => !skip[i]);
    const kev = await kevForMany(
      tx,
      todo.map((item) => cveAliases(item.value)),
    );
    const outcomes: ImportOutcome[] = [];
    let k = 0;
    for (let i = 0; i < items.length; i++) {
      if (skip[i]) {
        outcomes.push('unchanged');
        continue;
      }
      const item = items[i]!;
      const facts = kev[k++];
      const value = facts ? { ...item.value, kev: facts } : item.value;
      const o = await this.advisories.importDocument(tx, actor, item.sourceKey, value, marking(item.marking));
      outcomes.push(o.outcome);
    }
    return outcomes;
  }

  private async writeBatch(
    actor: AuditActor,
    items: Pending[],
    marking: (t: Tlp | null) => Marking,
    summary: ImportSummary,
  ): Promise<void> {
    try {
      const outcomes = await inTx(this.db, (tx) => this.writeItems(tx, actor, items, marking));
      for (const o of outcomes) summary[o]++;
    } catch {
      // One record the database refused: write each alone so that only that one is rejected.
      for (const item of items) {
        try {
          const o = await inTx(this.db, (tx) => this.writeOne(tx, actor, item, marking));
          summary[o.outcome]++;
        } catch (e) {
          reject(summary, item.ref, [{ path: '', message: `not stored: ${(e as Error).message}` }]);
        }
      }
    }
  }

  /** A KEV catalogue: its entries stored (so later imports get them) and set on every advisory with the CVE alias. */
  private async importKev(actor: AuditActor, rec: InputRecord, summary: ImportSummary): Promise<void> {
    const d = decodeKev(rec.value);
    if (!d.ok) return reject(summary, rec.ref, d.issues);
    warn(summary, rec.ref, d.warnings);
    summary.records += d.value.entries.length - 1;
    const at = this.clock().toISOString();
    summary.advisoriesFlagged ??= 0;
    for (let i = 0; i < d.value.entries.length; i += BATCH_SIZE) {
      const batch = d.value.entries.slice(i, i + BATCH_SIZE);
      await inTx(this.db, async (tx) => {
        for (const e of batch) {
          const facts = toKevFacts(e);
          summary[await upsertKev(tx, facts, at)]++;
          summary.advisoriesFlagged! += (await this.advisories.applyKev(tx, actor, facts)).length;
        }
      });
    }
  }
}
