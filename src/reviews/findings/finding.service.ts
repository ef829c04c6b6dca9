/**
 * Findings of a review window: drafted by a reviewer with evidence (runs and samples of the window), validated by a
 * second reviewer who is not the author, shared with the developer, and answered by the developer. When the window
 * ends they are frozen (no more edits; the developer may still answer a shared finding, and they stay readable for
 * the consent's retention). A finding about a flaw in third-party software becomes a clearinghouse report, linked both
 * ways. Every change is audited in its own transaction.
 *
 * Who sees what (the window's participation is the rule): reviewers and coordinators of the window see its findings
 * (trusted-partner reviewers: their organisation's own); the developer and its liaisons see shared findings only;
 * observers and everyone else see none (404 for anyone without a part in the window).
 */
import { randomUUID } from 'node:crypto';
import { narrowest, type Tlp } from '../../access/marking.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { fromJson, toJson } from '../../db/json.js';
import { inTx, type Q } from '../../db/tx.js';
import { AppError, type FieldIssue } from '../../errors.js';
import { actorOf, type Caller, type Principal, requireScope } from '../../participants/principal.js';
import { checkTaxonomyIds, type ReferenceChecks } from '../../vulnerabilities/checks.js';
import type { ReportInput } from '../../vulnerabilities/report.schema.js';
import type { ReportService } from '../../vulnerabilities/report.service.js';
import {
  DEVELOPER_ROLES,
  type Participation,
  REVIEWER_ROLES,
  type ReviewsPort,
  requireParticipation,
} from '../runs/contract.js';
import * as runs from '../runs/runs.repository.js';
import { type DeveloperReport, renderMarkdown } from './developer-report.js';
import * as repo from './finding.repository.js';
import type {
  ClearinghouseReportBody,
  CreateFindingBody,
  FindingState,
  RespondBody,
  UpdateFindingBody,
} from './finding.schema.js';

export interface Evidence {
  runId: string;
  sampleId?: string;
  epoch?: number;
}

export interface FindingView {
  id: string;
  windowId: string;
  orgId: string;
  authorMemberId: string;
  title: string;
  type: string;
  severity: string;
  description: string;
  evidence: Evidence[];
  reproducibility: { k: number; n: number };
  atlasIds: string[];
  owaspLlmIds: string[];
  cweIds: string[];
  tlp: Tlp;
  labels: Array<{ framework: string; label: string }>;
  thirdParty: boolean;
  state: FindingState;
  validatedBy: string | null;
  validatedAt: string | null;
  sharedAt: string | null;
  response: { value: string; note: string; by: string; at: string } | null;
  reportId: string | null;
  frozen: boolean;
  createdAt: string;
  updatedAt: string;
}

const SHARED: FindingState[] = ['shared', 'responded'];

export function findingView(r: repo.FindingRow): FindingView {
  return {
    id: r.id,
    windowId: r.window_id,
    orgId: r.org_id,
    authorMemberId: r.author_member_id,
    title: r.title,
    type: r.type,
    severity: r.severity,
    description: r.description,
    evidence: fromJson<Evidence[]>(r.evidence, []),
    reproducibility: { k: r.repro_k, n: r.repro_n },
    atlasIds: fromJson<string[]>(r.atlas_ids, []),
    owaspLlmIds: fromJson<string[]>(r.owasp_llm_ids, []),
    cweIds: fromJson<string[]>(r.cwe_ids, []),
    tlp: r.tlp as Tlp,
    labels: fromJson(r.labels, []),
    thirdParty: r.third_party === 1,
    state: r.state as FindingState,
    validatedBy: r.validated_by,
    validatedAt: r.validated_at,
    sharedAt: r.shared_at,
    response:
      r.response && r.responded_by && r.responded_at
        ? { value: r.response, note: r.response_note ?? '', by: r.responded_by, at: r.responded_at }
        : null,
    reportId: r.report_id,
    frozen: r.frozen_at !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class FindingService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly reviews: ReviewsPort,
    private readonly checks: ReferenceChecks,
    private readonly reports: ReportService,
    private readonly clock: () => Date,
    private readonly baseUrl: () => string,
  ) {
    reviews.onWindowEnd((tx, windowId, reason, effects) => this.freeze(tx, windowId, reason, effects));
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private participant(caller: Caller, windowId: string): Promise<Participation> {
    return requireParticipation(this.reviews, caller, windowId);
  }

  /** Which findings of the window this participant may see. */
  private scope(caller: Caller, p: Participation): { orgId?: string; states?: FindingState[] } | null {
    if (p.role === 'trusted_partner_reviewer') return { orgId: caller?.viewer.orgId };
    if (p.role === 'government_reviewer' || p.role === 'coordinator') return {};
    if (DEVELOPER_ROLES.includes(p.role)) return { states: SHARED };
    return null;
  }

  private mayView(caller: Caller, p: Participation, r: repo.FindingRow): boolean {
    const s = this.scope(caller, p);
    if (!s) return false;
    if (s.orgId && r.org_id !== s.orgId) return false;
    return !s.states || s.states.includes(r.state as FindingState);
  }

  private async visible(q: Q, caller: Caller, windowId: string, id: string, forUpdate = false, known?: Participation) {
    // The participation is asked before any transaction opens (SQLite has one connection).
    const p = known ?? (await this.participant(caller, windowId));
    const row = await repo.findFinding(q, id, forUpdate);
    if (!row || row.window_id !== windowId || !this.mayView(caller, p, row)) throw AppError.notFound('finding', id);
    return { p, row };
  }

  private requireReviewer(p: Participation): void {
    if (!REVIEWER_ROLES.includes(p.role))
      throw new AppError('forbidden', 'only reviewers with a grant in this window write findings');
  }

  private notFrozen(row: repo.FindingRow): void {
    if (row.frozen_at) throw new AppError('conflict', 'the window has ended: its findings are frozen');
  }

  /** Evidence must point at runs of this window the caller can see, and at samples those runs hold. */
  private async checkEvidence(q: Q, caller: Caller, p: Participation, windowId: string, ev: Evidence[]) {
    const issues: FieldIssue[] = [];
    for (const [i, e] of ev.entries()) {
      const run = await runs.findRun(q, e.runId);
      const own = p.role !== 'trusted_partner_reviewer' || run?.org_id === caller?.viewer.orgId;
      if (!run || run.window_id !== windowId || !own) {
        issues.push({ path: `evidence.${i}.runId`, message: `no run ${e.runId} in this window` });
        continue;
      }
      if (e.sampleId !== undefined && (await runs.findSample(q, e.runId, e.sampleId, e.epoch)).length === 0)
        issues.push({ path: `evidence.${i}.sampleId`, message: `run ${e.runId} has no sample ${e.sampleId}` });
    }
    return issues;
  }

  private checkIds(b: { cweIds?: string[]; atlasIds?: string[]; owaspLlmIds?: string[] }): FieldIssue[] {
    return checkTaxonomyIds(this.checks, {
      cweIds: b.cweIds ?? [],
      atlasIds: b.atlasIds ?? [],
      owaspLlmIds: b.owaspLlmIds ?? [],
    });
  }

  private async openWindow(caller: Caller, windowId: string): Promise<void> {
    const w = await this.reviews.getWindow(caller, windowId);
    if (w.state !== 'open') throw new AppError('conflict', `the window is ${w.state}: findings are frozen`);
  }

  async create(caller: Caller, windowId: string, body: CreateFindingBody): Promise<FindingView> {
    const principal = requireScope(caller, 'write');
    const p = await this.participant(caller, windowId);
    this.requireReviewer(p);
    await this.openWindow(caller, windowId);
    const issues = [
      ...(await this.checkEvidence(this.db.kysely, caller, p, windowId, body.evidence)),
      ...this.checkIds(body),
    ];
    if (issues.length) throw AppError.validation(issues);
    const at = this.now();
    const row: repo.FindingRow = {
      id: randomUUID(),
      window_id: windowId,
      org_id: principal.viewer.orgId,
      author_member_id: principal.viewer.memberId,
      title: body.title,
      type: body.type,
      severity: body.severity,
      description: body.description,
      evidence: toJson(body.evidence),
      repro_k: body.reproducibility.k,
      repro_n: body.reproducibility.n,
      atlas_ids: toJson(body.atlasIds),
      owasp_llm_ids: toJson(body.owaspLlmIds),
      cwe_ids: toJson(body.cweIds),
      tlp: body.tlp,
      labels: toJson(body.labels),
      third_party: body.thirdParty ? 1 : 0,
      state: 'draft',
      validated_by: null,
      validated_at: null,
      shared_at: null,
      response: null,
      response_note: null,
      responded_by: null,
      responded_at: null,
      report_id: null,
      frozen_at: null,
      created_at: at,
      updated_at: at,
    };
    await inTx(this.db, async (tx) => {
      await repo.insertFinding(tx, row);
      await this.record(tx, principal, 'review_finding.create', row, { type: row.type, severity: row.severity });
    });
    return findingView(row);
  }

  async list(caller: Caller, windowId: string, q: { state?: FindingState; limit: number }) {
    const p = await this.participant(caller, windowId);
    const s = this.scope(caller, p);
    if (!s) return { items: [] as FindingView[] };
    const states = q.state ? (s.states ? s.states.filter((x) => x === q.state) : [q.state]) : s.states;
    const rows = await repo.listFindings(this.db.kysely, { windowId, orgId: s.orgId, states, limit: q.limit });
    return { items: rows.map(findingView) };
  }

  async get(caller: Caller, windowId: string, id: string): Promise<FindingView> {
    return findingView((await this.visible(this.db.kysely, caller, windowId, id)).row);
  }

  /** The author edits a draft. */
  async update(caller: Caller, windowId: string, id: string, b: UpdateFindingBody): Promise<FindingView> {
    const principal = requireScope(caller, 'write');
    return this.change(caller, windowId, id, async (tx, p, row) => {
      this.requireReviewer(p);
      if (row.author_member_id !== principal.viewer.memberId)
        throw new AppError('forbidden', 'only the author edits a draft finding');
      if (row.state !== 'draft')
        throw new AppError('illegal_transition', `a ${row.state} finding is not edited; only drafts are`);
      const issues = [
        ...(b.evidence ? await this.checkEvidence(tx, caller, p, windowId, b.evidence) : []),
        ...this.checkIds(b),
      ];
      if (issues.length) throw AppError.validation(issues);
      const patch: Partial<repo.FindingRow> = {
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.type !== undefined ? { type: b.type } : {}),
        ...(b.severity !== undefined ? { severity: b.severity } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.evidence !== undefined ? { evidence: toJson(b.evidence) } : {}),
        ...(b.reproducibility ? { repro_k: b.reproducibility.k, repro_n: b.reproducibility.n } : {}),
        ...(b.atlasIds !== undefined ? { atlas_ids: toJson(b.atlasIds) } : {}),
        ...(b.owaspLlmIds !== undefined ? { owasp_llm_ids: toJson(b.owaspLlmIds) } : {}),
        ...(b.cweIds !== undefined ? { cwe_ids: toJson(b.cweIds) } : {}),
        ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
        ...(b.labels !== undefined ? { labels: toJson(b.labels) } : {}),
        ...(b.thirdParty !== undefined ? { third_party: b.thirdParty ? 1 : 0 } : {}),
      };
      return { patch, action: 'review_finding.update', details: { fields: Object.keys(b) } };
    });
  }

  /** A second reviewer, not the author, validates a draft. */
  async validate(caller: Caller, windowId: string, id: string, note?: string): Promise<FindingView> {
    const principal = requireScope(caller, 'write');
    return this.change(caller, windowId, id, async (_tx, p, row) => {
      this.requireReviewer(p);
      if (row.author_member_id === principal.viewer.memberId)
        throw new AppError('forbidden', 'a second reviewer, not the author, validates a finding');
      if (row.state !== 'draft') throw new AppError('illegal_transition', `the finding is already ${row.state}`);
      const at = this.now();
      return {
        patch: { state: 'validated', validated_by: principal.viewer.memberId, validated_at: at },
        action: 'review_finding.validate',
        details: note ? { note } : {},
      };
    });
  }

  /** A reviewer shares a validated finding with the developer. */
  async share(caller: Caller, windowId: string, id: string): Promise<FindingView> {
    return this.change(caller, windowId, id, async (_tx, p, row) => {
      this.requireReviewer(p);
      if (row.state !== 'validated')
        throw new AppError('illegal_transition', `only a validated finding is shared (this one is ${row.state})`);
      return { patch: { state: 'shared', shared_at: this.now() }, action: 'review_finding.share', details: {} };
    });
  }

  /** The developer (or its liaison) answers a shared finding; allowed after the window ended too. */
  async respond(caller: Caller, windowId: string, id: string, b: RespondBody): Promise<FindingView> {
    const principal = requireScope(caller, 'write');
    return this.change(
      caller,
      windowId,
      id,
      async (_tx, p, row) => {
        if (!DEVELOPER_ROLES.includes(p.role))
          throw new AppError('forbidden', 'only the developer or its liaison answers a finding');
        if (!SHARED.includes(row.state as FindingState))
          throw new AppError('illegal_transition', `the finding is ${row.state}`);
        return {
          patch: {
            state: 'responded',
            response: b.response,
            response_note: b.note,
            responded_by: principal.viewer.memberId,
            responded_at: this.now(),
          },
          action: 'review_finding.respond',
          details: { response: b.response },
        };
      },
      { evenFrozen: true },
    );
  }

  /** A validated third-party finding becomes a clearinghouse report; the two point at each other. */
  async toClearinghouseReport(caller: Caller, windowId: string, id: string, b: ClearinghouseReportBody) {
    const principal = requireScope(caller, 'write');
    const { p, row } = await this.visible(this.db.kysely, caller, windowId, id);
    this.requireReviewer(p);
    if (row.third_party !== 1)
      throw new AppError('conflict', 'only a finding about third-party software becomes a clearinghouse report');
    if (row.state === 'draft') throw new AppError('illegal_transition', 'validate the finding first');
    if (row.report_id) throw new AppError('conflict', `the finding is already report ${row.report_id}`);
    const f = findingView(row);
    const model = await this.evidenceModel(f.evidence);
    const input: ReportInput = {
      title: f.title,
      description: `${f.description}\n\nFrom a finding of a pre-release model review (reproduced ${f.reproducibility.k} of ${f.reproducibility.n}).`,
      provenance: b.provenance ?? {
        discoveryMethod: 'ai_assisted',
        model: model ?? 'model under review',
        harness: 'clearinghouse review harness',
      },
      affected: b.affected,
      cweIds: f.cweIds,
      atlasIds: f.atlasIds,
      owaspLlmIds: f.owaspLlmIds,
      ...(b.cvssVector ? { cvssVector: b.cvssVector } : {}),
      aliases: [],
      references: [{ type: 'EVIDENCE', url: `${this.baseUrl()}/api/v1/reviews/windows/${windowId}/findings/${id}` }],
      attachments: [],
      marking: {
        tlp: f.tlp === 'RED' ? 'AMBER+STRICT' : f.tlp,
        sharedWithOrgIds: [],
        namedMemberIds: [],
      },
      idempotencyKey: `review-finding:${id}`,
    };
    const { report } = await this.reports.submit(principal, input);
    await inTx(this.db, async (tx) => {
      await repo.updateFinding(tx, id, { report_id: report.id, updated_at: this.now() });
      await this.record(tx, principal, 'review_finding.link_report', row, { reportId: report.id });
    });
    return { finding: await this.get(caller, windowId, id), reportId: report.id };
  }

  private async evidenceModel(ev: Evidence[]): Promise<string | undefined> {
    for (const e of ev) {
      const run = await runs.findRun(this.db.kysely, e.runId);
      const rec = run?.record ? fromJson<{ model?: string }>(run.record, {}) : undefined;
      if (rec?.model) return rec.model;
    }
    return undefined;
  }

  /**
   * The report to the developer: every validated finding is shared with it, then the report covers all shared and
   * answered findings. Generated before the trusted-partner date, by a reviewer of an open window.
   */
  async generateReport(caller: Caller, windowId: string): Promise<DeveloperReport> {
    const principal = requireScope(caller, 'write');
    const p = await this.participant(caller, windowId);
    this.requireReviewer(p);
    const w = await this.reviews.getWindow(caller, windowId);
    if (w.state !== 'open') throw new AppError('conflict', `the window is ${w.state}: findings are frozen`);
    if (w.trustedPartnerDate && this.now() >= w.trustedPartnerDate)
      throw new AppError('conflict', 'the trusted-partner date has passed: the report is given before it');
    const s = this.scope(caller, p);
    await inTx(this.db, async (tx) => {
      const rows = await repo.listFindings(tx, { windowId, orgId: s?.orgId, states: ['validated'], limit: 10_000 });
      const at = this.now();
      for (const r of rows) {
        await repo.updateFinding(tx, r.id, { state: 'shared', shared_at: at, updated_at: at });
        await this.record(tx, principal, 'review_finding.share', r, { via: 'report' });
      }
    });
    const report = await this.buildReport(windowId);
    await inTx(this.db, (tx) =>
      this.audit.record(tx, {
        actor: actorOf(principal),
        action: 'review_report.generate',
        objectType: 'review_window',
        objectId: windowId,
        details: { findings: report.findings.length, tlp: report.tlp },
      }),
    );
    return report;
  }

  /** The current report (shared and answered findings), for the developer and the window's reviewers. */
  async report(caller: Caller, windowId: string): Promise<DeveloperReport> {
    const p = await this.participant(caller, windowId);
    if (!this.scope(caller, p)) throw new AppError('forbidden', 'observers do not read the report');
    return this.buildReport(windowId, p.role === 'trusted_partner_reviewer' ? caller?.viewer.orgId : undefined);
  }

  async reportMarkdown(caller: Caller, windowId: string): Promise<string> {
    return renderMarkdown(await this.report(caller, windowId));
  }

  private async buildReport(windowId: string, orgId?: string): Promise<DeveloperReport> {
    const rows = await repo.listFindings(this.db.kysely, { windowId, orgId, states: SHARED, limit: 10_000 });
    const findings = rows.map(findingView);
    const count = (key: 'severity' | 'type') =>
      findings.reduce<Record<string, number>>((m, f) => {
        m[f[key]] = (m[f[key]] ?? 0) + 1;
        return m;
      }, {});
    return {
      windowId,
      generatedAt: this.now(),
      tlp: findings.reduce<Tlp>((t, f) => narrowest(t, f.tlp), 'CLEAR'),
      summary: { findings: findings.length, bySeverity: count('severity'), byType: count('type') },
      findings,
    };
  }

  /** Window end: freeze its findings inside the window service's transaction (or delete them: `purge_data`). */
  private async freeze(tx: Q, windowId: string, reason: string, effects: string[]): Promise<void> {
    if (effects.includes('purge_data')) {
      const deleted = await repo.deleteWindowFindings(tx, windowId);
      await this.audit.record(tx, {
        actor: { orgId: null, memberId: null },
        action: 'review_finding.purge',
        objectType: 'review_window',
        objectId: windowId,
        details: { reason, findings: deleted },
      });
      return;
    }
    const n = await repo.freezeWindow(tx, windowId, this.now());
    if (n)
      await this.audit.record(tx, {
        actor: { orgId: null, memberId: null },
        action: 'review_finding.freeze',
        objectType: 'review_window',
        objectId: windowId,
        details: { reason, findings: n },
      });
  }

  private async change(
    caller: Caller,
    windowId: string,
    id: string,
    fn: (
      tx: Q,
      p: Participation,
      row: repo.FindingRow,
    ) => Promise<{ patch: Partial<repo.FindingRow>; action: string; details: Record<string, unknown> }>,
    o: { evenFrozen?: boolean } = {},
  ): Promise<FindingView> {
    const principal = requireScope(caller, 'write');
    const known = await this.participant(caller, windowId);
    await inTx(this.db, async (tx) => {
      // Row lock on PostgreSQL; SQLite serialises writers by itself (and has no FOR UPDATE).
      const { p, row } = await this.visible(tx, caller, windowId, id, this.db.dialect === 'postgres', known);
      if (!o.evenFrozen) this.notFrozen(row);
      const { patch, action, details } = await fn(tx, p, row);
      await repo.updateFinding(tx, id, { ...patch, updated_at: this.now() });
      await this.record(tx, principal, action, row, details);
    });
    return this.get(caller, windowId, id);
  }

  private async record(
    tx: Q,
    p: Principal,
    action: string,
    row: repo.FindingRow,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(tx, {
      actor: actorOf(p),
      action,
      objectType: 'review_finding',
      objectId: row.id,
      details: { windowId: row.window_id, ...details },
    });
  }
}
