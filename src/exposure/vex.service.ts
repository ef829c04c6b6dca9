/**
 * VEX statements per finding (use cases): state one (the finding's organisation, write scope; history kept, audited,
 * announced to the organisation's webhooks in the same transaction), read a finding's history (whoever may see the
 * finding), and export the organisation's current statements as CycloneDX 1.6 VEX or OpenVEX 0.2.0 with the codecs
 * of src/formats/vex. A not_affected or fixed statement takes the finding out of the open counts (`vexOpen()`); the
 * finding itself is never deleted.
 */
import { randomUUID } from 'node:crypto';
import { narrowest, type Tlp } from '../access/marking.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connect.js';
import { inTx, type Q } from '../db/tx.js';
import { AppError } from '../errors.js';
import {
  encodeCycloneDxVex,
  encodeOpenVex,
  type VexFinding,
  type VexJustification,
  type VexStatus,
} from '../formats/vex/index.js';
import { actorOf, type Caller, requireScope, viewerOf } from '../participants/principal.js';
import type { AdvisoryDoc } from '../vulnerabilities/advisory.model.js';
import type { Advisory } from '../vulnerabilities/advisory.service.js';
import { findingVisibleById, visibleAdvisoriesOf } from './exposure.repository.js';
import * as repo from './vex.repository.js';
import { bothJustifications, type VexExportQuery, type VexInput } from './vex.schema.js';

export interface VexStatement {
  id: string;
  findingId: string;
  seq: number;
  status: VexStatus;
  /** OpenVEX vocabulary. */
  justification: VexJustification | null;
  /** CycloneDX vocabulary. */
  cyclonedxJustification: string | null;
  impactStatement: string | null;
  actionStatement: string | null;
  authorMemberId: string;
  createdAt: string;
  current: boolean;
}

export interface VexExport {
  contentType: string;
  tlp: Tlp;
  count: number;
  document: Record<string, unknown>;
}

/** What the service needs of its surroundings (the core's services; the outbox once the notify module is there). */
export interface VexDeps {
  db: Db;
  audit: AuditService;
  clock: () => Date;
  advisory(caller: Caller, id: string): Promise<Advisory>;
  orgName(caller: Caller, orgId: string): Promise<string>;
  enqueue?: (
    tx: Q,
    events: { orgId: string; type: string; subject: string; payload: Record<string, unknown> }[],
  ) => Promise<void>;
}

export function presentVex(r: repo.VexRow): VexStatement {
  return {
    id: r.id,
    findingId: r.finding_id,
    seq: r.seq,
    status: r.status as VexStatus,
    justification: r.justification as VexJustification | null,
    cyclonedxJustification: r.cyclonedx_justification,
    impactStatement: r.impact_statement,
    actionStatement: r.action_statement,
    authorMemberId: r.author_member_id,
    createdAt: r.created_at,
    current: r.is_current === 1,
  };
}

export class VexService {
  constructor(private readonly deps: VexDeps) {}

  private now(): string {
    return this.deps.clock().toISOString();
  }

  /** State VEX for a finding: only members of the finding's organisation with the write scope. */
  async set(caller: Caller, findingId: string, input: VexInput): Promise<VexStatement> {
    const p = requireScope(caller, 'write');
    const now = this.now();
    return inTx(this.deps.db, async (tx) => {
      // Not visible (another organisation, or no visible advisory) answers 404 like a finding that does not exist.
      const f = await findingVisibleById(tx, p.viewer, now, findingId);
      if (!f) throw AppError.notFound('finding', findingId);
      if (f.org_id !== p.viewer.orgId)
        throw new AppError('forbidden', "only the finding's organisation may state VEX for it");
      const j = input.justification ? bothJustifications(input.justification) : null;
      const row = await repo.append(tx, {
        id: randomUUID(),
        finding_id: f.id,
        org_id: f.org_id,
        status: input.status,
        justification: j?.openvex ?? null,
        cyclonedx_justification: j?.cyclonedx ?? null,
        impact_statement: input.impactStatement ?? null,
        action_statement: input.actionStatement ?? null,
        author_member_id: p.viewer.memberId,
        created_at: now,
      });
      await this.deps.audit.record(tx, {
        actor: actorOf(p),
        action: 'finding.vex',
        objectType: 'finding',
        objectId: f.id,
        details: { statementId: row.id, seq: row.seq, status: row.status, justification: row.justification },
      });
      // The finding's own organisation hears of its own statement (nothing of anyone else's is in the payload).
      await this.deps.enqueue?.(tx, [
        {
          orgId: f.org_id,
          type: 'exposure.finding.changed',
          subject: f.id,
          payload: {
            findingId: f.id,
            change: 'vex',
            vex: {
              status: row.status,
              justification: row.justification,
              impactStatement: row.impact_statement,
              actionStatement: row.action_statement,
              at: row.created_at,
            },
          },
        },
      ]);
      return presentVex(row);
    });
  }

  /** A finding's statements, oldest first, for whoever may see the finding. */
  async history(caller: Caller, findingId: string): Promise<VexStatement[]> {
    const viewer = viewerOf(caller);
    const f = await findingVisibleById(this.deps.db.kysely, viewer, this.now(), findingId);
    if (!f) throw AppError.notFound('finding', findingId);
    return (await repo.history(this.deps.db.kysely, f.id)).map(presentVex);
  }

  /** The caller's organisation's current statements as one VEX document (optionally one asset's). */
  async export(caller: Caller, query: VexExportQuery): Promise<VexExport> {
    const p = requireScope(caller, 'read');
    const now = this.now();
    const q = this.deps.db.kysely;
    const rows = await repo.exportRows(q, p.viewer, now, p.viewer.orgId, query.asset);
    if (rows.length === 0)
      throw new AppError(
        'not_found',
        query.asset
          ? `no VEX statements for asset ${query.asset} of this organisation`
          : 'this organisation has no VEX statements to export',
      );
    // The advisory each statement is about: the finding's own when visible, else the first visible of its group.
    const visible = await visibleAdvisoriesOf(
      q,
      p.viewer,
      now,
      rows.map((r) => r.finding_id),
    );
    const docs = new Map<string, { doc: AdvisoryDoc; tlp: Tlp }>();
    const findings: VexFinding[] = [];
    const cdxJustification = new Map<string, string>();
    let tlp: Tlp = query.tlp;
    for (const r of rows) {
      const ids = (visible.get(r.finding_id) ?? []).map((a) => a.id);
      const advisoryId = ids.includes(r.advisory_id) ? r.advisory_id : ids[0];
      if (!advisoryId) continue;
      let hit = docs.get(advisoryId);
      if (!hit) {
        // Through the advisory service: the access rule again, and sensitive reads are audited.
        const a = await this.deps.advisory(p, advisoryId);
        const { marking, ...doc } = a;
        hit = { doc, tlp: marking.tlp as Tlp };
        docs.set(advisoryId, hit);
      }
      tlp = narrowest(tlp, hit.tlp);
      const purl = r.component_purl ?? `${r.component_ecosystem}/${r.component_name}@${r.component_version}`;
      const status = r.status as VexStatus;
      const detail =
        status === 'not_affected'
          ? r.impact_statement
          : status === 'affected'
            ? r.action_statement
            : (r.action_statement ?? r.impact_statement);
      findings.push({
        advisory: hit.doc,
        purl,
        status,
        ...(r.justification ? { justification: r.justification as VexJustification } : {}),
        ...(detail ? { detail } : {}),
      });
      if (r.cyclonedx_justification) cdxJustification.set(`${hit.doc.id}/${purl}`, r.cyclonedx_justification);
    }
    const [first, ...more] = findings;
    if (!first)
      throw new AppError('not_found', 'no VEX statement of this organisation concerns an advisory you may see');
    const author = await this.deps.orgName(p, p.viewer.orgId);
    const options = { author, tlp, timestamp: now };
    let document: Record<string, unknown>;
    let contentType: string;
    if (query.format === 'cyclonedx') {
      const bom = JSON.parse(encodeCycloneDxVex(findings, options)) as {
        vulnerabilities?: { 'bom-ref'?: string; analysis?: { justification?: string } }[];
      };
      // The encoder maps from the OpenVEX vocabulary; a statement made in CycloneDX's own keeps its exact value.
      for (const v of bom.vulnerabilities ?? []) {
        const given = v['bom-ref'] ? cdxJustification.get(v['bom-ref']) : undefined;
        if (given && v.analysis?.justification) v.analysis.justification = given;
      }
      document = bom as Record<string, unknown>;
      contentType = 'application/vnd.cyclonedx+json; version=1.6';
    } else {
      document = encodeOpenVex([first, ...more], options) as unknown as Record<string, unknown>;
      contentType = 'application/json';
    }
    await inTx(this.deps.db, (tx) =>
      this.deps.audit.record(tx, {
        actor: actorOf(p),
        action: 'vex.export',
        objectType: 'organisation',
        objectId: p.viewer.orgId,
        details: { format: query.format, asset: query.asset ?? null, statements: findings.length, tlp },
      }),
    );
    return { contentType, tlp, count: findings.length, document };
  }
}
