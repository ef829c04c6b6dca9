/**
 * Pure rules of webhook delivery: the signature, event-type filters, the retry schedule. No I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Clearinghouse-Signature';
export const EVENT_HEADER = 'Clearinghouse-Event';
export const DELIVERY_HEADER = 'Clearinghouse-Delivery';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the subscription's secret. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * What a receiver does (documented in docs/notifications.md): recompute the HMAC over "<t>.<raw body>", compare in
 * constant time, and refuse timestamps older than the tolerance (replays).
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const k = item.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), item.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return (parts.get('v1') ?? []).some((v) => {
    const got = Buffer.from(v);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

/** An event type: dotted lower-case segments, e.g. `exposure.finding.created`. */
export const EVENT_TYPE_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** An event-type filter: `*` (everything), `a.b` (a.b itself and everything under it), or `a.b.*` (the same). */
export const EVENT_FILTER_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;

export function filterMatches(filter: string, type: string): boolean {
  if (filter === '*') return true;
  const base = filter.endsWith('.*') ? filter.slice(0, -2) : filter;
  return type === base || type.startsWith(`${base}.`);
}

export function anyFilterMatches(filters: readonly string[], type: string): boolean {
  return filters.some((f) => filterMatches(f, type));
}

export interface RetryPolicy {
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
}

/**
 * Delay before attempt n+1 after n failed attempts (n >= 1): the exponential step base * 2^(n-1), capped at max, with
 * "equal jitter": half of the step is fixed and half is random, so attempts of many deliveries spread out but never
 * come sooner than half the step. `random` is in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: number): number {
  const step = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(step / 2 + (step / 2) * random);
}

/** Nothing is retried after maxAttempts: the delivery is dead (a dead letter, redelivered only by hand). */
export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}
