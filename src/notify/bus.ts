/**
 * The change bus between server processes. On PostgreSQL, publish() runs pg_notify in the caller's transaction, so a
 * message is delivered when (and only if) that transaction commits; one dedicated connection per process LISTENs on
 * the database's bus channel and hands each message to the local subscribers of its logical channel. Messages carry
 * the origin node id and a node skips its own. If the listening connection drops, it reconnects with backoff and
 * calls the resync handlers (messages sent while it was away are lost: subscribers reload what they keep in memory).
 * On SQLite there is one process: publish() is a no-op for other nodes.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../db/connect.js';
import type { Q } from '../db/tx.js';

export type BusHandler = (message: Record<string, unknown>) => void | Promise<void>;

/** pg_notify payloads are limited to 8000 bytes; ours carry ids, not documents. */
export const MAX_MESSAGE_BYTES = 7900;
const CHANNEL_PATTERN = /^[a-z0-9_.:-]{1,100}$/;

export interface Bus {
  readonly nodeId: string;
  publish(tx: Q, channel: string, message: Record<string, unknown>): Promise<void>;
  subscribe(channel: string, handler: BusHandler): () => void;
  /** Called after the listening connection came back (messages may have been missed while it was down). */
  onResync(handler: () => void | Promise<void>): () => void;
}

interface Envelope {
  o: string;
  c: string;
  m: Record<string, unknown>;
}

export class ChangeBus implements Bus {
  readonly nodeId = randomUUID();
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private readonly resyncHandlers = new Set<() => void | Promise<void>>();
  private pgChannel: Promise<string> | null = null;
  private client: pg.Client | null = null;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private everConnected = false;

  constructor(
    private readonly db: Db,
    /** The connection string for the listening connection (PostgreSQL). */
    private readonly databaseUrl: string,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** One PostgreSQL channel per schema, so that databases sharing a server (tests) do not hear each other. */
  private channelName(q: Q): Promise<string> {
    this.pgChannel ??= sql<{ s: string }>`SELECT current_schema() AS s`
      .execute(q)
      .then((r) => `clearinghouse_bus_${String(r.rows[0]?.s ?? 'public').replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 63))
      .catch((e) => {
        this.pgChannel = null;
        throw e;
      });
    return this.pgChannel;
  }

  async publish(tx: Q, channel: string, message: Record<string, unknown>): Promise<void> {
    if (!CHANNEL_PATTERN.test(channel)) throw new Error(`bus: bad channel name ${channel}`);
    if (this.db.dialect !== 'postgres') return;
    const payload = JSON.stringify({ o: this.nodeId, c: channel, m: message } satisfies Envelope);
    if (Buffer.byteLength(payload) > MAX_MESSAGE_BYTES)
      throw new Error(`bus: message on ${channel} is larger than ${MAX_MESSAGE_BYTES} bytes; send ids, not documents`);
    await sql`SELECT pg_notify(${await this.channelName(tx)}, ${payload})`.execute(tx);
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    const set = this.handlers.get(channel) ?? new Set<BusHandler>();
    set.add(handler);
    this.handlers.set(channel, set);
    return () => {
      set.delete(handler);
    };
  }

  onResync(handler: () => void | Promise<void>): () => void {
    this.resyncHandlers.add(handler);
    return () => {
      this.resyncHandlers.delete(handler);
    };
  }

  /** Begin listening (PostgreSQL); resolves once the first LISTEN is in place (or at once on SQLite). */
  async start(): Promise<void> {
    if (this.db.dialect !== 'postgres' || !this.stopped) return;
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => {});
  }

  /** The backend pid of the listening connection (tests drop it to prove reconnection). */
  async listenerPid(): Promise<number | null> {
    const c = this.client;
    if (!c) return null;
    const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return r.rows[0]?.pid ?? null;
  }

  private async connect(): Promise<void> {
    let channel: string;
    try {
      channel = await this.channelName(this.db.kysely);
    } catch (e) {
      this.onError(e);
      this.scheduleReconnect();
      return;
    }
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload) this.deliver(n.payload);
    });
    const lost = (e?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      if (e) this.onError(e);
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (e) {
      client.end().catch(() => {});
      this.onError(e);
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    if (this.everConnected) for (const h of this.resyncHandlers) this.safely(() => h());
    this.everConnected = true;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = Math.min(10_000, 100 * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.retryTimer = setTimeout(() => {
      this.connect().catch((e) => this.onError(e));
    }, delay);
  }

  private deliver(payload: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(payload) as Envelope;
    } catch (e) {
      this.onError(e);
      return;
    }
    if (env.o === this.nodeId) return;
    for (const h of this.handlers.get(env.c) ?? []) this.safely(() => h(env.m));
  }

  private safely(fn: () => void | Promise<void>): void {
    try {
      Promise.resolve(fn()).catch((e) => this.onError(e));
    } catch (e) {
      this.onError(e);
    }
  }
}
