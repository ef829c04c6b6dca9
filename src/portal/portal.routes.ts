/** Sign-in, sign-out and invite routes. Sign-in and invite acceptance are public; the rest need a member. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { RouteRegistry } from '../http/route.js';
import { MEMBER_ROLES } from '../participants/participants.js';
import type { Services } from '../services.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './password.js';
import { assertSameOrigin, clearSessionCookie, sessionOf, setSessionCookie } from './session.js';

const orgParams = z.object({ id: z.string().min(1) });
const inviteParams = z.object({ id: z.string().min(1), inviteId: z.string().min(1) });
const tokenBody = z.object({ token: z.string().min(10).max(200) });

export function registerPortalRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const tags = ['portal'];
  r.add(app, {
    method: 'POST',
    url: '/api/v1/session',
    summary: 'Sign in with email and password: sets the session cookie and returns the CSRF token for changes',
    tags,
    public: true,
    body: z.object({ email: z.string().trim().min(3).max(320), password: z.string().min(1).max(PASSWORD_MAX) }),
    responses: {
      200: { description: 'Signed in' },
      401: { description: 'Wrong email or password' },
      429: { description: 'Too many attempts from this address' },
    },
    handler: async ({ body, req, reply }) => {
      assertSameOrigin(req);
      const previous = sessionOf(req);
      const out = await s.portal.signIn({
        email: body.email,
        password: body.password,
        ip: req.ip,
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      // A new session on each sign-in; the one this browser held ends (no session fixation, no orphans).
      if (previous) await s.portal.signOut(previous);
      setSessionCookie(req, reply, s, out.secret, out.expiresAt);
      reply.header('cache-control', 'no-store');
      return { csrfToken: out.csrfToken, expiresAt: out.expiresAt, memberId: out.member.id, orgId: out.member.orgId };
    },
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/session',
    summary: 'The current browser session (its CSRF token and expiry) and who it belongs to',
    tags,
    handler: async ({ req, reply }) => {
      const session = sessionOf(req);
      if (!session) throw new AppError('unauthenticated', 'no browser session (sign in at POST /api/v1/session)');
      reply.header('cache-control', 'no-store');
      const p = session.principal;
      return {
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
        ...p.viewer,
        scopes: p.scopes,
        organisation: await s.participants.getOrg(p, p.viewer.orgId),
      };
    },
  });
  r.add(app, {
    method: 'DELETE',
    url: '/api/v1/session',
    summary: 'Sign out: ends the session on the server and clears the cookie',
    tags,
    public: true,
    handler: async ({ req, reply }) => {
      const session = sessionOf(req);
      if (session) await s.portal.signOut(session);
      clearSessionCookie(req, reply, s);
      reply.code(204);
      return null;
    },
  });
  r.add(app, {
    method: 'POST',
    url: '/api/v1/organisations/:id/invites',
    summary: 'Invite a member (new, or existing without a password) to set a password through a one-time link',
    tags,
    params: orgParams,
    body: z.union([
      z.object({ memberId: z.string().min(1) }),
      z.object({
        email: z.email().max(320),
        name: z.string().trim().min(1).max(200),
        role: z.enum(MEMBER_ROLES),
      }),
    ]),
    responses: { 201: { description: 'The invite; its link and token are shown once' } },
    handler: async ({ caller, params, body, reply }) => {
      const out = await s.portal.createInvite(caller, params.id, body);
      reply.code(201);
      return out;
    },
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/organisations/:id/invites',
    summary: 'Invites of an organisation (never their tokens)',
    tags,
    params: orgParams,
    handler: async ({ caller, params }) => ({ items: await s.portal.listInvites(caller, params.id) }),
  });
  r.add(app, {
    method: 'DELETE',
    url: '/api/v1/organisations/:id/invites/:inviteId',
    summary: 'Revoke an open invite',
    tags,
    params: inviteParams,
    handler: async ({ caller, params, reply }) => {
      await s.portal.revokeInvite(caller, params.id, params.inviteId);
      reply.code(204);
      return null;
    },
  });
  r.add(app, {
    method: 'POST',
    url: '/api/v1/invites/inspect',
    summary: 'Who an invite link is for (email, name, organisation), if it is still open',
    tags,
    public: true,
    body: tokenBody,
    handler: async ({ body }) => s.portal.inspectInvite(body.token),
  });
  r.add(app, {
    method: 'POST',
    url: '/api/v1/invites/accept',
    summary: 'Set a password through an invite link (works once)',
    tags,
    public: true,
    body: tokenBody.extend({ password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX) }),
    handler: async ({ body, req }) => {
      assertSameOrigin(req);
      return s.portal.acceptInvite(body.token, body.password);
    },
  });
}
