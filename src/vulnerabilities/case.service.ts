/**
 * Cases: coordinated disclosure on Vultron's report-management, embargo-management and case-state machines. A case
 * is visible to its owner (the coordinators), its participants (its marking's recipients and embargo parties), and no
 * one else; each change is a timeline event and an audit entry in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Tlp } from '../access/marking.js';
import { insertMarking, loadMarkings, replaceMarking } from '../access/marking.repository.js';
import { isSensitive } from '../access/rule.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connect.js';
import { inTx, type Q } from '../db/tx.js';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/paging.js';
import {
  actorOf,
  type Caller,
  type Principal,
  requireCoordinator,
  requireScope,
  viewerOf,
} from '../participants/principal.js';
import type { AdvisoryPublishInput } from './advisory.schema.js';
import type { Advisory, AdvisoryService } from './advisory.service.js';
import type { CaseRow, ParticipantRow } from './case.repository.js';
import * as repo from './case.repository.js';
import type { EmbargoAction, ParticipantStatus } from './case.schema.js';
import type { ReportService } from './report.service.js';
import {
  acceptEmbargo,
  evaluateEmbargo,
  formatInZone,
  isEmbargoed,
  isKnownTimeZone,
  newEmbargo,
  proposeEmbargo,
  recordConsent,
  rejectEmbargo,
  terminateEmbargo,
} from './rules/embargo.js';
import {
  applyCaseFactWithImplied,
  CASE_STATE_INITIAL,
  type CaseFact,
  type RmState,
  transitionRm,
} from './rules/vultron.js';

export interface CaseParticipant extends ParticipantRow {
  /** no_response_by_deadline once a deadline passes without an answer; distinct from unknown. */
  effectiveStatus: string;
  embargoEndsLocal: string | null;
}

export interface CaseView extends CaseRow {
  tlp: Tlp;
  embargoInForce: boolean;
  reports: { reportId: string; relation: string; addedAt: string; visible: boolean }[];
  participants: CaseParticipant[];
  timeline: Awaited<ReturnType<typeof repo.eventsOf>>;
  validations: Awaited<ReturnType<typeof repo.validationsOf>>;
}

const AWAITING = new Set(['not_contacted', 'contact_attempted', 'open', 'unknown']);

export class CaseService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly reports: ReportService,
    private readonly advisories: AdvisoryService,
    private readonly clock: () => Date,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  async open(
    caller: Caller,
    input: {
      title: string;
      reportIds: string[];
      participants: { orgId: string; role: string; timeZone?: string; statusDeadline?: string }[];
      tlp: Tlp;
    },
  ): Promise<CaseView> {
    const p = requireCoordinator(caller);
    const id = await inTx(this.db, async (tx) => {
      const at = this.now();
      const records = [];
      for (const [i, rid] of input.reportIds.entries()) {
        const r = await this.reports.visibleRecord(tx, caller, rid);
        if (!r) throw AppError.validation([{ path: `reportIds.${i}`, message: `no report ${rid} that you may see` }]);
        if (r.caseId)
          throw AppError.validation([
            { path: `reportIds.${i}`, message: `report ${rid} is already in case ${r.caseId}` },
          ]);
        records.push(r);
      }
      const row: CaseRow = {
        id: randomUUID(),
        title: input.title,
        rmState: transitionRm('start', 'received'),
        caseState: CASE_STATE_INITIAL,
        embargo: newEmbargo(),
        createdAt: at,
        updatedAt: at,
      };
      await repo.insertCase(tx, row);
      const participants: ParticipantRow[] = [];
      const add = (x: { orgId: string; role: string; timeZone?: string; statusDeadline?: string }) => {
        if (x.timeZone && !isKnownTimeZone(x.timeZone))
          throw AppError.validation([{ path: 'participants.timeZone', message: `unknown IANA zone ${x.timeZone}` }]);
        if (!participants.some((q) => q.orgId === x.orgId))
          participants.push({
            orgId: x.orgId,
            role: x.role,
            status: x.role === 'reporter' ? 'completed' : 'not_contacted',
            statusDeadline: x.statusDeadline ? new Date(x.statusDeadline).toISOString() : null,
            statement: null,
            timeZone: x.timeZone ?? null,
            updatedAt: at,
          });
      };
      input.participants.forEach(add);
      for (const r of records) add({ orgId: r.submitterOrgId, role: 'reporter' });
      for (const part of participants) await repo.upsertParticipant(tx, row.id, part);
      for (const [i, r] of records.entries())
        await repo.addReport(tx, row.id, r.id, i === 0 ? 'primary' : 'duplicate', at);
      await this.reports.setCase(
        tx,
        records.map((r) => r.id),
        row.id,
      );
      const orgIds = participants.map((x) => x.orgId);
      await insertMarking(tx, row.id, 'case', {
        ownerOrgId: p.viewer.orgId,
        authorMemberId: p.viewer.memberId,
        tlp: input.tlp,
        sharingGroupId: null,
        embargoUntil: null,
        sharedOrgIds: orgIds,
        namedMemberIds: [],
        embargoOrgIds: orgIds,
      });
      await this.event(tx, p, row.id, 'case.open', { reportIds: input.reportIds, participants: orgIds });
      return row.id;
    });
    return this.get(caller, id);
  }

  private async event(tx: Q, p: Principal, caseId: string, action: string, details: Record<string, unknown>) {
    await repo.addEvent(tx, caseId, this.now(), p.viewer.memberId, action, details);
    await this.audit.record(tx, { actor: actorOf(p), action, objectType: 'case', objectId: caseId, details });
  }

  /** Load a case the caller may see, or 404. */
  private async load(tx: Q, caller: Caller, id: string) {
    const found = await repo.findVisible(tx, viewerOf(caller), this.now(), id);
    if (!found) throw AppError.notFound('case', id);
    return found;
  }

  private async participantOrCoordinator(tx: Q, caller: Caller, caseId: string): Promise<Principal> {
    const p = requireScope(caller, 'write');
    if (p.viewer.orgKind === 'coordinator') return p;
    const parts = await repo.participantsOf(tx, caseId);
    if (!parts.some((x) => x.orgId === p.viewer.orgId))
      throw new AppError('forbidden', 'only coordinators and the case participants may do this');
    return p;
  }

  /** Keep the case's marking in step with its participants and embargo. */
  private async syncMarking(tx: Q, row: CaseRow): Promise<void> {
    const current = (await loadMarkings(tx, [row.id])).get(row.id)!;
    const orgIds = (await repo.participantsOf(tx, row.id)).map((x) => x.orgId);
    const embargoUntil = isEmbargoed(row.embargo, this.clock()) ? row.embargo.endsAt : null;
    await replaceMarking(tx, row.id, { ...current, sharedOrgIds: orgIds, embargoOrgIds: orgIds, embargoUntil });
    // Advisories published from the case while it was under embargo follow it: when the embargo ends early (public,
    // exploited, terminated) or moves, so does theirs.
    const advisoryIds = (await tx.selectFrom('advisories').select('id').where('case_id', '=', row.id).execute()).map(
      (a) => a.id,
    );
    const now = this.now();
    for (const [advisoryId, m] of await loadMarkings(tx, advisoryIds))
      if (m.embargoUntil && m.embargoUntil > now && m.embargoUntil !== embargoUntil) {
        await replaceMarking(tx, advisoryId, { ...m, embargoUntil, embargoOrgIds: orgIds });
        await this.advisories.markingChanged(tx, advisoryId);
      }
  }

  private async mutate(
    caller: Caller,
    id: string,
    authorise: (tx: Q) => Promise<Principal>,
    change: (
      tx: Q,
      row: CaseRow,
      p: Principal,
    ) => Promise<{ row: CaseRow; action: string; details: Record<string, unknown> }>,
  ): Promise<CaseView> {
    await inTx(this.db, async (tx) => {
      const { row } = await this.load(tx, caller, id);
      const p = await authorise(tx);
      const out = await change(tx, row, p);
      const next = {
        ...out.row,
        embargo: evaluateEmbargo(out.row.embargo, out.row.caseState, this.clock()),
        updatedAt: this.now(),
      };
      await repo.saveCase(tx, next);
      await this.syncMarking(tx, next);
      await this.event(tx, p, id, out.action, out.details);
      if (next.embargo.state !== out.row.embargo.state)
        await this.event(tx, p, id, 'case.embargo_exit', { reason: next.embargo.exitReason });
    });
    return this.get(caller, id);
  }

  async transitionRm(caller: Caller, id: string, to: RmState, reason?: string): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      async () => requireCoordinator(caller),
      async (_tx, row) => ({
        row: { ...row, rmState: transitionRm(row.rmState, to) },
        action: 'case.rm_transition',
        details: { from: row.rmState, to, reason: reason ?? null },
      }),
    );
  }

  async setFact(caller: Caller, id: string, fact: CaseFact): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      (tx) => this.participantOrCoordinator(tx, caller, id),
      async (_tx, row) => {
        const { state, applied } = applyCaseFactWithImplied(row.caseState, fact);
        return { row: { ...row, caseState: state }, action: 'case.fact', details: { fact, applied, state } };
      },
    );
  }

  async attachReport(caller: Caller, id: string, reportId: string): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      async () => requireCoordinator(caller),
      async (tx, row) => {
        const r = await this.reports.visibleRecord(tx, caller, reportId);
        if (!r) throw AppError.validation([{ path: 'reportId', message: `no report ${reportId} that you may see` }]);
        if (r.caseId) throw new AppError('conflict', `report ${reportId} is already in case ${r.caseId}`);
        await repo.addReport(tx, id, reportId, 'duplicate', this.now());
        await this.reports.setCase(tx, [reportId], id);
        const parts = await repo.participantsOf(tx, id);
        if (!parts.some((x) => x.orgId === r.submitterOrgId))
          await repo.upsertParticipant(tx, id, {
            orgId: r.submitterOrgId,
            role: 'reporter',
            status: 'completed',
            statusDeadline: null,
            statement: null,
            timeZone: null,
            updatedAt: this.now(),
          });
        return { row, action: 'case.attach_duplicate', details: { reportId, reporterOrgId: r.submitterOrgId } };
      },
    );
  }

  async addParticipant(
    caller: Caller,
    id: string,
    input: { orgId: string; role: string; timeZone?: string; statusDeadline?: string },
  ): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      async () => requireCoordinator(caller),
      async (tx, row) => {
        if (input.timeZone && !isKnownTimeZone(input.timeZone))
          throw AppError.validation([{ path: 'timeZone', message: `unknown IANA zone ${input.timeZone}` }]);
        const exists = await tx
          .selectFrom('organisations')
          .select('id')
          .where('id', '=', input.orgId)
          .executeTakeFirst();
        if (!exists) throw AppError.validation([{ path: 'orgId', message: `unknown organisation ${input.orgId}` }]);
        await repo.upsertParticipant(tx, id, {
          orgId: input.orgId,
          role: input.role,
          status: 'not_contacted',
          statusDeadline: input.statusDeadline ? new Date(input.statusDeadline).toISOString() : null,
          statement: null,
          timeZone: input.timeZone ?? null,
          updatedAt: this.now(),
        });
        return { row, action: 'case.add_participant', details: { orgId: input.orgId, role: input.role } };
      },
    );
  }

  /** A participant states its own status; coordinators may set anyone's. */
  async setParticipantStatus(
    caller: Caller,
    id: string,
    orgId: string,
    input: { status: ParticipantStatus; statement?: string; statusDeadline?: string | null },
  ): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      (tx) => this.participantOrCoordinator(tx, caller, id),
      async (tx, row, p) => {
        if (p.viewer.orgKind !== 'coordinator' && p.viewer.orgId !== orgId)
          throw new AppError('forbidden', 'a participant states only its own status');
        const part = (await repo.participantsOf(tx, id)).find((x) => x.orgId === orgId);
        if (!part) throw AppError.notFound('case participant', orgId);
        await repo.upsertParticipant(tx, id, {
          ...part,
          status: input.status,
          statement: input.statement ?? part.statement,
          statusDeadline:
            input.statusDeadline === undefined
              ? part.statusDeadline
              : input.statusDeadline && new Date(input.statusDeadline).toISOString(),
          updatedAt: this.now(),
        });
        return { row, action: 'case.participant_status', details: { orgId, from: part.status, to: input.status } };
      },
    );
  }

  async embargo(caller: Caller, id: string, action: EmbargoAction): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      (tx) => this.participantOrCoordinator(tx, caller, id),
      async (tx, row, p) => {
        const now = this.clock();
        const org = p.viewer.orgId;
        let embargo = row.embargo;
        switch (action.action) {
          case 'propose': {
            const participants = (await repo.participantsOf(tx, id)).map((x) => x.orgId);
            embargo = proposeEmbargo(
              embargo,
              {
                endsAt: action.endsAt,
                byOrgId: org,
                participants,
                reason: action.reason,
                rsvpBy: action.rsvpBy,
                caseState: row.caseState,
              },
              now,
            );
            break;
          }
          case 'consent':
          case 'decline':
            embargo = recordConsent(embargo, org, action.action === 'consent' ? 'consented' : 'declined', now);
            break;
          case 'accept':
            requireCoordinator(caller);
            embargo = acceptEmbargo(embargo, org, now);
            break;
          case 'reject':
            requireCoordinator(caller);
            embargo = rejectEmbargo(embargo, org, now, action.reason);
            break;
          case 'terminate':
            requireCoordinator(caller);
            embargo = terminateEmbargo(embargo, org, action.reason, now);
            break;
        }
        return {
          row: { ...row, embargo },
          action: `case.embargo_${action.action}`,
          details: { ...action, state: embargo.state },
        };
      },
    );
  }

  async postMessage(caller: Caller, id: string, input: { product: string; body: string }) {
    return inTx(this.db, async (tx) => {
      await this.load(tx, caller, id);
      const p = await this.participantOrCoordinator(tx, caller, id);
      const msg = {
        id: randomUUID(),
        caseId: id,
        product: input.product,
        authorMemberId: p.viewer.memberId,
        authorOrgId: p.viewer.orgId,
        body: input.body,
        at: this.now(),
      };
      await repo.addMessage(tx, msg);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'case.message',
        objectType: 'case',
        objectId: id,
        details: { messageId: msg.id, product: msg.product },
      });
      return msg;
    });
  }

  async messages(caller: Caller, id: string) {
    return inTx(this.db, async (tx) => {
      const { tlp } = await this.load(tx, caller, id);
      if (isSensitive({ tlp: tlp as Tlp }))
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'case.read_messages',
          objectType: 'case',
          objectId: id,
          details: { tlp },
        });
      const all = await repo.messagesOf(tx, id);
      const threads: Record<string, typeof all> = {};
      for (const m of all) {
        threads[m.product] ??= [];
        threads[m.product]!.push(m);
      }
      return { threads };
    });
  }

  async addValidation(
    caller: Caller,
    id: string,
    input: { method: string; result: string; notes: string; reproducedAt: string; reportId?: string },
  ): Promise<CaseView> {
    return this.mutate(
      caller,
      id,
      (tx) => this.participantOrCoordinator(tx, caller, id),
      async (tx, row, p) => {
        if (input.reportId) {
          const links = await repo.reportsOf(tx, id);
          if (!links.some((l) => l.report_id === input.reportId))
            throw AppError.validation([{ path: 'reportId', message: 'the report is not part of this case' }]);
          await this.reports.setValidationState(tx, input.reportId, input.result);
        }
        const v = {
          id: randomUUID(),
          caseId: id,
          orgId: p.viewer.orgId,
          memberId: p.viewer.memberId,
          method: input.method,
          result: input.result,
          notes: input.notes,
          reproducedAt: new Date(input.reproducedAt).toISOString(),
          at: this.now(),
        };
        await repo.addValidation(tx, v);
        return {
          row,
          action: 'case.validation',
          details: { validationId: v.id, result: v.result, reportId: input.reportId ?? null },
        };
      },
    );
  }

  /** Publish an advisory from the case: reporters credited, participants become the advisory's embargo parties. */
  async publishAdvisory(caller: Caller, id: string, input: AdvisoryPublishInput): Promise<Advisory> {
    const p = requireCoordinator(caller);
    return inTx(this.db, async (tx) => {
      const { row } = await this.load(tx, caller, id);
      const links = await repo.reportsOf(tx, id);
      const records = await this.reports.recordsForCase(
        tx,
        links.map((l) => l.report_id),
      );
      const orgNames = new Map(
        (await tx.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.id, o.name]),
      );
      const credits = [...new Set(records.map((r) => r.submitterOrgId))].map((o) => ({
        name: orgNames.get(o) ?? o,
        type: 'FINDER',
      }));
      const participants = (await repo.participantsOf(tx, id)).map((x) => x.orgId);
      const marking =
        isEmbargoed(row.embargo, this.clock()) && !input.marking.embargoUntil
          ? { ...input.marking, embargoUntil: row.embargo.endsAt }
          : input.marking;
      const adv = await this.advisories.publish(
        caller,
        { ...input, marking, caseId: id },
        { caseId: id, credits, embargoOrgIds: participants, tx },
      );
      await this.event(tx, p, id, 'case.publish_advisory', { advisoryId: adv.id });
      return adv;
    });
  }

  async get(caller: Caller, id: string): Promise<CaseView> {
    return inTx(this.db, async (tx) => {
      const { row, tlp } = await this.load(tx, caller, id);
      if (isSensitive({ tlp: tlp as Tlp }))
        await this.audit.record(tx, {
          actor: actorOf(caller),
          action: 'case.read',
          objectType: 'case',
          objectId: id,
          details: { tlp },
        });
      return this.view(tx, caller, row, tlp as Tlp);
    });
  }

  private async view(tx: Q, caller: Caller, row: CaseRow, tlp: Tlp): Promise<CaseView> {
    const now = this.now();
    const links = await repo.reportsOf(tx, row.id);
    const reports = [];
    for (const l of links)
      reports.push({
        reportId: l.report_id,
        relation: l.relation,
        addedAt: l.added_at,
        visible: !!(await this.reports.visibleRecord(tx, caller, l.report_id)),
      });
    const participants = (await repo.participantsOf(tx, row.id)).map((x) => ({
      ...x,
      effectiveStatus:
        x.statusDeadline && x.statusDeadline < now && AWAITING.has(x.status) ? 'no_response_by_deadline' : x.status,
      embargoEndsLocal: row.embargo.endsAt && x.timeZone ? formatInZone(row.embargo.endsAt, x.timeZone) : null,
    }));
    return {
      ...row,
      tlp,
      embargoInForce: isEmbargoed(row.embargo, this.clock()),
      reports,
      participants,
      timeline: await repo.eventsOf(tx, row.id),
      validations: await repo.validationsOf(tx, row.id),
    };
  }

  async list(caller: Caller, f: { rmState?: string; limit: number; cursor?: string }): Promise<Page<CaseView>> {
    const after = decodeCursor(f.cursor) as [string, string] | undefined;
    return inTx(this.db, async (tx) => {
      const rows = await repo.listVisible(tx, viewerOf(caller), this.now(), f, after);
      const page = rows.slice(0, f.limit);
      const items = [];
      for (const r of page) items.push(await this.view(tx, caller, r.row, r.tlp as Tlp));
      await this.audit.recordSensitiveList(
        tx,
        actorOf(caller),
        'case',
        page.map((r) => ({ id: r.row.id, tlp: r.tlp })),
      );
      const last = page[page.length - 1];
      return {
        items,
        nextCursor: rows.length > f.limit && last ? encodeCursor([last.row.updatedAt, last.row.id]) : null,
      };
    });
  }

  async exportFor(q: Q, orgId: string): Promise<Record<string, unknown[]>> {
    const ids = await repo.caseIdsOwnedBy(q, orgId);
    const out = [];
    for (const id of ids) {
      const r = await q.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
      if (r)
        out.push({
          ...r,
          participants: await repo.participantsOf(q, id),
          timeline: await repo.eventsOf(q, id),
          messages: await repo.messagesOf(q, id),
        });
    }
    return { cases: out };
  }
}
