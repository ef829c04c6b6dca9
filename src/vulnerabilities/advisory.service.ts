/** Advisories: published from a case (or imported), versioned, withdrawable, searchable through the access rule. */

import type { Marking, Tlp } from '../access/marking.js';
import { insertMarking, loadMarkings } from '../access/marking.repository.js';
import { isSensitive } from '../access/rule.js';
import type { AuditActor } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connect.js';
import { inTx, type Q } from '../db/tx.js';
import { AppError, type FieldIssue } from '../errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/paging.js';
import { resolveMarking } from '../participants/participants.service.js';
import { actorOf, type Caller, requireCoordinator, viewerOf } from '../participants/principal.js';
import type { AdvisoryDoc, Credit, CvssScore, KevFacts } from './advisory.model.js';
import * as repo from './advisory.repository.js';
import type { AdvisoryListQuery, AdvisoryPublishInput, AdvisoryUpdateInput } from './advisory.schema.js';
import { checkTaxonomyIds, type ReferenceChecks } from './checks.js';
import { type MarkingView, presentMarking } from './marking.view.js';
import { decideSsvc } from './rules/ssvc.js';
import { packageFromPurl, writeTerms } from './terms.js';

export interface Advisory extends AdvisoryDoc {
  marking: MarkingView;
}

export type ImportOutcome = 'created' | 'updated' | 'unchanged';

/**
 * What happened to an advisory. `marking` is a change of who may see it (an embargo ended early or moved) with the
 * document itself unchanged.
 */
export interface AdvisoryChange {
  kind: 'created' | 'updated' | 'withdrawn' | 'marking';
  advisory: AdvisoryDoc;
}

/**
 * Called inside the transaction that changed the advisory, after the change is written, so that what listeners write
 * (findings, feed versions, outbox events) commits or rolls back with it. A listener that throws aborts the change.
 */
export type AdvisoryListener = (tx: Q, change: AdvisoryChange) => Promise<void>;

export class AdvisoryService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly checks: ReferenceChecks,
    private readonly clock: () => Date,
  ) {}

  private readonly listeners: AdvisoryListener[] = [];

  /** Subscribe to every advisory write (publish, update, withdraw, import, KEV, marking); see AdvisoryListener. */
  onChange(listener: AdvisoryListener): void {
    this.listeners.push(listener);
  }

  private async emit(tx: Q, kind: AdvisoryChange['kind'], advisory: AdvisoryDoc): Promise<void> {
    for (const l of this.listeners) await l(tx, { kind, advisory });
  }

  /** The case service tells us when it moved an advisory's embargo (same transaction). */
  async markingChanged(tx: Q, id: string): Promise<void> {
    if (this.listeners.length === 0) return;
    const doc = await repo.findById(tx, id);
    if (doc) await this.emit(tx, 'marking', doc);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private validate(input: Partial<AdvisoryPublishInput>): FieldIssue[] {
    const issues = checkTaxonomyIds(this.checks, {
      cweIds: input.cweIds ?? [],
      atlasIds: input.atlasIds ?? [],
      owaspLlmIds: input.owaspLlmIds ?? [],
    });
    if (input.cvssVector) {
      const c = this.checks.parseCvss(input.cvssVector);
      if (!c.ok) issues.push({ path: 'cvssVector', message: c.message });
    }
    (input.affected ?? []).forEach((a, i) => {
      if (a.package.purl && !packageFromPurl(a.package.purl))
        issues.push({ path: `affected.${i}.package.purl`, message: `not a valid package URL: ${a.package.purl}` });
    });
    return issues;
  }

  private cvssOf(vector: string | undefined): CvssScore[] {
    if (!vector) return [];
    const c = this.checks.parseCvss(vector);
    return c.ok ? [c.value] : [];
  }

  /** A new id CH-YYYY-NNNN (per-year counter, in the caller's transaction). */
  async nextId(q: Q): Promise<string> {
    const year = this.clock().getUTCFullYear();
    const n = await repo.nextNumber(q, `advisory-${year}`);
    return `CH-${year}-${String(n).padStart(4, '0')}`;
  }

  /**
   * Publish (coordinators). From a case, `extraCredits` carries every reporter of the case's reports, and the case's
   * participants become the advisory's embargo parties.
   */
  async publish(
    caller: Caller,
    input: AdvisoryPublishInput,
    fromCase?: { caseId: string; credits: Credit[]; embargoOrgIds: string[]; tx: Q },
  ): Promise<Advisory> {
    const p = requireCoordinator(caller);
    const issues = this.validate(input);
    if (issues.length > 0) throw AppError.validation(issues);
    const run = async (tx: Q) => {
      const marking = await resolveMarking(tx, p, input.marking, 'marking', {
        embargoOrgIds: fromCase?.embargoOrgIds ?? [],
      });
      const at = this.now();
      const credits = [...input.credits];
      for (const c of fromCase?.credits ?? []) if (!credits.some((x) => x.name === c.name)) credits.push(c);
      const doc: AdvisoryDoc = {
        id: await this.nextId(tx),
        aliases: [...new Set(input.aliases)],
        related: [],
        summary: input.summary,
        details: input.details,
        affected: input.affected,
        cvss: this.cvssOf(input.cvssVector),
        ssvc: input.ssvc ? decideSsvc(input.ssvc, this.clock()) : null,
        kev: null,
        cweIds: input.cweIds,
        atlasIds: input.atlasIds,
        owaspLlmIds: input.owaspLlmIds,
        references: input.references,
        credits,
        remediation: input.remediation ?? null,
        published: at,
        modified: at,
        withdrawn: null,
        version: 1,
        source: null,
        caseId: fromCase?.caseId ?? input.caseId ?? null,
      };
      await this.store(tx, doc, marking, null);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'advisory.publish',
        objectType: 'advisory',
        objectId: doc.id,
        details: { tlp: marking.tlp, caseId: doc.caseId, ssvc: doc.ssvc?.decision ?? null },
      });
      await this.emit(tx, 'created', doc);
      return { ...doc, marking: presentMarking(caller, marking) };
    };
    return fromCase ? run(fromCase.tx) : inTx(this.db, run);
  }

  private async store(tx: Q, doc: AdvisoryDoc, marking: Marking, sourceKey: string | null): Promise<void> {
    await repo.insertAdvisory(tx, doc, sourceKey);
    await insertMarking(tx, doc.id, 'advisory', marking);
    await writeTerms(tx, doc.id, { ...doc, affected: doc.affected.map((a) => ({ package: a.package })) });
  }

  async update(caller: Caller, id: string, patch: AdvisoryUpdateInput): Promise<Advisory> {
    const p = requireCoordinator(caller);
    const issues = this.validate({ ...patch, affected: patch.affected });
    if (issues.length > 0) throw AppError.validation(issues);
    return inTx(this.db, async (tx) => {
      const current = await repo.findById(tx, id);
      if (!current) throw AppError.notFound('advisory', id);
      if (current.withdrawn) throw new AppError('conflict', `advisory ${id} is withdrawn`);
      const { cvssVector, ssvc, ...rest } = patch;
      const doc: AdvisoryDoc = {
        ...current,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        ...(cvssVector ? { cvss: this.cvssOf(cvssVector) } : {}),
        ...(ssvc ? { ssvc: decideSsvc(ssvc, this.clock()) } : {}),
        modified: this.now(),
        version: current.version + 1,
      };
      await repo.updateAdvisory(tx, doc);
      await writeTerms(tx, doc.id, { ...doc, affected: doc.affected.map((a) => ({ package: a.package })) });
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'advisory.update',
        objectType: 'advisory',
        objectId: id,
        details: { version: doc.version, fields: Object.keys(patch) },
      });
      await this.emit(tx, 'updated', doc);
      return this.present(tx, caller, doc);
    });
  }

  async withdraw(caller: Caller, id: string, reason: string): Promise<Advisory> {
    const p = requireCoordinator(caller);
    return inTx(this.db, async (tx) => {
      const current = await repo.findById(tx, id);
      if (!current) throw AppError.notFound('advisory', id);
      if (current.withdrawn) return this.present(tx, caller, current);
      const at = this.now();
      const doc: AdvisoryDoc = { ...current, withdrawn: at, modified: at, version: current.version + 1 };
      await repo.updateAdvisory(tx, doc);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'advisory.withdraw',
        objectType: 'advisory',
        objectId: id,
        details: { reason },
      });
      await this.emit(tx, 'withdrawn', doc);
      return this.present(tx, caller, doc);
    });
  }

  /**
   * Importers: create or update by the record's source key (e.g. "osv:PYSEC-2021-1"); unchanged when `modified` is
   * the same. Runs in the caller's transaction; the id is kept across updates.
   */
  async importDocument(
    tx: Q,
    actor: AuditActor,
    sourceKey: string,
    value: Omit<AdvisoryDoc, 'id' | 'version' | 'caseId'>,
    marking: Marking,
  ): Promise<{ id: string; outcome: ImportOutcome }> {
    const current = await repo.findBySourceKey(tx, sourceKey);
    if (current && current.modified === value.modified && (current.withdrawn ?? null) === (value.withdrawn ?? null))
      return { id: current.id, outcome: 'unchanged' };
    if (current) {
      const doc: AdvisoryDoc = { ...current, ...value, id: current.id, version: current.version + 1 };
      await repo.updateAdvisory(tx, doc);
      await writeTerms(tx, doc.id, { ...doc, affected: doc.affected.map((a) => ({ package: a.package })) });
      await this.audit.record(tx, {
        actor,
        action: 'advisory.import_update',
        objectType: 'advisory',
        objectId: doc.id,
        details: { sourceKey },
      });
      await this.emit(tx, doc.withdrawn && !current.withdrawn ? 'withdrawn' : 'updated', doc);
      return { id: doc.id, outcome: 'updated' };
    }
    const doc: AdvisoryDoc = { ...value, id: await this.nextId(tx), version: 1, caseId: null };
    await this.store(tx, doc, marking, sourceKey);
    await this.audit.record(tx, {
      actor,
      action: 'advisory.import_create',
      objectType: 'advisory',
      objectId: doc.id,
      details: { sourceKey },
    });
    await this.emit(tx, 'created', doc);
    return { id: doc.id, outcome: 'created' };
  }

  /**
   * Importers (KEV): set the KEV facts on every advisory with the CVE alias, in the caller's transaction. A new
   * version is kept, `modified` is left alone (it is the source's date, which importers compare). Returns the ids
   * that changed.
   */
  async applyKev(tx: Q, actor: AuditActor, facts: KevFacts): Promise<string[]> {
    const changed: string[] = [];
    for (const current of await repo.findByAlias(tx, facts.cveId)) {
      if (JSON.stringify(current.kev) === JSON.stringify(facts)) continue;
      const doc: AdvisoryDoc = { ...current, kev: facts, version: current.version + 1 };
      await repo.updateAdvisory(tx, doc);
      await this.audit.record(tx, {
        actor,
        action: 'advisory.kev',
        objectType: 'advisory',
        objectId: doc.id,
        details: { cveId: facts.cveId, dateAdded: facts.dateAdded },
      });
      await this.emit(tx, 'updated', doc);
      changed.push(doc.id);
    }
    return changed;
  }

  private async present(q: Q, caller: Caller, doc: AdvisoryDoc): Promise<Advisory> {
    const m = (await loadMarkings(q, [doc.id])).get(doc.id)!;
    return { ...doc, marking: presentMarking(caller, m) };
  }

  async get(caller: Caller, id: string): Promise<Advisory> {
    return inTx(this.db, async (tx) => {
      const found = await repo.findVisible(tx, viewerOf(caller), this.now(), id);
      if (!found) throw AppError.notFound('advisory', id);
      if (isSensitive({ tlp: found.tlp as Tlp }))
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'advisory.read',
          objectType: 'advisory',
          objectId: id,
          details: { tlp: found.tlp },
        });
      return this.present(tx, caller, found.doc);
    });
  }

  async versions(caller: Caller, id: string): Promise<AdvisoryDoc[]> {
    await this.get(caller, id);
    return repo.versions(this.db.kysely, id);
  }

  async list(caller: Caller, f: AdvisoryListQuery): Promise<Page<Advisory>> {
    const after = decodeCursor(f.cursor) as [string, string] | undefined;
    return inTx(this.db, async (tx) => {
      const rows = await repo.listVisible(tx, viewerOf(caller), this.now(), f, after);
      const page = rows.slice(0, f.limit);
      const markings = await loadMarkings(
        tx,
        page.map((r) => r.doc.id),
      );
      await this.audit.recordSensitiveList(
        tx,
        actorOf(caller),
        'advisory',
        page.map((r) => ({ id: r.doc.id, tlp: r.tlp })),
      );
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({ ...r.doc, marking: presentMarking(caller, markings.get(r.doc.id)!) })),
        nextCursor: rows.length > f.limit && last ? encodeCursor([last.doc.modified, last.doc.id]) : null,
      };
    });
  }

  async exportFor(q: Q, orgId: string): Promise<Record<string, unknown[]>> {
    const docs = await repo.listByOwner(q, orgId);
    const markings = await loadMarkings(
      q,
      docs.map((d) => d.id),
    );
    return { advisories: docs.map((d) => ({ ...d, marking: markings.get(d.id) })) };
  }
}
