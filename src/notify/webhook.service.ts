/**
 * Webhook subscriptions per organisation: create, list, change, delete, rotate the secret, ping, the delivery log and
 * redelivery of a dead letter. One transaction per change, audited inside it. Who may: admins of the owning
 * organisation (and coordinator admins); coordinators may read every subscription and log. Anyone else gets 404.
 */
import { randomUUID } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { WebhookConfig } from '../config.js';
import type { Db } from '../db/connect.js';
import { fromJson, toJson } from '../db/json.js';
import { inTx, type Q } from '../db/tx.js';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor, type Page } from '../http/paging.js';
import {
  actorOf,
  type Caller,
  type Principal,
  requireMember,
  requireOrgAdmin,
  requireScope,
} from '../participants/principal.js';
import { refuseUrl } from './address-guard.js';
import type { AttemptOutcome, Dispatcher } from './dispatcher.js';
import * as repo from './notify.repository.js';
import { newDelivery } from './outbox.js';
import { newWebhookSecret, type SecretBox } from './secret-box.js';
import type { CreateWebhookBody, DeliveryListQuery, PatchWebhookBody } from './webhook.schema.js';

export interface WebhookSubscription {
  id: string;
  orgId: string;
  url: string;
  eventTypes: string[];
  description: string;
  active: boolean;
  disabledReason: string | null;
  secretRotatedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryAttempt {
  seq: number;
  at: string;
  nodeId: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'dead';
  nextAttemptAt: string | null;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  subject?: string;
  state: repo.DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  deadAt: string | null;
  log: DeliveryAttempt[];
}

function present(row: repo.SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    orgId: row.org_id,
    url: row.url,
    eventTypes: fromJson<string[]>(row.event_types, []),
    description: row.description,
    active: row.active === 1,
    disabledReason: row.disabled_reason,
    secretRotatedAt: row.secret_rotated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function presentAttempt(a: repo.AttemptRow): DeliveryAttempt {
  return {
    seq: a.seq,
    at: a.at,
    nodeId: a.node_id,
    statusCode: a.status_code,
    latencyMs: a.latency_ms,
    error: a.error,
    outcome: a.outcome,
    nextAttemptAt: a.next_attempt_at,
  };
}

function byDelivery(attempts: repo.AttemptRow[]): Map<string, repo.AttemptRow[]> {
  const m = new Map<string, repo.AttemptRow[]>();
  for (const a of attempts) {
    const list = m.get(a.delivery_id) ?? [];
    list.push(a);
    m.set(a.delivery_id, list);
  }
  return m;
}

function presentDelivery(
  d: repo.DeliveryRow & { subject?: string },
  attempts: Map<string, repo.AttemptRow[]>,
): WebhookDelivery {
  return {
    id: d.id,
    subscriptionId: d.subscription_id,
    eventId: d.event_id,
    eventType: d.event_type,
    ...(d.subject !== undefined ? { subject: d.subject } : {}),
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.state === 'pending' || d.state === 'delivering' ? d.next_attempt_at : null,
    lastStatus: d.last_status,
    lastError: d.last_error,
    createdAt: d.created_at,
    deliveredAt: d.delivered_at,
    deadAt: d.dead_at,
    log: (attempts.get(d.id) ?? []).map(presentAttempt),
  };
}

/** Finished deliveries and their attempt log are kept this long. */
export const RETENTION_DAYS = 90;

export class WebhookService {
  /** Set by the module once the dispatcher exists (ping sends at once; redelivery wakes the loop). */
  dispatcher: Dispatcher | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: () => Date,
    private readonly cfg: WebhookConfig,
    private readonly secrets: SecretBox,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private async checkUrl(url: string, path = 'url'): Promise<void> {
    const why = await refuseUrl(url, this.cfg.allowPrivate);
    if (why) throw AppError.validation([{ path, message: why }]);
  }

  /** The subscription if the caller may read it (its organisation's admins, coordinators); else 404. */
  private async readable(q: Q, caller: Caller, id: string): Promise<repo.SubscriptionRow> {
    const p = requireScope(caller, 'read');
    const row = await repo.findSubscription(q, id);
    const mayRead =
      row && (p.viewer.orgKind === 'coordinator' || (p.viewer.orgId === row.org_id && p.viewer.role === 'admin'));
    if (!row || !mayRead) throw AppError.notFound('webhook', id);
    return row;
  }

  /** The subscription if the caller may change it (admins of its organisation, coordinator admins); else 404/403. */
  private async writable(q: Q, caller: Caller, id: string): Promise<{ row: repo.SubscriptionRow; p: Principal }> {
    const row = await this.readable(q, caller, id);
    return { row, p: requireOrgAdmin(caller, row.org_id) };
  }

  async create(caller: Caller, input: CreateWebhookBody): Promise<WebhookSubscription & { secret: string }> {
    const me = requireMember(caller);
    const orgId = input.orgId ?? me.viewer.orgId;
    const p = requireOrgAdmin(caller, orgId);
    await this.checkUrl(input.url);
    const secret = newWebhookSecret();
    return inTx(this.db, async (tx) => {
      const org = await tx.selectFrom('organisations').select('status').where('id', '=', orgId).executeTakeFirst();
      if (org?.status !== 'active') throw AppError.notFound('active organisation', orgId);
      const now = this.now();
      const row: repo.SubscriptionRow = {
        id: randomUUID(),
        org_id: orgId,
        url: input.url,
        event_types: toJson([...new Set(input.eventTypes)]),
        description: input.description,
        active: input.active ? 1 : 0,
        disabled_reason: null,
        secret: this.secrets.seal(secret),
        secret_rotated_at: now,
        created_by_member_id: p.viewer.memberId,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      };
      await repo.insertSubscription(tx, row);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.create',
        objectType: 'webhook',
        objectId: row.id,
        details: { orgId, url: row.url, eventTypes: input.eventTypes, active: input.active },
      });
      return { ...present(row), secret };
    });
  }

  /** Coordinators: every subscription (or one organisation's with orgId); organisation admins: their own. */
  async list(caller: Caller, query: { orgId?: string | undefined }): Promise<WebhookSubscription[]> {
    const p = requireScope(caller, 'read');
    let orgId: string | null;
    if (p.viewer.orgKind === 'coordinator') orgId = query.orgId ?? null;
    else {
      if (query.orgId && query.orgId !== p.viewer.orgId)
        throw new AppError('forbidden', 'webhooks of another organisation are not listed');
      requireOrgAdmin(caller, p.viewer.orgId);
      orgId = p.viewer.orgId;
    }
    return (await repo.listSubscriptions(this.db.kysely, orgId)).map(present);
  }

  async get(caller: Caller, id: string): Promise<WebhookSubscription> {
    return present(await this.readable(this.db.kysely, caller, id));
  }

  async update(caller: Caller, id: string, patch: PatchWebhookBody): Promise<WebhookSubscription> {
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    return inTx(this.db, async (tx) => {
      const { row, p } = await this.writable(tx, caller, id);
      if (patch.active === true) {
        const org = await tx
          .selectFrom('organisations')
          .select('status')
          .where('id', '=', row.org_id)
          .executeTakeFirst();
        if (org?.status !== 'active')
          throw new AppError('conflict', 'the organisation has withdrawn; its webhooks stay disabled');
      }
      const set: Parameters<typeof repo.updateSubscription>[2] = { updated_at: this.now() };
      if (patch.url !== undefined) set.url = patch.url;
      if (patch.eventTypes !== undefined) set.event_types = toJson([...new Set(patch.eventTypes)]);
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.active !== undefined) {
        set.active = patch.active ? 1 : 0;
        set.disabled_reason = patch.active ? null : 'disabled by an administrator';
      }
      await repo.updateSubscription(tx, id, set);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.update',
        objectType: 'webhook',
        objectId: id,
        details: { orgId: row.org_id, fields: Object.keys(patch), ...(patch.url ? { url: patch.url } : {}) },
      });
      return present({ ...row, ...set } as repo.SubscriptionRow);
    });
  }

  /** Delete: the subscription stops and disappears from the API; its delivery log is kept for the export bundle. */
  async remove(caller: Caller, id: string): Promise<void> {
    await inTx(this.db, async (tx) => {
      const { row, p } = await this.writable(tx, caller, id);
      const now = this.now();
      await repo.updateSubscription(tx, id, {
        active: 0,
        disabled_reason: 'deleted',
        deleted_at: now,
        updated_at: now,
        secret: 'deleted:',
      });
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.delete',
        objectType: 'webhook',
        objectId: id,
        details: { orgId: row.org_id },
      });
    });
  }

  /** A new signing secret, returned once; the previous one stops working at once. */
  async rotateSecret(caller: Caller, id: string): Promise<WebhookSubscription & { secret: string }> {
    const secret = newWebhookSecret();
    return inTx(this.db, async (tx) => {
      const { row, p } = await this.writable(tx, caller, id);
      const now = this.now();
      await repo.updateSubscription(tx, id, {
        secret: this.secrets.seal(secret),
        secret_rotated_at: now,
        updated_at: now,
      });
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.rotate_secret',
        objectType: 'webhook',
        objectId: id,
        details: { orgId: row.org_id },
      });
      return { ...present({ ...row, secret_rotated_at: now, updated_at: now }), secret };
    });
  }

  /** Send a `ping` event to this subscription now; the answer carries the delivery and its first attempt. */
  async ping(caller: Caller, id: string): Promise<WebhookDelivery> {
    const deliveryId = await inTx(this.db, async (tx) => {
      const { row, p } = await this.writable(tx, caller, id);
      if (row.active !== 1) throw new AppError('conflict', 'the webhook is not active; activate it first');
      const now = this.now();
      const eventId = randomUUID();
      await repo.insertEvents(tx, [
        {
          id: eventId,
          org_id: row.org_id,
          type: 'ping',
          subject: id,
          payload: toJson({ webhookId: id, message: 'ping from the clearinghouse' }),
          created_at: now,
        },
      ]);
      const d = newDelivery(id, eventId, row.org_id, 'ping', now);
      await repo.insertDeliveries(tx, [d]);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.ping',
        objectType: 'webhook',
        objectId: id,
        details: { orgId: row.org_id, deliveryId: d.id },
      });
      return d.id;
    });
    await this.dispatcher?.deliverNow(deliveryId);
    return this.delivery(caller, id, deliveryId);
  }

  async delivery(caller: Caller, id: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.readable(this.db.kysely, caller, id);
    const d = await repo.findDelivery(this.db.kysely, deliveryId);
    if (!d || d.subscription_id !== id) throw AppError.notFound('delivery', deliveryId);
    return presentDelivery(d, byDelivery(await repo.attemptsOf(this.db.kysely, [d.id])));
  }

  /** The delivery log, newest first, each delivery with its attempts. */
  async deliveries(caller: Caller, id: string, query: DeliveryListQuery): Promise<Page<WebhookDelivery>> {
    await this.readable(this.db.kysely, caller, id);
    const cur = decodeCursor(query.cursor);
    const before =
      cur && typeof cur[0] === 'string' && typeof cur[1] === 'string' ? { createdAt: cur[0], id: cur[1] } : undefined;
    const rows = await repo.listDeliveries(this.db.kysely, id, {
      limit: query.limit + 1,
      state: query.state,
      before,
    });
    const page = rows.slice(0, query.limit);
    const attempts = byDelivery(
      await repo.attemptsOf(
        this.db.kysely,
        page.map((d) => d.id),
      ),
    );
    const last = page[page.length - 1];
    return {
      items: page.map((d) => presentDelivery(d, attempts)),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
    };
  }

  /** Put a dead (or delivered) delivery back in the queue with a fresh attempt budget. */
  async redeliver(caller: Caller, id: string, deliveryId: string): Promise<WebhookDelivery> {
    await inTx(this.db, async (tx) => {
      const { row, p } = await this.writable(tx, caller, id);
      const d = await repo.findDelivery(tx, deliveryId);
      if (!d || d.subscription_id !== id) throw AppError.notFound('delivery', deliveryId);
      if (d.state !== 'dead' && d.state !== 'delivered')
        throw new AppError('conflict', `the delivery is ${d.state}; only dead or delivered ones are redelivered`);
      await repo.requeueDelivery(tx, deliveryId, this.now());
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'webhook.redeliver',
        objectType: 'webhook',
        objectId: id,
        details: { orgId: row.org_id, deliveryId, previousState: d.state },
      });
    });
    this.dispatcher?.wake();
    return this.delivery(caller, id, deliveryId);
  }

  /** Subscriptions of organisations that withdrew are disabled (audited; run before each dispatch round). */
  async disableWithdrawn(): Promise<number> {
    const found = await repo.activeOfWithdrawnOrgs(this.db.kysely);
    if (found.length === 0) return 0;
    return inTx(this.db, async (tx) => {
      const now = this.now();
      const rows = await repo.activeOfWithdrawnOrgs(tx);
      let n = 0;
      for (const r of rows) {
        // Several nodes may sweep at once: only the one that switched it off records it.
        if (!(await repo.disableIfActive(tx, r.id, 'organisation withdrawn', now))) continue;
        n++;
        await this.audit.record(tx, {
          actor: { orgId: null, memberId: null },
          action: 'webhook.disable',
          objectType: 'webhook',
          objectId: r.id,
          details: { orgId: r.org_id, reason: 'organisation withdrawn' },
        });
      }
      return n;
    });
  }

  /**
   * Delete finished deliveries (delivered or dead) and their attempts after RETENTION_DAYS, and events left without
   * deliveries. Runs at most once an hour per process (from the dispatcher round); returns the deliveries removed.
   */
  async purgeOld(force = false): Promise<number> {
    const nowMs = this.clock().getTime();
    if (!force && nowMs - this.lastPurge < 3_600_000) return 0;
    this.lastPurge = nowMs;
    const before = new Date(nowMs - RETENTION_DAYS * 86_400_000).toISOString();
    return inTx(this.db, (tx) => repo.purgeFinished(tx, before));
  }

  private lastPurge = 0;

  /** The organisation's export bundle section: subscriptions (never secrets) and the delivery log. */
  async exportFor(q: Q, orgId: string): Promise<Record<string, unknown[]>> {
    const subs = await repo.subscriptionsOfOrgForExport(q, orgId);
    const deliveries = await repo.deliveriesOfOrgForExport(q, orgId);
    const attempts = byDelivery(
      await repo.attemptsOf(
        q,
        deliveries.map((d) => d.id),
      ),
    );
    return {
      webhooks: subs.map((s) => ({ ...present(s), deletedAt: s.deleted_at })),
      webhookDeliveries: deliveries.map((d) => presentDelivery(d, attempts)),
    };
  }
}

export type { AttemptOutcome };
