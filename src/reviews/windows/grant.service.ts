/**
 * Grants (who may use the model, with which variants, categories, transcripts, validity and budget) and their gateway
 * keys. Trusted-partner grants are proposed by a government reviewer (or a coordinator) and take effect only when the
 * developer accepts; both steps are recorded. Keys are random, stored as SHA-256 only, and shown once.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '../../audit/audit.js';
import { inTx, type Q } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { Caller } from '../../participants/principal.js';
import { actorOf, requireScope } from '../../participants/principal.js';
import { isFinal, type WindowState } from '../window.js';
import { isDeveloper, ownGrants, PART_STATUSES, type WindowRole } from './access.js';
import { grantParty, latestTerms, type WindowService } from './window.service.js';
import * as repo from './windows.repository.js';
import type { CreateGrantBody, GrantRole, GrantStatus } from './windows.schema.js';

export const KEY_PREFIX = 'chgw_';

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface GrantView {
  id: string;
  windowId: string;
  granteeOrgId: string;
  granteeMemberId: string | null;
  role: GrantRole;
  variants: string[];
  categories: string[];
  rawTranscripts: boolean;
  validFrom: string | null;
  validUntil: string | null;
  budget: { requests: number; tokens: number; seconds: number };
  used: { requests: number; tokens: number; seconds: number };
  /** `expired` is shown as soon as the validity has run out, before the scheduler records it. */
  status: GrantStatus;
  proposedBy: { orgId: string; memberId: string; at: string };
  acceptedBy: { memberId: string; at: string } | null;
  endedAt: string | null;
  endReason: string | null;
}

export interface KeyView {
  id: string;
  grantId: string;
  prefix: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export function effectiveStatus(g: repo.GrantRow, now: string): GrantStatus {
  if (g.status === 'active' && g.valid_until && g.valid_until <= now) return 'expired';
  return g.status as GrantStatus;
}

export function grantView(g: repo.GrantRow, now: string): GrantView {
  return {
    id: g.id,
    windowId: g.window_id,
    granteeOrgId: g.grantee_org_id,
    granteeMemberId: g.grantee_member_id,
    role: g.role as GrantRole,
    variants: JSON.parse(g.variants),
    categories: JSON.parse(g.categories),
    rawTranscripts: g.raw_transcripts === 1,
    validFrom: g.valid_from,
    validUntil: g.valid_until,
    budget: { requests: g.budget_requests, tokens: g.budget_tokens, seconds: g.budget_seconds },
    used: { requests: g.used_requests, tokens: g.used_tokens, seconds: Math.round(g.used_ms / 1000) },
    status: effectiveStatus(g, now),
    proposedBy: { orgId: g.proposed_by_org_id, memberId: g.proposed_by_member_id, at: g.proposed_at },
    acceptedBy: g.accepted_by_member_id ? { memberId: g.accepted_by_member_id, at: g.accepted_at ?? '' } : null,
    endedAt: g.ended_at,
    endReason: g.end_reason,
  };
}

const keyView = (k: repo.KeyRow): KeyView => ({
  id: k.id,
  grantId: k.grant_id,
  prefix: k.prefix,
  label: k.label,
  createdAt: k.created_at,
  revokedAt: k.revoked_at,
  lastUsedAt: k.last_used_at,
});

export interface Participation {
  role: WindowRole;
  grantIds: string[];
  rawTranscripts: boolean;
  categories: string[];
}

export class GrantService {
  /** Called after a grant or key is revoked (the gateway aborts its in-flight calls). */
  readonly afterRevoke: ((f: { grantId?: string; keyId?: string }) => void)[] = [];

  constructor(
    private readonly windows: WindowService,
    private readonly gatewayBaseURL: string,
  ) {}

  private get db() {
    return this.windows.db;
  }
  private get audit() {
    return this.windows.audit;
  }
  private now(): string {
    return this.windows.now();
  }

  async create(caller: Caller, windowId: string, body: CreateGrantBody): Promise<GrantView> {
    const p = requireScope(caller, 'write');
    return inTx(this.db, async (tx) => {
      const ctx = await this.windows.context(caller, windowId, tx);
      const { row } = ctx;
      if (isFinal(row.state as WindowState)) throw new AppError('conflict', `the window is ${row.state}`);
      const dev = isDeveloper(p.viewer, row.developer_org_id);
      const coordinator = ctx.role === 'coordinator';
      const partner = body.role === 'trusted_partner_reviewer';
      if (partner) {
        if (!(coordinator || ctx.role === 'government_reviewer'))
          throw new AppError(
            'forbidden',
            'trusted-partner grants are proposed by a government reviewer or a coordinator',
          );
      } else if (!(dev || coordinator)) {
        throw new AppError('forbidden', 'only the developer organisation or a coordinator creates grants');
      }
      await this.check(tx, row, body);
      const at = this.now();
      const g: repo.GrantRow = {
        id: randomUUID(),
        window_id: windowId,
        grantee_org_id: body.granteeOrgId,
        grantee_member_id: body.granteeMemberId ?? null,
        role: body.role,
        variants: JSON.stringify(body.variants),
        categories: JSON.stringify(body.categories),
        raw_transcripts: body.rawTranscripts ? 1 : 0,
        valid_from: body.validFrom ? new Date(body.validFrom).toISOString() : null,
        valid_until: body.validUntil ? new Date(body.validUntil).toISOString() : null,
        budget_requests: body.budget.requests,
        budget_tokens: body.budget.tokens,
        budget_seconds: body.budget.seconds,
        used_requests: 0,
        used_tokens: 0,
        used_ms: 0,
        status: partner ? 'proposed' : 'active',
        proposed_by_member_id: p.viewer.memberId,
        proposed_by_org_id: p.viewer.orgId,
        proposed_at: at,
        accepted_by_member_id: partner ? null : p.viewer.memberId,
        accepted_at: partner ? null : at,
        ended_at: null,
        end_reason: null,
      };
      await repo.insertGrant(tx, g);
      if (!partner) await this.windows.remark(tx, row);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: partner ? 'review_grant.propose' : 'review_grant.create',
        objectType: 'review_window',
        objectId: windowId,
        details: {
          grantId: g.id,
          granteeOrgId: g.grantee_org_id,
          granteeMemberId: g.grantee_member_id,
          role: g.role,
          variants: body.variants,
          categories: body.categories,
          rawTranscripts: body.rawTranscripts,
          budget: body.budget,
          validFrom: g.valid_from,
          validUntil: g.valid_until,
        },
      });
      return grantView(g, at);
    });
  }

  /** Scope checks: grantee kind, terms scope, variants offered, budget within the window's maximum, validity inside. */
  private async check(tx: Q, row: repo.WindowRow, body: CreateGrantBody): Promise<void> {
    const org = await repo.orgKind(tx, body.granteeOrgId);
    if (!org || org.status !== 'active')
      throw AppError.validation([{ path: 'granteeOrgId', message: 'no such active organisation' }]);
    if (body.granteeMemberId && (await repo.memberOrg(tx, body.granteeMemberId)) !== body.granteeOrgId)
      throw AppError.validation([{ path: 'granteeMemberId', message: 'not a member of the grantee organisation' }]);
    const gov = latestTerms(await repo.listTerms(tx, row.id), 'government');
    if (!gov) throw new AppError('conflict', 'the window has no terms yet');
    const scope = JSON.parse(gov.scope) as { agencies: string[]; categories: string[]; partnersAllowed: boolean };
    if (body.role === 'government_reviewer') {
      if (org.kind !== 'federal_agency')
        throw AppError.validation([
          { path: 'granteeOrgId', message: 'government reviewers come from a federal agency' },
        ]);
      if (scope.agencies.length > 0 && !scope.agencies.includes(body.granteeOrgId))
        throw AppError.validation([{ path: 'granteeOrgId', message: 'this agency is not in the scope of the terms' }]);
    }
    if (body.role === 'trusted_partner_reviewer' && !scope.partnersAllowed)
      throw AppError.validation([{ path: 'role', message: 'the terms do not allow trusted partners' }]);
    if (body.role === 'developer_liaison' && body.granteeOrgId !== row.developer_org_id)
      throw AppError.validation([
        { path: 'granteeOrgId', message: 'a developer liaison belongs to the developer organisation' },
      ]);
    const offered = (JSON.parse(row.variants) as { variant: string }[]).map((v) => v.variant);
    body.variants.forEach((v, i) => {
      if (!offered.includes(v))
        throw AppError.validation([{ path: `variants.${i}`, message: `variant ${v} is not offered` }]);
    });
    body.categories.forEach((c, i) => {
      if (!scope.categories.includes(c))
        throw AppError.validation([
          { path: `categories.${i}`, message: `category ${c} is not in the scope of the terms` },
        ]);
    });
    const max = (JSON.parse(row.limits) as { maxBudget: Record<string, number> }).maxBudget;
    for (const k of ['requests', 'tokens', 'seconds'] as const)
      if (body.budget[k] > (max[k] ?? 0))
        throw AppError.validation([{ path: `budget.${k}`, message: `exceeds the window's maximum of ${max[k]}` }]);
    const end = row.closes_at && row.closes_at < row.trusted_partner_date ? row.closes_at : row.trusted_partner_date;
    if (body.validUntil && new Date(body.validUntil).toISOString() > end)
      throw AppError.validation([{ path: 'validUntil', message: `must be inside the window (by ${end})` }]);
    if (body.validFrom && body.validUntil && body.validFrom >= body.validUntil)
      throw AppError.validation([{ path: 'validFrom', message: 'must be before validUntil' }]);
  }

  /** The developer accepts or declines a proposed trusted-partner grant. */
  async decide(caller: Caller, windowId: string, grantId: string, decision: 'accept' | 'decline'): Promise<GrantView> {
    const p = requireScope(caller, 'write');
    return inTx(this.db, async (tx) => {
      const { row } = await this.windows.asDeveloper(caller, windowId, tx);
      if (isFinal(row.state as WindowState)) throw new AppError('conflict', `the window is ${row.state}`);
      const g = await repo.findGrant(tx, windowId, grantId);
      if (!g) throw AppError.notFound('grant', grantId);
      if (g.status !== 'proposed') throw new AppError('conflict', `the grant is ${g.status}, not proposed`);
      const at = this.now();
      const patch: Partial<repo.GrantRow> =
        decision === 'accept'
          ? { status: 'active', accepted_by_member_id: p.viewer.memberId, accepted_at: at }
          : { status: 'declined', ended_at: at, end_reason: 'declined_by_developer' };
      await repo.updateGrant(tx, grantId, patch);
      if (decision === 'accept') await this.windows.remark(tx, row);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: `review_grant.${decision}`,
        objectType: 'review_window',
        objectId: windowId,
        details: { grantId, granteeOrgId: g.grantee_org_id, proposedBy: g.proposed_by_member_id },
      });
      return grantView({ ...g, ...patch }, at);
    });
  }

  async revoke(caller: Caller, windowId: string, grantId: string): Promise<GrantView> {
    const p = requireScope(caller, 'write');
    const out = await inTx(this.db, async (tx) => {
      const ctx = await this.windows.context(caller, windowId, tx);
      if (!(isDeveloper(p.viewer, ctx.row.developer_org_id) || ctx.role === 'coordinator'))
        throw new AppError('forbidden', 'only the developer organisation or a coordinator revokes grants');
      const g = await repo.findGrant(tx, windowId, grantId);
      if (!g) throw AppError.notFound('grant', grantId);
      if (g.status !== 'active' && g.status !== 'proposed')
        throw new AppError('conflict', `the grant is already ${g.status}`);
      const at = this.now();
      const patch = { status: 'revoked', ended_at: at, end_reason: 'revoked' };
      await repo.updateGrant(tx, grantId, patch);
      const keys = await repo.revokeKeys(tx, { grantId }, at);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_grant.revoke',
        objectType: 'review_window',
        objectId: windowId,
        details: { grantId, keysRevoked: keys },
      });
      return grantView({ ...g, ...patch }, at);
    });
    for (const f of this.afterRevoke) f({ grantId });
    return out;
  }

  /** Grants the caller may see: all for the developer and coordinators; a grantee sees its own. */
  async list(caller: Caller, windowId: string): Promise<{ items: GrantView[] }> {
    const ctx = await this.windows.context(caller, windowId);
    const all = ctx.role === 'coordinator' || isDeveloper(caller!.viewer, ctx.row.developer_org_id);
    const own = new Set(ownGrants(caller!.viewer, ctx.grants.map(grantParty)).map((g) => g.id));
    const proposedByMe = (g: repo.GrantRow) => g.proposed_by_org_id === caller!.viewer.orgId;
    const now = this.now();
    return { items: ctx.grants.filter((g) => all || own.has(g.id) || proposedByMe(g)).map((g) => grantView(g, now)) };
  }

  async get(caller: Caller, windowId: string, grantId: string): Promise<GrantView> {
    const g = (await this.list(caller, windowId)).items.find((x) => x.id === grantId);
    if (!g) throw AppError.notFound('grant', grantId);
    return g;
  }

  /** The grantee's own grant, usable now (active, inside validity, window open). */
  private async usableGrant(caller: Caller, windowId: string, grantId: string, q: Q) {
    const ctx = await this.windows.context(caller, windowId, q);
    const g = ctx.grants.find((x) => x.id === grantId);
    if (!g || !ownGrants(caller!.viewer, [grantParty(g)]).length) throw AppError.notFound('grant', grantId);
    const status = effectiveStatus(g, this.now());
    if (status !== 'active') throw new AppError('conflict', `the grant is ${status}`);
    if (ctx.row.state !== 'open') throw new AppError('conflict', `the window is ${ctx.row.state}, not open`);
    if (g.role === 'trusted_partner_reviewer') {
      const pt = latestTerms(await repo.listTerms(q, windowId), 'trusted_partner');
      const consents = await repo.listConsents(q, windowId);
      if (!pt || !consents.some((c) => c.terms_id === pt.id && c.signer_org_id === g.grantee_org_id))
        throw new AppError('conflict', 'the trusted partner has not signed the latest trusted-partner terms');
    }
    return { ctx, g };
  }

  /** A new gateway key for one's own grant; the secret is in the answer only. */
  async createKey(
    caller: Caller,
    windowId: string,
    grantId: string,
    label: string,
  ): Promise<KeyView & { secret: string }> {
    const p = requireScope(caller, 'write');
    return inTx(this.db, async (tx) => {
      await this.usableGrant(caller, windowId, grantId, tx);
      const secret = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const k: repo.KeyRow = {
        id: randomUUID(),
        grant_id: grantId,
        window_id: windowId,
        key_hash: hashKey(secret),
        prefix: secret.slice(0, KEY_PREFIX.length + 6),
        label,
        created_by_member_id: p.viewer.memberId,
        created_at: this.now(),
        revoked_at: null,
        last_used_at: null,
      };
      await repo.insertKey(tx, k);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_key.create',
        objectType: 'review_window',
        objectId: windowId,
        details: { grantId, keyId: k.id, prefix: k.prefix, label },
      });
      return { ...keyView(k), secret };
    });
  }

  async listKeys(caller: Caller, windowId: string, grantId: string): Promise<{ items: KeyView[] }> {
    await this.get(caller, windowId, grantId);
    return { items: (await repo.listKeys(this.db.kysely, grantId)).map(keyView) };
  }

  /** The key's creator's organisation, the developer or a coordinator may revoke a key. */
  async revokeKey(caller: Caller, windowId: string, grantId: string, keyId: string): Promise<KeyView> {
    const p = requireScope(caller, 'write');
    const out = await inTx(this.db, async (tx) => {
      const ctx = await this.windows.context(caller, windowId, tx);
      const g = ctx.grants.find((x) => x.id === grantId);
      const k = (await repo.listKeys(tx, grantId)).find((x) => x.id === keyId);
      if (!g || !k) throw AppError.notFound('key', keyId);
      const mine = ownGrants(p.viewer, [grantParty(g)]).length > 0;
      if (!(mine || ctx.role === 'coordinator' || isDeveloper(p.viewer, ctx.row.developer_org_id)))
        throw new AppError('forbidden', 'you may not revoke this key');
      if (k.revoked_at) throw new AppError('conflict', 'the key is already revoked');
      const at = this.now();
      await repo.revokeKeys(tx, { keyId }, at);
      await this.audit.record(tx, {
        actor: actorOf(p),
        action: 'review_key.revoke',
        objectType: 'review_window',
        objectId: windowId,
        details: { grantId, keyId },
      });
      return keyView({ ...k, revoked_at: at });
    });
    for (const f of this.afterRevoke) f({ keyId });
    return out;
  }

  /** What the caller may do in the window (for runs and findings): role, own usable grants and their scope. */
  async participation(caller: Caller, windowId: string): Promise<Participation | null> {
    let ctx: Awaited<ReturnType<WindowService['context']>>;
    try {
      ctx = await this.windows.context(caller, windowId);
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') return null;
      throw e;
    }
    const now = this.now();
    const own = new Set(ownGrants(caller!.viewer, ctx.grants.map(grantParty)).map((g) => g.id));
    const mine = ctx.grants.filter((g) => own.has(g.id) && PART_STATUSES.includes(g.status as GrantStatus));
    const active = mine.filter((g) => effectiveStatus(g, now) === 'active');
    return {
      role: ctx.role,
      grantIds: active.map((g) => g.id),
      rawTranscripts: ctx.role === 'coordinator' || mine.some((g) => g.raw_transcripts === 1),
      categories: [...new Set(mine.flatMap((g) => JSON.parse(g.categories) as string[]))].sort(),
    };
  }

  /** A fresh gateway key bound to the caller's grant, for one run: metered, and stopped on close or withdrawal. */
  async runCredentials(
    caller: Caller,
    windowId: string,
    grantId: string,
    variant: string,
  ): Promise<{ baseURL: string; apiKey: string; model: string }> {
    const { g } = await this.usableGrant(caller, windowId, grantId, this.db.kysely);
    if (!(JSON.parse(g.variants) as string[]).includes(variant))
      throw AppError.validation([{ path: 'variant', message: `variant ${variant} is not in this grant` }]);
    const key = await this.createKey(caller, windowId, grantId, `run:${variant}`);
    return { baseURL: this.gatewayBaseURL, apiKey: key.secret, model: variant };
  }

  /** The scheduler records grants whose validity ran out as expired (their keys stop at once anyway). */
  async expireLapsed(now: Date): Promise<number> {
    const at = now.toISOString();
    const lapsed = await repo.lapsedGrants(this.db.kysely, at);
    for (const g of lapsed)
      await inTx(this.db, async (tx) => {
        await repo.updateGrant(tx, g.id, { status: 'expired', ended_at: g.valid_until, end_reason: 'validity_ended' });
        const keys = await repo.revokeKeys(tx, { grantId: g.id }, at);
        await this.audit.record(tx, {
          actor: SYSTEM_ACTOR,
          action: 'review_grant.expire',
          objectType: 'review_window',
          objectId: g.window_id,
          details: { grantId: g.id, validUntil: g.valid_until, keysRevoked: keys },
        });
      });
    for (const g of lapsed) for (const f of this.afterRevoke) f({ grantId: g.id });
    return lapsed.length;
  }
}
