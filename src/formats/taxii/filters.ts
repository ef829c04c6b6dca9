/**
 * TAXII 2.1 URL parameters (§3.4 filtering, §3.7 pagination) parsed into one filter. Pure. Bad values answer 400
 * naming the parameter; a `match[...]` field this server does not support is refused rather than silently ignored,
 * so a client never takes an unfiltered answer for a filtered one.
 */
import { badRequest } from './media.js';

export interface VersionMatch {
  all: boolean;
  first: boolean;
  last: boolean;
  /** Exact versions (STIX `modified`), as ISO-8601 UTC with milliseconds. */
  at: string[];
}

export interface TaxiiFilter {
  ids: string[] | null;
  types: string[] | null;
  versions: VersionMatch;
  specVersions: string[] | null;
  addedAfter: string | null;
  limit: number;
  /** Keyset position: (date_added as this caller sees it, sequence number) of the last object already sent. */
  next: { added: string; seq: number } | null;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export type Endpoint = 'objects' | 'object' | 'versions' | 'manifest' | 'delete';

const ALLOWED: Record<Endpoint, string[]> = {
  objects: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  manifest: ['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]'],
  object: ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]'],
  versions: ['added_after', 'limit', 'next', 'match[spec_version]'],
  delete: ['match[version]', 'match[spec_version]'],
};

const STIX_ID = /^[a-z0-9][a-z0-9-]*[a-z0-9]--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STIX_TYPE = /^[a-z0-9][a-z0-9-]{0,248}[a-z0-9]$/;
/** RFC 3339 with a zone (TAXII timestamps are UTC; an offset is accepted and normalised). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function isStixId(s: string): boolean {
  return STIX_ID.test(s);
}

/** An RFC 3339 timestamp as ISO-8601 UTC with milliseconds (sub-millisecond digits must be zero), or null. */
export function normaliseTimestamp(s: string): string | null {
  if (!TIMESTAMP.test(s)) return null;
  const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
  if (/[1-9]/.test(frac.slice(3))) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function values(query: Record<string, unknown>, key: string): string[] | null {
  const raw = query[key];
  if (raw === undefined) return null;
  const list = (Array.isArray(raw) ? raw : [raw]).map(String);
  const out = list.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (out.length === 0 || out.some((v) => v === '')) throw badRequest(`${key}: empty value`, { parameter: key });
  return out;
}

function single(query: Record<string, unknown>, key: string): string | null {
  const raw = query[key];
  if (raw === undefined) return null;
  if (Array.isArray(raw)) throw badRequest(`${key}: give it once`, { parameter: key });
  return String(raw);
}

function decodeNext(value: string): { added: string; seq: number } {
  try {
    const v: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isSafeInteger(v[1])) {
      const added = normaliseTimestamp(v[0]);
      if (added === v[0]) return { added, seq: v[1] as number };
    }
  } catch {
    // refused below
  }
  throw badRequest('next: not a value returned by this server', { parameter: 'next' });
}

export function encodeNext(added: string, seq: number): string {
  return Buffer.from(JSON.stringify([added, seq])).toString('base64url');
}

export function parseFilter(query: Record<string, unknown>, endpoint: Endpoint): TaxiiFilter {
  const allowed = ALLOWED[endpoint];
  const taxiiParameter = (k: string) => k.startsWith('match[') || ['added_after', 'limit', 'next'].includes(k);
  for (const key of Object.keys(query))
    if (taxiiParameter(key) && !allowed.includes(key))
      throw badRequest(`${key}: not supported on this endpoint (supported: ${allowed.join(', ')})`, {
        parameter: key,
      });

  const ids = values(query, 'match[id]');
  for (const id of ids ?? [])
    if (!isStixId(id)) throw badRequest(`match[id]: ${id} is not a STIX identifier`, { parameter: 'match[id]' });
  const types = values(query, 'match[type]');
  for (const t of types ?? [])
    if (!STIX_TYPE.test(t)) throw badRequest(`match[type]: ${t} is not a STIX type`, { parameter: 'match[type]' });
  const specVersions = values(query, 'match[spec_version]');
  for (const v of specVersions ?? [])
    if (!/^\d+\.\d+$/.test(v))
      throw badRequest(`match[spec_version]: ${v} is not a STIX version such as 2.1`, {
        parameter: 'match[spec_version]',
      });

  // The default is the latest version (TAXII 2.1 §3.4.2); the versions endpoint lists them all.
  const versions: VersionMatch = { all: endpoint === 'versions', first: false, last: false, at: [] };
  const vs = values(query, 'match[version]');
  if (vs === null) {
    if (endpoint !== 'versions' && endpoint !== 'delete') versions.last = true;
    if (endpoint === 'delete') versions.all = true;
  }
  for (const v of vs ?? []) {
    if (v === 'all') versions.all = true;
    else if (v === 'first') versions.first = true;
    else if (v === 'last') versions.last = true;
    else {
      const t = normaliseTimestamp(v);
      if (!t)
        throw badRequest(`match[version]: ${v} is not all, first, last or a timestamp`, {
          parameter: 'match[version]',
        });
      versions.at.push(t);
    }
  }

  const afterRaw = single(query, 'added_after');
  const addedAfter = afterRaw === null ? null : normaliseTimestamp(afterRaw);
  if (afterRaw !== null && addedAfter === null)
    throw badRequest(`added_after: ${afterRaw} is not an RFC 3339 timestamp`, { parameter: 'added_after' });

  const limitRaw = single(query, 'limit');
  let limit = DEFAULT_LIMIT;
  if (limitRaw !== null) {
    if (!/^\d{1,9}$/.test(limitRaw) || Number(limitRaw) < 1)
      throw badRequest(`limit: ${limitRaw} is not a positive integer`, { parameter: 'limit' });
    limit = Math.min(Number(limitRaw), MAX_LIMIT);
  }

  const nextRaw = single(query, 'next');
  return {
    ids,
    types,
    versions,
    specVersions,
    addedAfter,
    limit,
    next: nextRaw === null ? null : decodeNext(nextRaw),
  };
}
