/**
 * Review windows: the developer's offer (model, snapshot, dates, encrypted endpoint, variants, limits, attachments),
 * covered status, versioned terms and consents, and the window's life around the pure state machine in ../window.ts.
 * One transaction per use case, audited inside it. Grants and keys are in ./grant.service.ts, the gateway in ./gateway.ts.
 */
import { randomUUID } from 'node:crypto';
import { insertMarking, replaceMarking } from '../../access/marking.repository.js';
import type { AttachmentMeta, AttachmentService } from '../../attachments/attachment.service.js';
import { type AuditActor, SYSTEM_ACTOR } from '../../audit/audit.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connect.js';
import { inTx, type Q } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { actorOf, type Caller, requireScope, viewerOf } from '../../participants/principal.js';
import {
  createWindow,
  isFinal,
  type ReviewWindow,
  reminderInstants,
  transition,
  type WindowEvent,
  type WindowState,
} from '../window.js';
import { isDeveloper, type WindowRole, windowMarking, windowRole } from './access.js';
import { checkEndpoint } from './endpoint-guard.js';
import type { SecretBox } from './secrets.js';
import {
  fromWindow,
  grantParty,
  instant,
  latestTerms,
  presentWindow,
  toWindow,
  type WindowView,
} from './window.view.js';
import * as repo from './windows.repository.js';
import type { CreateWindowBody } from './windows.schema.js';

export { grantParty, latestTerms, toWindow, type WindowView } from './window.view.js';

export type EndReason = 'closed' | 'expired' | 'withdrawn';
export type WindowEndListener = (tx: Q, windowId: string, reason: EndReason, effects: string[]) => Promise<void>;

/** The notification outbox, when the notify capability is present (events written in the caller's transaction). */
export interface Outbox {
  enqueue(
    tx: Q,
    events: { orgId: string; type: string; subject: string; payload: Record<string, unknown> }[],
  ): Promise<void>;
}

export interface WindowContext {
  row: repo.WindowRow;
  grants: repo.GrantRow[];
  role: WindowRole;
}

export class WindowService {
  private readonly listeners: WindowEndListener[] = [];
  /** Called after an ending transaction commits (the gateway aborts in-flight calls of the window). */
  readonly afterEnd: ((windowId: string) => void)[] = [];

  constructor(
    readonly db: Db,
    readonly audit: AuditService,
    private readonly attachments: AttachmentService,
    readonly secrets: SecretBox,
    readonly clock: () => Date,
    private readonly opts: { maxWindowDays: number; gatewayBaseURL: string; outbox?: () => Outbox | undefined },
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  onWindowEnd(listener: WindowEndListener): void {
    this.listeners.push(listener);
  }

  /** The window as the caller may know it: not_found unless the caller has a part in it (marking, then grants). */
  async context(caller: Caller, id: string, q: Q = this.db.kysely): Promise<WindowContext> {
    const viewer = viewerOf(caller);
    const row = await repo.findVisibleWindow(q, id, viewer, this.now());
    if (!row) throw AppError.notFound('review window', id);
    const grants = await repo.listGrants(q, id);
    const role = windowRole(viewer, row.developer_org_id, grants.map(grantParty));
    if (!role) throw AppError.notFound('review window', id);
    return { row, grants, role };
  }

  /** Developer members (write scope) only; others who see the window get 403, others 404. */
  async asDeveloper(caller: Caller, id: string, q: Q = this.db.kysely): Promise<WindowContext> {
    const p = requireScope(caller, 'write');
    const ctx = await this.context(caller, id, q);
    if (!isDeveloper(p.viewer, ctx.row.developer_org_id))
      throw new AppError('forbidden', 'only the developer organisation may do this');
    return ctx;
  }

  async create(caller: Caller, body: CreateWindowBody): Promise<WindowView> {
    const p = requireScope(caller, 'write');
    if (p.viewer.orgKind !== 'ai_developer')
      throw new AppError('forbidden', 'only AI developer organisations offer models');
    this.attachments.assertSizes(body.attachments.map((a) => ({ content: Buffer.from(a.contentBase64, 'base64') })));
    const partner = instant(body.trustedPartnerDate);
    if (partner <= this.now())
      throw AppError.validation([{ path: 'trustedPartnerDate', message: 'must be in the future' }]);
    if (body.publicDate && instant(body.publicDate) < partner)
      throw AppError.validation([{ path: 'publicDate', message: 'must not be before the trusted-partner date' }]);
    for (const [k, v] of Object.entries(body.limits.maxBudget))
      if (v <= 0) throw AppError.validation([{ path: `limits.maxBudget.${k}`, message: 'must be positive' }]);
    await checkEndpoint(body.endpoint.baseUrl);
    const id = randomUUID();
    const at = this.now();
    const w = createWindow({
      trustedPartnerDate: partner,
      maxWindowDays: Math.min(body.maxWindowDays ?? 30, this.opts.maxWindowDays),
    });
    await inTx(this.db, async (tx) => {
      await repo.insertWindow(tx, {
        id,
        developer_org_id: p.viewer.orgId,
        created_by_member_id: p.viewer.memberId,
        model_name: body.modelName,
        snapshot_id: body.snapshotId,
        trusted_partner_date: w.trustedPartnerDate,
        public_date: body.publicDate ? instant(body.publicDate) : null,
        state: w.state,
        max_window_days: w.maxWindowDays,
        offered_at: null,
        opened_at: null,
        closes_at: null,
        closed_at: null,
        close_reason: null,
        withdrawn_at: null,
        endpoint_base_url: body.endpoint.baseUrl.replace(/\/$/, ''),
        endpoint_secret: this.secrets.encrypt(body.endpoint.apiKey, id),
        variants: JSON.stringify(body.endpoint.variants),
        limits: JSON.stringify(body.limits),
        covered_ref: body.covered?.designationRef ?? null,
        covered_status: 'pending',
        reminders_sent: '[]',
        created_at: at,
        updated_at: at,
        data_purged_at: null,
      });
      const marking = windowMarking(p.viewer.orgId, p.viewer.memberId, []);
      await insertMarking(tx, id, 'review_window', marking);
      for (const a of body.attachments) await this.storeAttachment(tx, id, a, marking);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_window.create',
        objectType: 'review_window',
        objectId: id,
        details: {
          modelName: body.modelName,
          snapshotId: body.snapshotId,
          trustedPartnerDate: w.trustedPartnerDate,
          variants: body.endpoint.variants.map((v) => v.variant),
          maxWindowDays: w.maxWindowDays,
          attachments: body.attachments.length,
        },
      });
    });
    return this.get(caller, id);
  }

  private async storeAttachment(
    tx: Q,
    windowId: string,
    a: CreateWindowBody['attachments'][number],
    marking: ReturnType<typeof windowMarking>,
  ): Promise<AttachmentMeta> {
    return this.attachments.store(
      tx,
      { id: windowId, type: `review_window.${a.kind}` },
      {
        filename: a.filename,
        contentType: a.contentType,
        description: a.description,
        content: Buffer.from(a.contentBase64, 'base64'),
      },
      marking,
    );
  }

  async addAttachments(caller: Caller, id: string, items: CreateWindowBody['attachments']): Promise<WindowView> {
    this.attachments.assertSizes(items.map((a) => ({ content: Buffer.from(a.contentBase64, 'base64') })));
    await inTx(this.db, async (tx) => {
      const { row, grants } = await this.asDeveloper(caller, id, tx);
      if (isFinal(row.state as WindowState)) throw new AppError('conflict', `the window is ${row.state}`);
      const marking = windowMarking(row.developer_org_id, row.created_by_member_id, grants.map(grantParty));
      const stored = [];
      for (const a of items) stored.push(await this.storeAttachment(tx, id, a, marking));
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: 'review_window.attach',
        objectType: 'review_window',
        objectId: id,
        details: { attachments: stored.map((s) => ({ id: s.id, sha256: s.sha256, kind: s.parentType })) },
      });
    });
    return this.get(caller, id);
  }

  /** Re-mark the window and its attachments after the set of grantee organisations changed. */
  async remark(tx: Q, row: repo.WindowRow): Promise<void> {
    const grants = await repo.listGrants(tx, row.id);
    const marking = windowMarking(row.developer_org_id, row.created_by_member_id, grants.map(grantParty));
    await replaceMarking(tx, row.id, marking);
    for (const a of await repo.attachmentIds(tx, row.id)) await replaceMarking(tx, a, marking);
  }

  async get(caller: Caller, id: string, opts: { audit?: boolean } = {}): Promise<WindowView> {
    if (!opts.audit) return this.present(caller, await this.context(caller, id));
    return inTx(this.db, async (tx) => {
      const ctx = await this.context(caller, id, tx);
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: 'review_window.read',
        objectType: 'review_window',
        objectId: id,
        details: { tlp: 'AMBER', role: ctx.role },
      });
      return this.present(caller, ctx, tx);
    });
  }

  async list(
    caller: Caller,
    f: { state?: string; limit: number },
  ): Promise<{ items: Omit<WindowView, 'attachments' | 'terms' | 'consents'>[] }> {
    const p = requireScope(caller, 'read');
    return inTx(this.db, async (tx) => {
      const rows = await repo.listVisibleWindows(tx, p.viewer, this.now(), f);
      const items = [];
      for (const row of rows) {
        const grants = await repo.listGrants(tx, row.id);
        const role = windowRole(p.viewer, row.developer_org_id, grants.map(grantParty));
        if (!role) continue;
        const { attachments: _a, terms: _t, consents: _c, ...summary } = this.presentRow(caller, row, role, [], [], []);
        items.push(summary);
      }
      await this.audit.recordSensitiveList(
        tx,
        actorOf(caller),
        'review_window',
        items.map((i) => ({ id: i.id, tlp: 'AMBER' })),
      );
      return { items };
    });
  }

  private presentRow(
    caller: Caller,
    r: repo.WindowRow,
    role: WindowRole,
    attachments: WindowView['attachments'],
    terms: repo.TermsRow[],
    consents: repo.ConsentRow[],
  ): WindowView {
    const endpointVisible = role === 'coordinator' || isDeveloper(viewerOf(caller), r.developer_org_id);
    return presentWindow(
      { endpointVisible, gatewayBaseURL: this.opts.gatewayBaseURL },
      r,
      role,
      attachments,
      terms,
      consents,
    );
  }

  private async present(caller: Caller, ctx: WindowContext, q: Q = this.db.kysely): Promise<WindowView> {
    const atts = (await this.attachments.listFor(caller, ctx.row.id, q)).map((a) => ({
      ...a,
      kind: a.parentType.split('.')[1] ?? '',
    }));
    return this.presentRow(
      caller,
      ctx.row,
      ctx.role,
      atts,
      await repo.listTerms(q, ctx.row.id),
      await repo.listConsents(q, ctx.row.id),
    );
  }

  /** Replace endpoint parts (a new secret rotates it); never after the window ended. */
  async updateEndpoint(
    caller: Caller,
    id: string,
    body: { baseUrl?: string; apiKey?: string; variants?: { variant: string; modelId: string }[] },
  ): Promise<WindowView> {
    if (body.baseUrl) await checkEndpoint(body.baseUrl);
    await inTx(this.db, async (tx) => {
      const { row } = await this.asDeveloper(caller, id, tx);
      if (isFinal(row.state as WindowState)) throw new AppError('conflict', `the window is ${row.state}`);
      const patch: Partial<repo.WindowRow> = { updated_at: this.now() };
      if (body.baseUrl) patch.endpoint_base_url = body.baseUrl.replace(/\/$/, '');
      if (body.apiKey) patch.endpoint_secret = this.secrets.encrypt(body.apiKey, id);
      if (body.variants) patch.variants = JSON.stringify(body.variants);
      await repo.updateWindow(tx, id, patch);
      await this.audit.record(tx, {
        actor: actorOf(caller),
        action: 'review_window.endpoint',
        objectType: 'review_window',
        objectId: id,
        // Names what changed; the secret itself never enters the audit log.
        details: {
          baseUrl: !!body.baseUrl,
          secretRotated: !!body.apiKey,
          variants: body.variants?.map((v) => v.variant) ?? null,
        },
      });
    });
    return this.get(caller, id);
  }

  /** Coordinators record the covered status decided outside this system: an opaque reference and a status only. */
  async setCovered(
    caller: Caller,
    id: string,
    body: { designationRef: string | null; status: string },
  ): Promise<WindowView> {
    const p = requireScope(caller, 'write');
    await inTx(this.db, async (tx) => {
      const { role } = await this.context(caller, id, tx);
      if (role !== 'coordinator') throw new AppError('forbidden', 'only coordinators record covered status');
      await repo.updateWindow(tx, id, {
        covered_ref: body.designationRef,
        covered_status: body.status,
        updated_at: this.now(),
      });
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_window.covered',
        objectType: 'review_window',
        objectId: id,
        details: body,
      });
    });
    return this.get(caller, id);
  }

  /** offer (developer), open (developer or coordinator, after the developer signed the latest government terms). */
  async act(caller: Caller, id: string, action: 'offer' | 'open' | 'close' | 'withdraw'): Promise<WindowView> {
    const p = requireScope(caller, 'write');
    const ended = await inTx(this.db, async (tx) => {
      const ctx = await this.context(caller, id, tx);
      const dev = isDeveloper(p.viewer, ctx.row.developer_org_id);
      if (!(dev || (action === 'open' && ctx.role === 'coordinator')))
        throw new AppError('forbidden', `only the developer organisation may ${action} this window`);
      const terms = await repo.listTerms(tx, id);
      if (action === 'offer' && !latestTerms(terms, 'government'))
        throw new AppError('conflict', 'add the government terms before offering');
      if (action === 'open') {
        const gov = latestTerms(terms, 'government');
        const consents = await repo.listConsents(tx, id);
        if (!gov || !consents.some((c) => c.terms_id === gov.id && c.party === 'developer'))
          throw new AppError('conflict', 'the developer has not signed the latest government terms');
      }
      return this.apply(tx, ctx.row, { type: action, at: this.clock() }, actorOf(p));
    });
    if (ended) for (const f of this.afterEnd) f(id);
    return this.get(caller, id);
  }

  async movePartnerDate(caller: Caller, id: string, date: string): Promise<WindowView> {
    await inTx(this.db, async (tx) => {
      const { row } = await this.asDeveloper(caller, id, tx);
      const at = new Date(instant(date));
      if (at.getTime() <= this.clock().getTime())
        throw AppError.validation([{ path: 'trustedPartnerDate', message: 'must be in the future' }]);
      await this.apply(
        tx,
        row,
        { type: 'move_partner_date', at: this.clock(), trustedPartnerDate: at },
        actorOf(caller),
      );
    });
    return this.get(caller, id);
  }

  /** The scheduler's close: applies `expire` when due; returns false when another node or call got there first. */
  async expire(id: string, at: Date): Promise<boolean> {
    const ended = await inTx(this.db, async (tx) => {
      const row = await repo.findWindow(tx, id);
      if (!row || row.state !== 'open') return false;
      return this.apply(tx, row, { type: 'expire', at }, SYSTEM_ACTOR);
    });
    if (ended) for (const f of this.afterEnd) f(id);
    return ended;
  }

  /** Apply one event; on an ending event revoke grants and keys, wipe the secret, tell the listeners. Audited. */
  private async apply(tx: Q, row: repo.WindowRow, e: WindowEvent, actor: AuditActor): Promise<boolean> {
    const t = transition(toWindow(row), e);
    const at = this.now();
    if (!(await repo.casWindow(tx, row.id, row.state, { ...fromWindow(t.window), updated_at: at })))
      throw new AppError('conflict', 'the window changed meanwhile; try again');
    const ending = t.effects.includes('revoke_grants');
    const effects: string[] = [...t.effects];
    let grantsRevoked = 0;
    let keysRevoked = 0;
    let purged = 0;
    const reason: EndReason = e.type === 'withdraw' ? 'withdrawn' : e.type === 'expire' ? 'expired' : 'closed';
    if (ending) {
      await this.notify(tx, row, 'review.window.ended', { reason, state: t.window.state, at });
      grantsRevoked = await repo.endGrants(tx, row.id, at, `window_${reason}`);
      keysRevoked = await repo.revokeKeys(tx, { windowId: row.id }, at);
      // The upstream secret is no longer needed by anyone: wipe it.
      await repo.updateWindow(tx, row.id, { endpoint_secret: null });
      if (t.effects.includes('apply_retention')) {
        const gov = latestTerms(await repo.listTerms(tx, row.id), 'government');
        if (gov?.on_withdrawal === 'purge') {
          effects.push('purge_data');
          purged = await repo.purgeGatewayLog(tx, row.id);
          await repo.updateWindow(tx, row.id, { data_purged_at: at });
        }
      }
    }
    await this.audit.record(tx, {
      actor,
      action: `review_window.${e.type}`,
      objectType: 'review_window',
      objectId: row.id,
      details: {
        from: row.state,
        to: t.window.state,
        effects,
        ...(t.window.closesAt ? { closesAt: t.window.closesAt } : {}),
        ...(t.window.closeReason && t.window.state === 'closed' ? { closeReason: t.window.closeReason } : {}),
        ...(ending ? { grantsRevoked, keysRevoked, gatewayLogPurged: purged } : {}),
      },
    });
    if (ending) for (const l of this.listeners) await l(tx, row.id, reason, effects);
    return ending;
  }

  /** Tell the developer and every organisation with an active grant (outbox events, when notifications exist). */
  private async notify(tx: Q, row: repo.WindowRow, type: string, payload: Record<string, unknown>): Promise<void> {
    const outbox = this.opts.outbox?.();
    if (!outbox) return;
    const grants = await repo.listGrants(tx, row.id);
    const orgs = new Set([
      row.developer_org_id,
      ...grants.filter((g) => g.status === 'active').map((g) => g.grantee_org_id),
    ]);
    await outbox.enqueue(
      tx,
      [...orgs].map((orgId) => ({
        orgId,
        type,
        subject: row.id,
        payload: { windowId: row.id, modelName: row.model_name, snapshotId: row.snapshot_id, ...payload },
      })),
    );
  }

  /** Reminders 7 days and 1 day before an open window closes, each once, as audit entries. Returns how many. */
  async remind(now: Date): Promise<number> {
    let n = 0;
    for (const row of await repo.listOpenWindows(this.db.kysely)) {
      const sent = new Set(JSON.parse(row.reminders_sent) as number[]);
      const closes = Date.parse(row.closes_at ?? '');
      const due = [7, 1].filter(
        (d) => !sent.has(d) && reminderInstants(toWindow(row), [d]).some((i) => i <= now) && now.getTime() < closes,
      );
      if (due.length === 0) continue;
      await inTx(this.db, async (tx) => {
        // Only the pass that moves reminders_sent from what it read records them (several nodes may run the scheduler).
        if (!(await repo.casReminders(tx, row.id, row.reminders_sent, JSON.stringify([...sent, ...due].sort()))))
          return;
        for (const d of due) {
          await this.audit.record(tx, {
            actor: SYSTEM_ACTOR,
            action: 'review_window.reminder',
            objectType: 'review_window',
            objectId: row.id,
            details: { daysBefore: d, closesAt: row.closes_at },
          });
          await this.notify(tx, row, 'review.window.reminder', { daysBefore: d, closesAt: row.closes_at });
          n++;
        }
      });
    }
    return n;
  }

  /**
   * Retention: once the retention period of the latest government terms has passed since a window ended (closed,
   * expired, or withdrawn under `keep`), its data is purged. One transaction per window: the gateway log is deleted,
   * the `onWindowEnd` listeners get the effect `purge_data` (with `retention_expired`, and the reason the window ended
   * with) so runs and findings are purged the way a withdrawal under `purge` does it, and one audit entry records it.
   * Windows without government terms have nothing to keep (retention 0). Returns how many windows were purged.
   */
  async purgeExpiredData(now: Date): Promise<number> {
    let n = 0;
    for (const row of await repo.keptEndedWindows(this.db.kysely)) {
      const endedAt = row.state === 'withdrawn' ? row.withdrawn_at : row.closed_at;
      const retentionDays = row.retention_days ?? 0;
      if (!endedAt) continue;
      const dueAt = Date.parse(endedAt) + retentionDays * 86_400_000;
      if (now.getTime() < dueAt) continue;
      const reason: EndReason =
        row.state === 'withdrawn' ? 'withdrawn' : row.close_reason === 'developer_closed' ? 'closed' : 'expired';
      const done = await inTx(this.db, async (tx) => {
        // Only the pass that marks the window purged carries it out (several nodes may run the sweep).
        if (!(await repo.casDataPurged(tx, row.id, now.toISOString()))) return false;
        const gatewayLogPurged = await repo.purgeGatewayLog(tx, row.id);
        const effects = ['purge_data', 'retention_expired'];
        await this.audit.record(tx, {
          actor: SYSTEM_ACTOR,
          action: 'review_window.retention_purge',
          objectType: 'review_window',
          objectId: row.id,
          details: {
            state: row.state,
            endedAt,
            retentionDays,
            dueAt: new Date(dueAt).toISOString(),
            effects,
            gatewayLogPurged,
          },
        });
        for (const l of this.listeners) await l(tx, row.id, reason, effects);
        return true;
      });
      if (done) n++;
    }
    return n;
  }

  async listOpen(): Promise<{ id: string; window: ReviewWindow }[]> {
    return (await repo.listOpenWindows(this.db.kysely)).map((r) => ({ id: r.id, window: toWindow(r) }));
  }

  /** Gateway call metadata (never content), for the developer and coordinators. */
  async gatewayLog(caller: Caller, id: string, limit: number) {
    const ctx = await this.context(caller, id);
    if (!(ctx.role === 'coordinator' || isDeveloper(viewerOf(caller), ctx.row.developer_org_id)))
      throw new AppError('forbidden', 'the gateway log is for the developer and coordinators');
    const rows = await repo.listGatewayLog(this.db.kysely, id, limit);
    return {
      items: rows.map((x) => ({
        id: x.id,
        grantId: x.grant_id,
        keyId: x.key_id,
        variant: x.variant,
        at: x.at,
        status: x.status,
        outcome: x.outcome,
        latencyMs: x.latency_ms,
        promptTokens: x.prompt_tokens,
        completionTokens: x.completion_tokens,
        requestSha256: x.request_sha256,
        responseSha256: x.response_sha256,
      })),
    };
  }

  /** Export section for the developer organisation: its windows, terms, consents and grants; never the secret. */
  async exportFor(q: Q, orgId: string): Promise<Record<string, unknown[]>> {
    const out = [];
    for (const r of await repo.windowsOfOrg(q, orgId)) {
      const { endpoint_secret: _secret, ...rest } = r;
      out.push({
        ...rest,
        secretStored: r.endpoint_secret !== null,
        terms: await repo.listTerms(q, r.id),
        consents: await repo.listConsents(q, r.id),
        grants: await repo.listGrants(q, r.id),
      });
    }
    return { reviewWindows: out };
  }
}
