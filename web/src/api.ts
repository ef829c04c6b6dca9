/**
 * The portal speaks only the public REST API. The session cookie travels by itself (same origin); every change also
 * carries the session's CSRF token in X-CSRF-Token. Errors are RFC 9457 problem details, kept with their field issues.
 */

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: FieldIssue[];

  constructor(status: number, body: unknown) {
    const p = (typeof body === 'object' && body !== null ? body : {}) as {
      detail?: string;
      title?: string;
      code?: string;
      issues?: FieldIssue[];
    };
    super(p.detail ?? p.title ?? (typeof body === 'string' && body ? body.slice(0, 300) : `HTTP ${status}`));
    this.status = status;
    this.code = p.code ?? 'error';
    this.issues = Array.isArray(p.issues) ? p.issues : [];
  }
}

let csrfToken: string | null = null;

export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check the connection and try again.' });
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, data);
  return data as T;
}

/** Builds a query string from the set values only. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
