/**
 * Triage use cases: the clustering pass over new reports, the coordinator's inbox with its signals, cluster views,
 * merge / split corrections, and validation records. Coordinators only; every view applies the access rule, so a
 * report a coordinator may not see (e.g. RED not naming them) never appears in a cluster, a count or an evidence line.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { loadMarkings } from '../../access/marking.repository.js';
import { canSee, type Viewer } from '../../access/rule.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { inTx, type Q } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { actorOf, type Caller, type Principal, requireCoordinator } from '../../participants/principal.js';
import { VALIDATION_STATES } from '../report.schema.js';
import type { ReportService } from '../report.service.js';
import { ADVISORY_DOC_PREFIX, advisoryToDoc, toDoc } from './doc.js';
import { type Evidence, type TriageConfig, TriageEngine } from './engine.js';
import { buildInbox } from './inbox.js';
import * as repo from './triage.repository.js';

export { toDoc, VALIDATION_STATES };
export type ValidationState = (typeof VALIDATION_STATES)[number];

/**
 * Evidence lines that name a report or advisory the viewer may not see lose that id (the match itself is not
 * secret-bearing). `visible` holds the report ids and the advisory ids the viewer may see.
 */
function presentMember(
  m: { matchedReportId: string | null; matchedAdvisoryId: string | null; evidence: Evidence[] } | null,
  visible: Set<string>,
) {
  if (!m) return null;
  const report = m.matchedReportId !== null && visible.has(m.matchedReportId);
  const advisory = m.matchedAdvisoryId !== null && visible.has(m.matchedAdvisoryId);
  return {
    ...m,
    matchedReportId: report ? m.matchedReportId : null,
    matchedAdvisoryId: advisory ? m.matchedAdvisoryId : null,
    evidence: report || advisory ? m.evidence : [],
  };
}

/** Lock key for the clustering pass on PostgreSQL ("triage" in ASCII). */
const TRIAGE_LOCK_KEY = 0x747269616765;

export class TriageService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly reports: ReportService,
    private readonly clock: () => Date,
    private readonly config: Partial<TriageConfig> = {},
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * The warm engine: built once from the database, then kept current by this process's own passes. `version` is the
   * clustering version it reflects (triage_state); another process's pass, a merge or a split moves the stored
   * version on, and the next pass rebuilds. Advisories are added as they appear (counted at each pass).
   */
  private warm: { engine: TriageEngine; version: number; advisories: Set<string>; advisoryCount: number } | null = null;

  /** Drops the in-memory engine (the next pass rebuilds it from the database). */
  invalidate(): void {
    this.warm = null;
  }

  private async engineFor(tx: Q): Promise<NonNullable<TriageService['warm']>> {
    const version = await repo.stateVersion(tx);
    const advisoryCount = await repo.advisoryCount(tx);
    if (this.warm && this.warm.version === version) {
      if (this.warm.advisoryCount !== advisoryCount) {
        const clusters = await repo.advisoryClusters(tx);
        for (const a of await repo.advisoryDocs(tx, this.warm.advisories)) {
          this.warm.engine.add(advisoryToDoc(a), clusters.get(a.id) ?? `adv:${a.id}`);
          this.warm.advisories.add(a.id);
        }
        this.warm.advisoryCount = advisoryCount;
      }
      return this.warm;
    }
    const engine = new TriageEngine(this.config, () => randomUUID());
    const members = await repo.allMembers(tx);
    const clusterOf = new Map(members.map((m) => [m.reportId, m.clusterId]));
    for (const r of await repo.allReports(tx)) {
      const c = clusterOf.get(r.id);
      if (c) engine.add(toDoc(r), c);
    }
    const clusters = await repo.advisoryClusters(tx);
    const advisories = new Set<string>();
    for (const a of await repo.advisoryDocs(tx)) {
      engine.add(advisoryToDoc(a), clusters.get(a.id) ?? `adv:${a.id}`);
      advisories.add(a.id);
    }
    for (const [a, b] of await repo.cannotLinks(tx)) engine.addCannotLink(a, b);
    this.warm = { engine, version, advisories, advisoryCount };
    return this.warm;
  }

  /**
   * Clusters every report not yet in a cluster, oldest first, against the clustered reports, the published advisories
   * and each other. The engine stays in memory between passes (see `warm`): a pass costs O(new reports), not O(n).
   * On PostgreSQL, passes of several server processes take turns (a transaction-scoped advisory lock).
   */
  async run(
    caller: Caller | 'system',
  ): Promise<{ processed: number; attached: number; suggested: number; created: number; matchedAdvisories: number }> {
    const p = caller === 'system' ? null : requireCoordinator(caller);
    try {
      return await inTx(this.db, async (tx) => {
        if (this.db.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${TRIAGE_LOCK_KEY})`.execute(tx);
        const counts = { processed: 0, attached: 0, suggested: 0, created: 0, matchedAdvisories: 0 };
        const pending = await repo.unclusteredReports(tx);
        if (pending.length === 0) return counts;
        const at = this.now();
        const warm = await this.engineFor(tx);
        const { engine } = warm;
        for (const r of pending) {
          let d = engine.assign(toDoc(r));
          counts.processed++;
          let matchedAdvisoryId: string | null = null;
          if (d.action === 'attach' && d.clusterId.startsWith('adv:')) {
            // The best match is a published advisory with no cluster yet: its cluster is made now.
            matchedAdvisoryId = d.clusterId.slice(4);
            const real = randomUUID();
            await repo.insertCluster(tx, real, at, matchedAdvisoryId);
            engine.move(`${ADVISORY_DOC_PREFIX}${matchedAdvisoryId}`, real);
            engine.move(r.id, real);
            d = { ...d, clusterId: real };
          } else if (d.action !== 'attach') await repo.insertCluster(tx, d.clusterId, at);
          const bestDoc = d.action === 'attach' ? d.matchedDocId : null;
          if (bestDoc?.startsWith(ADVISORY_DOC_PREFIX)) matchedAdvisoryId = bestDoc.slice(ADVISORY_DOC_PREFIX.length);
          if (matchedAdvisoryId) counts.matchedAdvisories++;
          await repo.insertMember(
            tx,
            {
              reportId: r.id,
              clusterId: d.clusterId,
              method: d.action === 'attach' ? 'auto_attach' : d.action === 'suggest' ? 'auto_suggest' : 'auto_new',
              score: d.action === 'attach' ? d.score : null,
              matchedReportId: bestDoc && !bestDoc.startsWith(ADVISORY_DOC_PREFIX) ? bestDoc : null,
              matchedAdvisoryId,
              evidence: d.action === 'attach' ? d.evidence : [],
              decidedBy: null,
              createdAt: at,
            },
            at,
          );
          // Suggestions name reports only (an advisory candidate is shown through its cluster when it is attached).
          for (const c of d.action === 'suggest' ? d.candidates : [])
            if (!c.docId.startsWith(ADVISORY_DOC_PREFIX))
              await repo.insertSuggestion(
                tx,
                { reportId: r.id, candidateId: c.docId, score: c.score, evidence: c.evidence },
                at,
              );
          if (d.action === 'attach') counts.attached++;
          else if (d.action === 'suggest') counts.suggested++;
          else counts.created++;
        }
        warm.version = await repo.bumpVersion(tx);
        await this.audit.record(tx, {
          actor: p ? actorOf(p) : { orgId: null, memberId: null },
          action: 'triage.run',
          objectType: 'triage',
          objectId: '*',
          details: counts,
        });
        return counts;
      });
    } catch (e) {
      // The engine took in documents whose placement rolled back: rebuild it at the next pass.
      this.invalidate();
      throw e;
    }
  }

  /** The inbox: reports the coordinator may see, not yet judged invalid, by priority (see inbox.ts). */
  async inbox(caller: Caller, opts: { limit: number; includeInvalid?: boolean }) {
    const p = requireCoordinator(caller, 'read');
    return inTx(this.db, async (tx) => buildInbox(tx, p.viewer, this.now(), opts));
  }

  /** Clusters with at least `minSize` reports the coordinator may see. */
  async clusters(caller: Caller, opts: { minSize: number; limit: number }) {
    const p = requireCoordinator(caller, 'read');
    return inTx(this.db, async (tx) => {
      const rows = await repo.visibleWithMembers(tx, p.viewer, this.now(), {});
      const by = new Map<string, { id: string; title: string }[]>();
      for (const r of rows)
        if (r.member)
          by.set(r.member.clusterId, [
            ...(by.get(r.member.clusterId) ?? []),
            { id: r.record.id, title: r.record.title },
          ]);
      const items = [...by.entries()]
        .filter(([, m]) => m.length >= opts.minSize)
        .map(([id, m]) => ({ id, size: m.length, title: m[0]?.title ?? '', reportIds: m.map((x) => x.id) }))
        .sort((a, b) => b.size - a.size || (a.id < b.id ? -1 : 1));
      return { items: items.slice(0, opts.limit), total: items.length };
    });
  }

  async cluster(caller: Caller, id: string) {
    const p = requireCoordinator(caller, 'read');
    return inTx(this.db, async (tx) => this.clusterView(tx, p.viewer, id));
  }

  private async clusterView(tx: Parameters<typeof repo.memberIds>[0], viewer: Viewer, id: string) {
    const rows = await repo.visibleWithMembers(tx, viewer, this.now(), { clusterId: id });
    if (rows.length === 0) throw AppError.notFound('cluster', id);
    const all = await repo.visibleWithMembers(tx, viewer, this.now(), {});
    const visible = new Set(all.map((r) => r.record.id));
    const advisoryId = await repo.clusterAdvisory(tx, id);
    const advisoryIds = [
      ...new Set([advisoryId, ...rows.map((r) => r.member?.matchedAdvisoryId)].filter((x): x is string => !!x)),
    ];
    for (const [aid, m] of await loadMarkings(tx, advisoryIds)) if (canSee(viewer, m, this.now())) visible.add(aid);
    const sugg = (
      await repo.suggestionsFor(
        tx,
        rows.map((r) => r.record.id),
      )
    ).filter((s) => visible.has(s.candidate_report_id));
    return {
      id,
      /** The published advisory this cluster stands for (when the viewer may see it). */
      advisoryId: advisoryId && visible.has(advisoryId) ? advisoryId : null,
      reports: rows.map((r) => ({
        id: r.record.id,
        title: r.record.title,
        tlp: r.tlp,
        validationState: r.record.validationState,
        membership: presentMember(r.member, visible),
      })),
      suggestions: sugg.map((s) => ({
        reportId: s.report_id,
        candidateReportId: s.candidate_report_id,
        score: s.score,
        evidence: s.evidence,
      })),
      corrections: await repo.corrections(tx, id),
    };
  }

  private async requireVisible(tx: Parameters<typeof repo.memberIds>[0], p: Principal, ids: string[], path: string) {
    const rows = await repo.visibleWithMembers(tx, p.viewer, this.now(), { ids });
    const seen = new Map(rows.map((r) => [r.record.id, r]));
    ids.forEach((id, i) => {
      if (!seen.get(id)?.member)
        throw AppError.validation([{ path: `${path}.${i}`, message: `no clustered report ${id} that you may see` }]);
    });
    return seen;
  }

  /** Moves every report of `from` into `into` (the reports named must all be visible to the coordinator). */
  async merge(caller: Caller, input: { into: string; from: string; reason: string }) {
    const p = requireCoordinator(caller);
    return inTx(this.db, async (tx) => {
      const at = this.now();
      // Only reports the coordinator may see are moved; a cluster with none visible is "not found" (no disclosure).
      const visibleIn = async (cluster: string) =>
        (await repo.visibleWithMembers(tx, p.viewer, at, { clusterId: cluster })).map((r) => r.record.id);
      const moving = await visibleIn(input.from);
      if (moving.length === 0) throw AppError.validation([{ path: 'from', message: `no cluster ${input.from}` }]);
      if ((await visibleIn(input.into)).length === 0)
        throw AppError.validation([{ path: 'into', message: `no cluster ${input.into}` }]);
      await repo.moveMembers(tx, moving, input.into, p.viewer.memberId, at);
      const fromAdvisory = await repo.clusterAdvisory(tx, input.from);
      if (fromAdvisory && !(await repo.clusterAdvisory(tx, input.into)))
        await repo.setClusterAdvisory(tx, input.into, fromAdvisory, at);
      await repo.bumpVersion(tx);
      this.invalidate();
      const id = randomUUID();
      await repo.insertCorrection(
        tx,
        {
          id,
          kind: 'merge',
          from_cluster_id: input.from,
          to_cluster_id: input.into,
          report_ids: JSON.stringify(moving),
          reason: input.reason,
          actor_member_id: p.viewer.memberId,
          created_at: at,
        },
        [],
      );
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'triage.merge',
        objectType: 'triage_cluster',
        objectId: input.into,
        details: { from: input.from, reportIds: moving },
      });
      return this.clusterView(tx, p.viewer, input.into);
    });
  }

  /** Moves the named reports out into a new cluster; each moved/remaining pair is never re-merged automatically. */
  async split(caller: Caller, input: { clusterId: string; reportIds: string[]; reason: string }) {
    const p = requireCoordinator(caller);
    return inTx(this.db, async (tx) => {
      const at = this.now();
      const seen = await this.requireVisible(tx, p, input.reportIds, 'reportIds');
      input.reportIds.forEach((id, i) => {
        if (seen.get(id)?.member?.clusterId !== input.clusterId)
          throw AppError.validation([
            { path: `reportIds.${i}`, message: `report ${id} is not in cluster ${input.clusterId}` },
          ]);
      });
      const remaining = (await repo.memberIds(tx, input.clusterId)).filter((id) => !input.reportIds.includes(id));
      // The check counts only what the coordinator sees, so its answer does not disclose hidden members.
      const visibleLeft = (await repo.visibleWithMembers(tx, p.viewer, at, { clusterId: input.clusterId })).filter(
        (r) => !input.reportIds.includes(r.record.id),
      );
      if (visibleLeft.length === 0)
        throw AppError.validation([{ path: 'reportIds', message: 'leave at least one report in the cluster' }]);
      const newId = randomUUID();
      await repo.insertCluster(tx, newId, at);
      await repo.moveMembers(tx, input.reportIds, newId, p.viewer.memberId, at);
      await repo.bumpVersion(tx);
      this.invalidate();
      const pairs: [string, string][] = [];
      for (const a of input.reportIds) for (const b of remaining) pairs.push([a, b]);
      const id = randomUUID();
      await repo.insertCorrection(
        tx,
        {
          id,
          kind: 'split',
          from_cluster_id: input.clusterId,
          to_cluster_id: newId,
          report_ids: JSON.stringify(input.reportIds),
          reason: input.reason,
          actor_member_id: p.viewer.memberId,
          created_at: at,
        },
        pairs,
      );
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'triage.split',
        objectType: 'triage_cluster',
        objectId: input.clusterId,
        details: { newClusterId: newId, reportIds: input.reportIds },
      });
      return this.clusterView(tx, p.viewer, newId);
    });
  }

  /** Records a validation outcome with its evidence and sets the report's validation state. */
  async validate(
    caller: Caller,
    reportId: string,
    input: { state: ValidationState; script?: string; steps?: string; output?: string; notes: string },
  ) {
    const p = requireCoordinator(caller);
    if ((input.state === 'reproduced' || input.state === 'could_not_reproduce') && !input.script && !input.steps)
      throw AppError.validation([{ path: 'steps', message: 'a reproduction attempt needs a script or steps' }]);
    return inTx(this.db, async (tx) => {
      if (!(await this.reports.visibleRecord(tx, p, reportId))) throw AppError.notFound('report', reportId);
      const at = this.now();
      const row = {
        id: randomUUID(),
        report_id: reportId,
        state: input.state,
        script: input.script ?? null,
        steps: input.steps ?? null,
        output: input.output ?? null,
        notes: input.notes,
        org_id: p.viewer.orgId,
        member_id: p.viewer.memberId,
        created_at: at,
      };
      await repo.insertValidation(tx, row);
      await this.reports.setValidationState(tx, reportId, input.state);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'triage.validate',
        objectType: 'report',
        objectId: reportId,
        details: { validationId: row.id, state: input.state },
      });
      return { state: input.state, validations: await repo.validationsFor(tx, reportId) };
    });
  }

  async validations(caller: Caller, reportId: string) {
    const p = requireCoordinator(caller, 'read');
    return inTx(this.db, async (tx) => {
      const r = await this.reports.visibleRecord(tx, p, reportId);
      if (!r) throw AppError.notFound('report', reportId);
      return { state: r.validationState, validations: await repo.validationsFor(tx, reportId) };
    });
  }
}
