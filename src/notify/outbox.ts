/**
 * The outbox: producers call enqueue(tx, events) inside the transaction of their change, so an event exists exactly when
 * the change committed (nothing lost on a crash, nothing sent for a rolled-back change). Each event is fanned out, in
 * the same transaction, to one delivery per matching active subscription of its organisation; the dispatcher sends
 * deliveries after commit.
 */
import { randomUUID } from 'node:crypto';
import { fromJson, toJson } from '../db/json.js';
import type { Q } from '../db/tx.js';
import * as repo from './notify.repository.js';
import { anyFilterMatches, EVENT_TYPE_PATTERN } from './webhook.js';

export interface OutboxEvent {
  orgId: string;
  type: string;
  subject: string;
  payload: Record<string, unknown>;
}

export class OutboxService {
  constructor(
    private readonly clock: () => Date,
    private readonly onEnqueued: () => void = () => {},
  ) {}

  /** Write events and their deliveries in the caller's transaction. Returns the number of deliveries created. */
  async enqueue(tx: Q, events: OutboxEvent[]): Promise<void> {
    await this.enqueueCounted(tx, events);
  }

  async enqueueCounted(tx: Q, events: OutboxEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    for (const e of events)
      if (!EVENT_TYPE_PATTERN.test(e.type) || !e.orgId)
        throw new Error(`outbox: bad event type or organisation (${e.type})`);
    const now = this.clock().toISOString();
    const subs = await repo.activeSubscriptionsOf(tx, [...new Set(events.map((e) => e.orgId))]);
    const byOrg = new Map<string, { id: string; filters: string[] }[]>();
    for (const s of subs) {
      const list = byOrg.get(s.org_id) ?? [];
      list.push({ id: s.id, filters: fromJson<string[]>(s.event_types, []) });
      byOrg.set(s.org_id, list);
    }
    const rows: repo.NotifyEventsTable[] = [];
    const deliveries: repo.DeliveryRow[] = [];
    for (const e of events) {
      const targets = (byOrg.get(e.orgId) ?? []).filter((s) => anyFilterMatches(s.filters, e.type));
      // An event no subscription wants is not kept: the outbox holds what is to be delivered.
      if (targets.length === 0) continue;
      const id = randomUUID();
      rows.push({ id, org_id: e.orgId, type: e.type, subject: e.subject, payload: toJson(e.payload), created_at: now });
      for (const s of targets) deliveries.push(newDelivery(s.id, id, e.orgId, e.type, now));
    }
    await repo.insertEvents(tx, rows);
    await repo.insertDeliveries(tx, deliveries);
    if (deliveries.length > 0) this.onEnqueued();
    return deliveries.length;
  }
}

export function newDelivery(
  subscriptionId: string,
  eventId: string,
  orgId: string,
  type: string,
  now: string,
): repo.DeliveryRow {
  return {
    id: randomUUID(),
    subscription_id: subscriptionId,
    event_id: eventId,
    org_id: orgId,
    event_type: type,
    state: 'pending',
    attempts: 0,
    next_attempt_at: now,
    lease_until: null,
    claim_token: null,
    claimed_by: null,
    last_status: null,
    last_error: null,
    created_at: now,
    delivered_at: null,
    dead_at: null,
  };
}
