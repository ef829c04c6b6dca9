/**
 * Notification persistence: Kysely queries only. The tables join the core `Database` type by declaration merging.
 * Delivery claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL so that several nodes can dispatch at once without
 * taking the same rows; a claim carries a lease, and a lapsed lease (a node that crashed mid-delivery) is claimable.
 */
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { Q } from '../db/tx.js';

export interface NotifyEventsTable {
  id: string;
  org_id: string;
  type: string;
  subject: string;
  payload: string;
  created_at: string;
}

export interface WebhookSubscriptionsTable {
  id: string;
  org_id: string;
  url: string;
  event_types: string;
  description: string;
  active: number;
  disabled_reason: string | null;
  secret: string;
  secret_rotated_at: string;
  created_by_member_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export type DeliveryState = 'pending' | 'delivering' | 'delivered' | 'dead';

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  event_id: string;
  org_id: string;
  event_type: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  claim_token: string | null;
  claimed_by: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  dead_at: string | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  seq: number;
  at: string;
  node_id: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  outcome: 'delivered' | 'retry' | 'dead';
  next_attempt_at: string | null;
}

declare module '../db/schema.js' {
  interface Database {
    notify_events: NotifyEventsTable;
    webhook_subscriptions: WebhookSubscriptionsTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}

export type SubscriptionRow = WebhookSubscriptionsTable;
export type DeliveryRow = WebhookDeliveriesTable;
export type AttemptRow = WebhookAttemptsTable;

// ---- events and subscriptions

export async function insertEvents(q: Q, rows: NotifyEventsTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await q
      .insertInto('notify_events')
      .values(rows.slice(i, i + 200))
      .execute();
}

export async function insertDeliveries(q: Q, rows: DeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await q
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .execute();
}

/** Active subscriptions of active organisations among orgIds (the targets of new events). */
export async function activeSubscriptionsOf(
  q: Q,
  orgIds: string[],
): Promise<Pick<SubscriptionRow, 'id' | 'org_id' | 'event_types'>[]> {
  if (orgIds.length === 0) return [];
  return q
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('organisations as o', 'o.id', 's.org_id')
    .select(['s.id', 's.org_id', 's.event_types'])
    .where('s.org_id', 'in', orgIds)
    .where('s.active', '=', 1)
    .where('s.deleted_at', 'is', null)
    .where('o.status', '=', 'active')
    .execute();
}

export async function insertSubscription(q: Q, row: SubscriptionRow): Promise<void> {
  await q.insertInto('webhook_subscriptions').values(row).execute();
}

export async function findSubscription(q: Q, id: string): Promise<SubscriptionRow | undefined> {
  return q
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listSubscriptions(q: Q, orgId: string | null): Promise<SubscriptionRow[]> {
  return q
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('deleted_at', 'is', null)
    .$if(orgId !== null, (qb) => qb.where('org_id', '=', orgId as string))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateSubscription(
  q: Q,
  id: string,
  patch: Partial<Omit<SubscriptionRow, 'id' | 'org_id' | 'created_at'>>,
): Promise<void> {
  await q.updateTable('webhook_subscriptions').set(patch).where('id', '=', id).execute();
}

/** Switch one subscription off if it is still on; false when another node did it first. */
export async function disableIfActive(q: Q, id: string, reason: string, now: string): Promise<boolean> {
  const res = await q
    .updateTable('webhook_subscriptions')
    .set({ active: 0, disabled_reason: reason, updated_at: now })
    .where('id', '=', id)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Subscriptions still active although their organisation has withdrawn. */
export async function activeOfWithdrawnOrgs(q: Q): Promise<Pick<SubscriptionRow, 'id' | 'org_id'>[]> {
  return q
    .selectFrom('webhook_subscriptions as s')
    .innerJoin('organisations as o', 'o.id', 's.org_id')
    .select(['s.id', 's.org_id'])
    .where('s.active', '=', 1)
    .where('o.status', '<>', 'active')
    .execute();
}

export async function subscriptionsOfOrgForExport(q: Q, orgId: string): Promise<SubscriptionRow[]> {
  return q.selectFrom('webhook_subscriptions').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
}

// ---- deliveries

export async function findDelivery(q: Q, id: string): Promise<DeliveryRow | undefined> {
  return q.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listDeliveries(
  q: Q,
  subscriptionId: string,
  opts: { limit: number; state?: DeliveryState | undefined; before?: { createdAt: string; id: string } | undefined },
): Promise<(DeliveryRow & { subject: string })[]> {
  return q
    .selectFrom('webhook_deliveries as d')
    .innerJoin('notify_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select('e.subject')
    .where('d.subscription_id', '=', subscriptionId)
    .$if(opts.state !== undefined, (qb) => qb.where('d.state', '=', opts.state as DeliveryState))
    .$if(opts.before !== undefined, (qb) => {
      const b = opts.before as { createdAt: string; id: string };
      return qb.where((eb) =>
        eb.or([
          eb('d.created_at', '<', b.createdAt),
          eb.and([eb('d.created_at', '=', b.createdAt), eb('d.id', '<', b.id)]),
        ]),
      );
    })
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(opts.limit)
    .execute();
}

export async function attemptsOf(q: Q, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const out: AttemptRow[] = [];
  for (let i = 0; i < deliveryIds.length; i += 500)
    out.push(
      ...(await q
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', 'in', deliveryIds.slice(i, i + 500))
        .orderBy('delivery_id')
        .orderBy('seq')
        .execute()),
    );
  return out;
}

export async function deliveriesOfOrgForExport(q: Q, orgId: string): Promise<DeliveryRow[]> {
  return q
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function requeueDelivery(q: Q, id: string, now: string): Promise<void> {
  await q
    .updateTable('webhook_deliveries')
    .set({
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_until: null,
      claim_token: null,
      claimed_by: null,
      dead_at: null,
    })
    .where('id', '=', id)
    .execute();
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  attempts: number;
  claimToken: string;
  subscriptionId: string;
  url: string;
  secret: string;
  eventId: string;
  type: string;
  subject: string;
  payload: string;
  eventCreatedAt: string;
}

/**
 * Claim up to `limit` due deliveries (pending and due, or delivering with a lapsed lease) of active subscriptions, or
 * the one given by `onlyId`; each claim counts as an attempt (so a node that crashes mid-delivery cannot retry a
 * delivery forever). Run inside a transaction.
 */
export async function claimDue(
  db: Db,
  tx: Q,
  opts: { now: string; leaseUntil: string; limit: number; nodeId: string; claimToken: string; onlyId?: string },
): Promise<ClaimedDelivery[]> {
  const due = tx
    .selectFrom('webhook_deliveries')
    .select(['id', 'attempts'])
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', opts.now)]),
        eb.and([eb('state', '=', 'delivering'), eb('lease_until', '<', opts.now)]),
      ]),
    )
    .where('subscription_id', 'in', (eb) =>
      eb
        .selectFrom('webhook_subscriptions as s')
        .innerJoin('organisations as o', 'o.id', 's.org_id')
        .select('s.id')
        .where('s.active', '=', 1)
        .where('s.deleted_at', 'is', null)
        .where('o.status', '=', 'active'),
    )
    .$if(opts.onlyId !== undefined, (qb) => qb.where('id', '=', opts.onlyId as string))
    .orderBy('next_attempt_at')
    .limit(opts.limit)
    .$if(db.dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
  const rows = await due.execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  await tx
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      state: 'delivering',
      attempts: eb('attempts', '+', 1),
      lease_until: opts.leaseUntil,
      claim_token: opts.claimToken,
      claimed_by: opts.nodeId,
    }))
    .where('id', 'in', ids)
    .execute();
  const full = await tx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .innerJoin('notify_events as e', 'e.id', 'd.event_id')
    .select([
      'd.id',
      'd.attempts',
      'd.subscription_id',
      's.url',
      's.secret',
      'e.id as event_id',
      'e.type',
      'e.subject',
      'e.payload',
      'e.created_at as event_created_at',
    ])
    .where('d.id', 'in', ids)
    .execute();
  return full.map((r) => ({
    id: r.id,
    attempts: r.attempts,
    claimToken: opts.claimToken,
    subscriptionId: r.subscription_id,
    url: r.url,
    secret: r.secret,
    eventId: r.event_id,
    type: r.type,
    subject: r.subject,
    payload: r.payload,
    eventCreatedAt: r.event_created_at,
  }));
}

/** Record the outcome of a claimed attempt; returns false when the claim was lost (lease lapsed, another node took it). */
export async function finishAttempt(
  q: Q,
  d: { id: string; claimToken: string },
  state: Pick<DeliveryRow, 'state' | 'next_attempt_at' | 'last_status' | 'last_error' | 'delivered_at' | 'dead_at'>,
): Promise<boolean> {
  const res = await q
    .updateTable('webhook_deliveries')
    .set({ ...state, lease_until: null, claim_token: null })
    .where('id', '=', d.id)
    .where('claim_token', '=', d.claimToken)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function insertAttempt(q: Q, row: Omit<AttemptRow, 'seq'>): Promise<void> {
  const last = await q
    .selectFrom('webhook_attempts')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('delivery_id', '=', row.delivery_id)
    .executeTakeFirst();
  await q
    .insertInto('webhook_attempts')
    .values({ ...row, seq: Number(last?.seq ?? 0) + 1 })
    .execute();
}

/**
 * Retention: finished deliveries (delivered or dead) created before `before`, their attempts, and events left without
 * deliveries. Returns the number of deliveries removed.
 */
export async function purgeFinished(q: Q, before: string): Promise<number> {
  const old = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>) =>
    eb.and([eb('state', 'in', ['delivered', 'dead']), eb('created_at', '<', before)]);
  await q
    .deleteFrom('webhook_attempts')
    .where('delivery_id', 'in', (eb) => eb.selectFrom('webhook_deliveries').select('id').where(old))
    .execute();
  const res = await q.deleteFrom('webhook_deliveries').where(old).executeTakeFirst();
  await q
    .deleteFrom('notify_events')
    .where('created_at', '<', before)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'notify_events.id'),
        ),
      ),
    )
    .execute();
  return Number(res.numDeletedRows);
}
