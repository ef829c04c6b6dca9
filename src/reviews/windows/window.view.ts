/**
 * The review window as callers see it (pure presentation and row <-> state-machine mapping). The upstream secret is
 * never part of any view; endpoint details appear only when the caller is the developer or a coordinator.
 */
import { createHash } from 'node:crypto';
import type { Tlp } from '../../access/marking.js';
import type { AttachmentMeta } from '../../attachments/attachment.service.js';
import type { CloseReason, ReviewWindow, WindowState } from '../window.js';
import type { GrantParty, WindowRole } from './access.js';
import type * as repo from './windows.repository.js';

export interface TermsView {
  id: string;
  audience: string;
  version: number;
  scope: { agencies: string[]; categories: string[]; partnersAllowed: boolean };
  confidentiality: string;
  retentionDays: number;
  onWithdrawal: 'keep' | 'purge';
  tlpDefault: Tlp;
  text: string;
  textSha256: string;
  createdAt: string;
}

export interface ConsentView {
  id: string;
  termsId: string;
  party: string;
  signerOrgId: string;
  signerMemberId: string;
  termsSha256: string;
  signedAt: string;
}

export interface WindowView {
  id: string;
  developerOrgId: string;
  modelName: string;
  snapshotId: string;
  state: WindowState;
  trustedPartnerDate: string;
  publicDate: string | null;
  maxWindowDays: number;
  offeredAt: string | null;
  openedAt: string | null;
  closesAt: string | null;
  closedAt: string | null;
  closeReason: CloseReason | null;
  withdrawnAt: string | null;
  /** When the window's runs, findings and gateway log were purged (withdrawal under `purge`, or retention). */
  dataPurgedAt: string | null;
  variants: string[];
  /** Upstream base URL and model ids: developer and coordinators only. The secret is never returned to anyone. */
  endpoint?: { baseUrl: string; models: { variant: string; modelId: string }[]; secretStored: boolean };
  limits: { requestsPerMinute: number; maxBudget: { requests: number; tokens: number; seconds: number } };
  covered: { designationRef: string | null; status: string };
  gateway: { baseURL: string };
  myRole: WindowRole;
  attachments: (AttachmentMeta & { kind: string })[];
  terms: TermsView[];
  consents: ConsentView[];
  createdAt: string;
  updatedAt: string;
}

export const grantParty = (g: repo.GrantRow): GrantParty => ({
  id: g.id,
  granteeOrgId: g.grantee_org_id,
  granteeMemberId: g.grantee_member_id,
  role: g.role as GrantParty['role'],
  status: g.status as GrantParty['status'],
});

export function toWindow(r: repo.WindowRow): ReviewWindow {
  const w: ReviewWindow = {
    state: r.state as WindowState,
    trustedPartnerDate: r.trusted_partner_date,
    maxWindowDays: r.max_window_days,
  };
  if (r.offered_at) w.offeredAt = r.offered_at;
  if (r.opened_at) w.openedAt = r.opened_at;
  if (r.closes_at) w.closesAt = r.closes_at;
  if (r.closed_at) w.closedAt = r.closed_at;
  if (r.close_reason) w.closeReason = r.close_reason as CloseReason;
  if (r.withdrawn_at) w.withdrawnAt = r.withdrawn_at;
  return w;
}

export function fromWindow(w: ReviewWindow): Partial<repo.WindowRow> {
  return {
    state: w.state,
    trusted_partner_date: w.trustedPartnerDate,
    offered_at: w.offeredAt ?? null,
    opened_at: w.openedAt ?? null,
    closes_at: w.closesAt ?? null,
    closed_at: w.closedAt ?? null,
    close_reason: w.closeReason ?? null,
    withdrawn_at: w.withdrawnAt ?? null,
  };
}

export const instant = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v).toISOString();
export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function termsView(t: repo.TermsRow): TermsView {
  return {
    id: t.id,
    audience: t.audience,
    version: t.version,
    scope: JSON.parse(t.scope),
    confidentiality: t.confidentiality,
    retentionDays: t.retention_days,
    onWithdrawal: t.on_withdrawal as 'keep' | 'purge',
    tlpDefault: t.tlp_default as Tlp,
    text: t.text,
    textSha256: t.text_sha256,
    createdAt: t.created_at,
  };
}

export function latestTerms(terms: repo.TermsRow[], audience: string): repo.TermsRow | undefined {
  return terms.filter((t) => t.audience === audience).sort((a, b) => b.version - a.version)[0];
}

export function consentView(c: repo.ConsentRow): ConsentView {
  return {
    id: c.id,
    termsId: c.terms_id,
    party: c.party,
    signerOrgId: c.signer_org_id,
    signerMemberId: c.signer_member_id,
    termsSha256: c.terms_sha256,
    signedAt: c.signed_at,
  };
}

export function presentWindow(
  ctx: { endpointVisible: boolean; gatewayBaseURL: string },
  r: repo.WindowRow,
  role: WindowRole,
  attachments: WindowView['attachments'],
  terms: repo.TermsRow[],
  consents: repo.ConsentRow[],
): WindowView {
  const variants = JSON.parse(r.variants) as { variant: string; modelId: string }[];
  return {
    id: r.id,
    developerOrgId: r.developer_org_id,
    modelName: r.model_name,
    snapshotId: r.snapshot_id,
    state: r.state as WindowState,
    trustedPartnerDate: r.trusted_partner_date,
    publicDate: r.public_date,
    maxWindowDays: r.max_window_days,
    offeredAt: r.offered_at,
    openedAt: r.opened_at,
    closesAt: r.closes_at,
    closedAt: r.closed_at,
    closeReason: r.close_reason as CloseReason | null,
    withdrawnAt: r.withdrawn_at,
    dataPurgedAt: r.data_purged_at ?? null,
    variants: variants.map((v) => v.variant),
    ...(ctx.endpointVisible
      ? { endpoint: { baseUrl: r.endpoint_base_url, models: variants, secretStored: r.endpoint_secret !== null } }
      : {}),
    limits: JSON.parse(r.limits),
    covered: { designationRef: r.covered_ref, status: r.covered_status },
    gateway: { baseURL: ctx.gatewayBaseURL },
    myRole: role,
    attachments,
    terms: terms.map(termsView),
    consents: consents.map(consentView),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
