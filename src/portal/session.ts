/**
 * The browser side of authentication: the session cookie (httpOnly, SameSite=Strict, Secure over TLS) and the CSRF
 * rule for requests it authenticates. API tokens (Authorization header) never pass through here: a request carrying
 * one is authenticated by the token alone and needs no CSRF token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Principal } from '../participants/principal.js';
import type { Services } from '../services.js';
import { type SessionInfo, sameSecret } from './portal.service.js';

export const SESSION_COOKIE = 'ch_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessions = new WeakMap<FastifyRequest, SessionInfo>();

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** Refuses a request that a browser marks as coming from another site (Origin or Sec-Fetch-Site). */
export function assertSameOrigin(req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    throw new AppError('forbidden', 'cross-site requests may not use the session cookie');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let same = false;
  try {
    // Through URL both sides lose a default port (http://h:80 is http://h).
    same = new URL(origin).host === new URL(`${req.protocol}://${req.host}`).host;
  } catch {
    same = false;
  }
  if (!same) throw new AppError('forbidden', `origin ${origin} is not this server`);
}

/**
 * The caller a session cookie names (null when there is none or it is not live). State-changing requests must also
 * come from this origin and carry the session's CSRF token in the X-CSRF-Token header.
 */
export async function sessionCaller(req: FastifyRequest, services: Services): Promise<Principal | null> {
  const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!secret) return null;
  const session = await services.portal.session(secret);
  if (!session) return null;
  sessions.set(req, session);
  // Signing in again needs no CSRF token (the page may have lost it); it checks the origin and ends this session.
  const signIn = req.method === 'POST' && req.url.split('?')[0] === '/api/v1/session';
  if (!SAFE_METHODS.has(req.method) && !signIn) {
    assertSameOrigin(req);
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken))
      throw new AppError('forbidden', 'a change made with the session cookie needs this session’s X-CSRF-Token header');
  }
  return session.principal;
}

export function sessionOf(req: FastifyRequest): SessionInfo | null {
  return sessions.get(req) ?? null;
}

function secure(req: FastifyRequest, services: Services): boolean {
  return req.protocol === 'https' || services.config.baseUrl.startsWith('https:');
}

export function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  value: string,
  expiresAt: string,
): void {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - services.clock().getTime()) / 1000));
  const attrs = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAge}`];
  if (secure(req, services)) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply, services: Services): void {
  const attrs = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0'];
  if (secure(req, services)) attrs.push('Secure');
  reply.header('set-cookie', attrs.join('; '));
}
