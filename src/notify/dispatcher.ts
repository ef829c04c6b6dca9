/**
 * Sends claimed deliveries, after the producing transaction committed: at least once, with exponential backoff and
 * jitter, then `dead`. Every attempt is logged (status code, latency, error, next attempt). Several nodes may run a
 * dispatcher on one PostgreSQL database: claims skip rows locked by another node's claim, and a claim's lease lets
 * another node retry the deliveries of a node that crashed mid-delivery.
 */
import { randomUUID } from 'node:crypto';
import type { WebhookConfig } from '../config.js';
import type { Db } from '../db/connect.js';
import { inTx } from '../db/tx.js';
import * as repo from './notify.repository.js';
import type { SecretBox } from './secret-box.js';
import { type Sender, sendWebhook } from './sender.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  isExhausted,
  retryDelayMs,
  SIGNATURE_HEADER,
  signatureHeader,
} from './webhook.js';

export interface DispatchStats {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  /** Outcomes not recorded because the claim's lease had lapsed and another node took the delivery. */
  lost: number;
}

export interface DispatcherOptions {
  batch?: number;
  concurrency?: number;
  /** How long a claim is held; after it another node may retry. Default: the request timeout + 30 s. */
  leaseMs?: number;
  sender?: Sender;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Work to do before each round (the service disables subscriptions of withdrawn organisations). */
  beforeRun?: () => Promise<void>;
  onError?: (e: unknown) => void;
}

export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

export class Dispatcher {
  private readonly batch: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly sender: Sender;
  private readonly random: () => number;
  private wakeUp: (() => void) | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: () => Date,
    private readonly cfg: WebhookConfig,
    private readonly secrets: SecretBox,
    readonly nodeId: string,
    private readonly opts: DispatcherOptions = {},
  ) {
    this.batch = opts.batch ?? 25;
    this.concurrency = opts.concurrency ?? 4;
    this.leaseMs = opts.leaseMs ?? cfg.timeoutMs + 30_000;
    this.sender = opts.sender ?? sendWebhook;
    this.random = opts.random ?? Math.random;
  }

  /** One round: claim due deliveries and send them. Returns what happened (tests call this directly). */
  async runOnce(): Promise<DispatchStats> {
    await this.opts.beforeRun?.();
    return this.claimAndSend();
  }

  /** Send one delivery now if it is due or pending (ping); the outcome, or null when it was not claimable. */
  async deliverNow(deliveryId: string): Promise<AttemptOutcome | null> {
    const claimed = await this.claim(deliveryId);
    const d = claimed[0];
    if (!d) return null;
    return this.send(d);
  }

  private async claim(onlyId?: string): Promise<repo.ClaimedDelivery[]> {
    const now = this.clock();
    return inTx(this.db, (tx) =>
      repo.claimDue(this.db, tx, {
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + this.leaseMs).toISOString(),
        limit: onlyId ? 1 : this.batch,
        nodeId: this.nodeId,
        claimToken: randomUUID(),
        ...(onlyId ? { onlyId } : {}),
      }),
    );
  }

  private async claimAndSend(): Promise<DispatchStats> {
    const stats: DispatchStats = { claimed: 0, delivered: 0, retried: 0, dead: 0, lost: 0 };
    const claimed = await this.claim();
    stats.claimed = claimed.length;
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const d = claimed[next++] as repo.ClaimedDelivery;
        const outcome = await this.send(d);
        if (outcome === null) stats.lost++;
        else if (outcome === 'delivered') stats.delivered++;
        else if (outcome === 'retry') stats.retried++;
        else stats.dead++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, claimed.length) }, worker));
    return stats;
  }

  /** The body of a delivery: the event envelope, with the producer's payload as `data`, byte for byte. */
  static body(d: Pick<repo.ClaimedDelivery, 'eventId' | 'type' | 'subject' | 'eventCreatedAt' | 'payload'>): string {
    const head = JSON.stringify({ id: d.eventId, type: d.type, subject: d.subject, createdAt: d.eventCreatedAt });
    return `${head.slice(0, -1)},"data":${d.payload}}`;
  }

  private async send(d: repo.ClaimedDelivery): Promise<AttemptOutcome | null> {
    const body = Dispatcher.body(d);
    let result: Awaited<ReturnType<Sender>>;
    try {
      const secret = this.secrets.open(d.secret);
      const t = Math.floor(this.clock().getTime() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'clearinghouse-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(secret, body, t),
        [EVENT_HEADER]: d.type,
        [DELIVERY_HEADER]: d.id,
      };
      result = await this.sender(d.url, headers, body, {
        timeoutMs: this.cfg.timeoutMs,
        allowPrivate: this.cfg.allowPrivate,
      });
    } catch (e) {
      result = { ok: false, statusCode: null, latencyMs: 0, error: e instanceof Error ? e.message : String(e) };
    }
    const at = this.clock();
    const outcome: AttemptOutcome = result.ok ? 'delivered' : isExhausted(this.cfg, d.attempts) ? 'dead' : 'retry';
    const nextAt =
      outcome === 'retry'
        ? new Date(at.getTime() + retryDelayMs(this.cfg, d.attempts, this.random())).toISOString()
        : null;
    const error = result.error ? result.error.slice(0, 500) : null;
    try {
      return await inTx(this.db, async (tx) => {
        const kept = await repo.finishAttempt(tx, d, {
          state: outcome === 'retry' ? 'pending' : outcome,
          next_attempt_at: nextAt ?? at.toISOString(),
          last_status: result.statusCode,
          last_error: error,
          delivered_at: outcome === 'delivered' ? at.toISOString() : null,
          dead_at: outcome === 'dead' ? at.toISOString() : null,
        });
        await repo.insertAttempt(tx, {
          delivery_id: d.id,
          at: at.toISOString(),
          node_id: this.nodeId,
          status_code: result.statusCode,
          latency_ms: result.latencyMs,
          error,
          outcome,
          next_attempt_at: nextAt,
        });
        return kept ? outcome : null;
      });
    } catch (e) {
      // The attempt happened but could not be recorded (e.g. two nodes logging the same delivery at once): the lease
      // lapses and the delivery is tried again; at least once still holds.
      this.opts.onError?.(e);
      return null;
    }
  }

  /** Wake a sleeping loop early (new deliveries were enqueued on this node). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Poll every pollMs (sooner when woken, at once again while there was work); returns stop(). */
  start(pollMs = 1000): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    const loop = (async () => {
      while (!stopped) {
        let busy = false;
        try {
          busy = (await this.runOnce()).claimed > 0;
        } catch (e) {
          this.opts.onError?.(e);
        }
        if (stopped) break;
        if (busy) continue;
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          timer = setTimeout(resolve, pollMs);
        });
        this.wakeUp = null;
        if (timer) clearTimeout(timer);
      }
    })();
    return async () => {
      stopped = true;
      this.wakeUp?.();
      await loop;
    };
  }
}
