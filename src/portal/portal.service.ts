/**
 * Browser sign-in for members: passwords (scrypt), server-side sessions with a CSRF token, per-account lockout and a
 * per-IP limit on attempts, and one-time invite links through which a member sets a password. Every state change is
 * audited in its own transaction; failed sign-ins and lockouts too.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connect.js';
import { inTx } from '../db/tx.js';
import { AppError } from '../errors.js';
import { allowedScopes, type Member, type MemberRole } from '../participants/participants.js';
import * as participantsRepo from '../participants/participants.repository.js';
import type { ParticipantsService } from '../participants/participants.service.js';
import { actorOf, type Caller, type Principal, requireOrgAdmin } from '../participants/principal.js';
import { dummyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './password.js';
import * as repo from './portal.repository.js';

export interface PortalOptions {
  /** Absolute session lifetime. */
  sessionHours: number;
  /** A session unused this long ends. */
  idleMinutes: number;
  /** Consecutive wrong passwords before the account locks. */
  maxFailures: number;
  lockMinutes: number;
  /** Sign-in attempts allowed from one IP address per window. */
  ipAttempts: number;
  ipWindowMinutes: number;
  inviteDays: number;
  /** Where invite links point (the portal's public address). */
  baseUrl: string;
}

export const DEFAULT_PORTAL_OPTIONS: Omit<PortalOptions, 'baseUrl'> = {
  sessionHours: 12,
  idleMinutes: 120,
  maxFailures: 5,
  lockMinutes: 15,
  ipAttempts: 30,
  ipWindowMinutes: 15,
  inviteDays: 7,
};

export interface SessionInfo {
  idHash: string;
  csrfToken: string;
  expiresAt: string;
  principal: Principal;
}

export interface SignedIn {
  /** The cookie value: shown to the browser once, stored only as its SHA-256. */
  secret: string;
  csrfToken: string;
  expiresAt: string;
  member: Member;
}

const TOUCH_RESOLUTION_MS = 60_000;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN)
    throw AppError.validation([{ path: field, message: `at least ${PASSWORD_MIN} characters` }]);
  if (password.length > PASSWORD_MAX)
    throw AppError.validation([{ path: field, message: `at most ${PASSWORD_MAX} characters` }]);
}

export class PortalService {
  /** Attempts per IP address (per process; behind several nodes each node counts its own). */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly participants: ParticipantsService,
    private readonly clock: () => Date,
    readonly options: PortalOptions,
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private later(ms: number): string {
    return new Date(this.clock().getTime() + ms).toISOString();
  }

  private countAttempt(ip: string): void {
    const now = this.clock().getTime();
    const windowMs = this.options.ipWindowMinutes * 60_000;
    const recent = (this.attempts.get(ip) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= this.options.ipAttempts) {
      this.attempts.set(ip, recent);
      throw new AppError('rate_limited', 'too many sign-in attempts from this address; try again later');
    }
    recent.push(now);
    this.attempts.set(ip, recent);
    if (this.attempts.size > 10_000)
      for (const [k, v] of this.attempts) if (v.every((t) => t <= now - windowMs)) this.attempts.delete(k);
  }

  async signIn(input: { email: string; password: string; ip: string; userAgent: string }): Promise<SignedIn> {
    this.countAttempt(input.ip);
    const email = input.email.trim().toLowerCase();
    const member = await participantsRepo.findMemberByEmail(this.db.kysely, email);
    const cred = member ? await repo.findCredentials(this.db.kysely, member.id) : undefined;
    const org = member ? await participantsRepo.findOrg(this.db.kysely, member.orgId) : undefined;
    const wrong = new AppError('unauthenticated', 'the email or the password is wrong', {
      issues: [{ path: 'password', message: 'the email or the password is wrong' }],
    });
    if (!member || !cred) {
      await verifyPassword(input.password, await dummyHash());
      await inTx(this.db, (tx) =>
        this.audit.record(tx, {
          actor: { orgId: null, memberId: null },
          action: 'session.signin_failed',
          objectType: 'member',
          objectId: member?.id ?? 'unknown',
          details: { reason: member ? 'no_password' : 'unknown_email', ip: input.ip },
        }),
      );
      throw wrong;
    }
    const now = this.now();
    if (cred.locked_until && cred.locked_until > now) {
      // A locked account answers exactly as a wrong password or an unknown email does (same status, same body, same
      // hash cost): the answer must not tell whether the account exists. The lock is in the audit log only.
      await verifyPassword(input.password, await dummyHash());
      await inTx(this.db, (tx) =>
        this.audit.record(tx, {
          actor: { orgId: null, memberId: null },
          action: 'session.signin_failed',
          objectType: 'member',
          objectId: member.id,
          details: { reason: 'locked', lockedUntil: cred.locked_until, ip: input.ip },
        }),
      );
      throw wrong;
    }
    const ok = await verifyPassword(input.password, cred.password_hash);
    if (!ok) {
      const failures = (cred.locked_until ? 0 : cred.failed_count) + 1;
      const lock = failures >= this.options.maxFailures ? this.later(this.options.lockMinutes * 60_000) : null;
      await inTx(this.db, async (tx) => {
        await repo.setFailures(tx, member.id, lock ? 0 : failures, lock);
        await this.audit.record(tx, {
          actor: { orgId: null, memberId: null },
          action: lock ? 'session.locked' : 'session.signin_failed',
          objectType: 'member',
          objectId: member.id,
          details: { reason: 'wrong_password', failures, ip: input.ip, ...(lock ? { lockedUntil: lock } : {}) },
        });
      });
      throw wrong;
    }
    if (member.status !== 'active' || org?.status !== 'active') throw wrong;
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = this.later(this.options.sessionHours * 3_600_000);
    await inTx(this.db, async (tx) => {
      await repo.setFailures(tx, member.id, 0, null);
      await repo.insertSession(tx, {
        id_hash: sha256(secret),
        member_id: member.id,
        csrf_token: csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        ended_at: null,
        ip: input.ip,
        user_agent: input.userAgent.slice(0, 300),
      });
      await this.audit.record(tx, {
        actor: { orgId: member.orgId, memberId: member.id },
        action: 'session.create',
        objectType: 'member',
        objectId: member.id,
        details: { ip: input.ip, expiresAt },
      });
    });
    return { secret, csrfToken, expiresAt, member };
  }

  /** The session a cookie names, if it is live (not ended, expired or idle; member and organisation active). */
  async session(secret: string): Promise<SessionInfo | null> {
    if (!secret || secret.length > 200) return null;
    const idHash = sha256(secret);
    const now = this.clock();
    const row = await repo.findLiveSession(this.db.kysely, idHash, now.toISOString());
    if (row?.member_status !== 'active' || row.org_status !== 'active') return null;
    if (now.getTime() - Date.parse(row.last_seen_at) > this.options.idleMinutes * 60_000) return null;
    if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_RESOLUTION_MS)
      await repo.touchSession(this.db.kysely, idHash, now.toISOString());
    const role = row.role as MemberRole;
    return {
      idHash,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      principal: {
        viewer: {
          kind: 'member',
          memberId: row.member_id,
          orgId: row.org_id,
          orgKind: row.org_kind as Principal['viewer']['orgKind'],
          role,
          groupIds: await participantsRepo.groupIdsOfOrg(this.db.kysely, row.org_id),
        },
        scopes: allowedScopes(role),
        tokenId: null,
      },
    };
  }

  async signOut(session: SessionInfo): Promise<void> {
    await inTx(this.db, async (tx) => {
      if ((await repo.endSession(tx, session.idHash, this.now())) === 0) return;
      await this.audit.record(tx, {
        actor: actorOf(session.principal),
        action: 'session.end',
        objectType: 'member',
        objectId: session.principal.viewer.memberId,
      });
    });
  }

  /**
   * An org admin invites a member to set a password: an existing member (memberId) or a new one (email, name, role).
   * The link carries the token in its fragment, so it never reaches a server log; only its SHA-256 is stored.
   */
  async createInvite(
    caller: Caller,
    orgId: string,
    input: { memberId: string } | { email: string; name: string; role: MemberRole },
  ) {
    const p = requireOrgAdmin(caller, orgId);
    let memberId: string;
    if ('memberId' in input) {
      const m = await participantsRepo.findMember(this.db.kysely, input.memberId);
      if (!m || m.orgId !== orgId || m.status !== 'active')
        throw AppError.validation([{ path: 'memberId', message: 'no active member of this organisation' }]);
      memberId = m.id;
    } else {
      memberId = (await this.participants.createMember(caller, orgId, input)).id;
    }
    const token = `chi_${randomBytes(32).toString('base64url')}`;
    const row: repo.PortalInvitesTable = {
      id: randomUUID(),
      token_hash: sha256(token),
      org_id: orgId,
      member_id: memberId,
      created_by_member_id: p.viewer.memberId,
      created_at: this.now(),
      expires_at: this.later(this.options.inviteDays * 86_400_000),
      used_at: null,
      revoked_at: null,
    };
    await inTx(this.db, async (tx) => {
      await repo.insertInvite(tx, row);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'invite.create',
        objectType: 'member',
        objectId: memberId,
        details: { inviteId: row.id, orgId, expiresAt: row.expires_at },
      });
    });
    return {
      invite: { id: row.id, memberId, orgId, createdAt: row.created_at, expiresAt: row.expires_at },
      token,
      url: `${this.options.baseUrl}/invite#${token}`,
    };
  }

  async listInvites(caller: Caller, orgId: string) {
    requireOrgAdmin(caller, orgId);
    const now = this.now();
    return (await repo.listInvites(this.db.kysely, orgId)).map((r) => ({
      id: r.id,
      memberId: r.member_id,
      email: r.email,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      usedAt: r.used_at,
      revokedAt: r.revoked_at,
      status: r.used_at ? 'used' : r.revoked_at ? 'revoked' : r.expires_at <= now ? 'expired' : 'open',
    }));
  }

  async revokeInvite(caller: Caller, orgId: string, inviteId: string): Promise<void> {
    const p = requireOrgAdmin(caller, orgId);
    await inTx(this.db, async (tx) => {
      if (!(await repo.revokeInvite(tx, orgId, inviteId, this.now()))) throw AppError.notFound('open invite', inviteId);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'invite.revoke',
        objectType: 'invite',
        objectId: inviteId,
        details: { orgId },
      });
    });
  }

  private async openInvite(token: string) {
    const row = await repo.findInviteByHash(this.db.kysely, sha256(token));
    const gone = new AppError('not_found', 'this invite link is unknown, used, revoked or expired');
    if (!row || row.used_at || row.revoked_at || row.expires_at <= this.now()) throw gone;
    if (row.member_status !== 'active' || row.org_status !== 'active') throw gone;
    return row;
  }

  /** What the invite page shows before the invitee chooses a password. */
  async inspectInvite(token: string) {
    const r = await this.openInvite(token);
    return { email: r.email, name: r.name, organisation: r.org_name, expiresAt: r.expires_at };
  }

  /** Sets the member's password once; the invite is then used. The member's other sessions end. */
  async acceptInvite(token: string, password: string): Promise<{ email: string }> {
    checkPasswordPolicy(password);
    const r = await this.openInvite(token);
    const hash = await hashPassword(password);
    await inTx(this.db, async (tx) => {
      if (!(await repo.useInvite(tx, r.id, this.now())))
        throw new AppError('not_found', 'this invite link is unknown, used, revoked or expired');
      await repo.upsertPassword(tx, r.member_id, hash, this.now());
      await repo.endMemberSessions(tx, r.member_id, this.now());
      await this.audit.record(tx, {
        actor: { orgId: r.org_id, memberId: r.member_id },
        action: 'invite.accept',
        objectType: 'member',
        objectId: r.member_id,
        details: { inviteId: r.id },
      });
    });
    return { email: r.email };
  }

  /** Console use only (demo seed, CLI local mode): set a member's password directly. Audited as the system. */
  async setPasswordDirect(memberId: string, password: string, reason: string): Promise<void> {
    checkPasswordPolicy(password);
    const hash = await hashPassword(password);
    await inTx(this.db, async (tx) => {
      await repo.upsertPassword(tx, memberId, hash, this.now());
      await repo.endMemberSessions(tx, memberId, this.now());
      await this.audit.record(tx, {
        actor: { orgId: null, memberId: null },
        action: 'password.set',
        objectType: 'member',
        objectId: memberId,
        details: { reason },
      });
    });
  }
}
