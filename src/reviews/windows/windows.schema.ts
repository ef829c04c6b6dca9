/** Zod schemas of the review window REST API (offers, terms, consents, grants, keys). */
import { z } from 'zod';
import { TLP_LEVELS } from '../../access/marking.js';

export const VARIANTS = ['production', 'reduced-safeguards', 'reasoning-visible'] as const;
export type Variant = (typeof VARIANTS)[number];

export const COVERED_STATUSES = ['pending', 'covered', 'not_covered', 'unknown'] as const;
export const GRANT_ROLES = [
  'government_reviewer',
  'trusted_partner_reviewer',
  'developer_liaison',
  'observer',
] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];
export const GRANT_STATUSES = ['proposed', 'active', 'declined', 'revoked', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
export const TERMS_AUDIENCES = ['government', 'trusted_partner'] as const;
export const ON_WITHDRAWAL = ['keep', 'purge'] as const;
export const ATTACHMENT_KINDS = ['model_card', 'developer_evaluation'] as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone (Z or ±hh:mm)' });
const dateOrInstant = z.union([z.iso.date(), instant], {
  message: 'must be a date (YYYY-MM-DD) or a date-time with a zone',
});
const category = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and - only');
const count = (max: number) => z.number().int().min(1).max(max);

export const budgetSchema = z.strictObject({
  requests: count(10_000_000),
  tokens: count(10_000_000_000),
  seconds: count(10_000_000),
});

export const limitsSchema = z.strictObject({
  /** Requests per minute allowed to each grant at the gateway. */
  requestsPerMinute: count(100_000),
  /** The largest budget any one grant may receive. */
  maxBudget: budgetSchema,
});

export const endpointSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000),
  /** Write-only: stored encrypted, never returned. */
  apiKey: z.string().min(1).max(8192),
  variants: z
    .array(z.strictObject({ variant: z.enum(VARIANTS), modelId: z.string().min(1).max(200) }))
    .min(1)
    .max(VARIANTS.length)
    .refine((v) => new Set(v.map((x) => x.variant)).size === v.length, 'each variant once'),
});

export const attachmentUploadSchema = z.strictObject({
  kind: z.enum(ATTACHMENT_KINDS),
  filename: z.string().min(1).max(200),
  contentType: z.string().min(3).max(200),
  contentBase64: z.string().regex(BASE64, 'must be base64'),
  description: z.string().max(2000).default(''),
});

export const coveredSchema = z.strictObject({
  /** An opaque reference to a designation made outside this system; nothing about the benchmark itself. */
  designationRef: z.string().min(1).max(200).nullable(),
  status: z.enum(COVERED_STATUSES),
});

export const createWindowSchema = z.strictObject({
  modelName: z.string().trim().min(1).max(200),
  snapshotId: z.string().trim().min(1).max(200),
  trustedPartnerDate: dateOrInstant,
  publicDate: dateOrInstant.optional(),
  maxWindowDays: z.number().int().min(1).max(30).optional(),
  endpoint: endpointSchema,
  limits: limitsSchema,
  covered: z.strictObject({ designationRef: z.string().min(1).max(200) }).optional(),
  attachments: z.array(attachmentUploadSchema).max(20).default([]),
});
export type CreateWindowBody = z.infer<typeof createWindowSchema>;

export const updateEndpointSchema = endpointSchema.partial().strict();
export const partnerDateSchema = z.strictObject({ trustedPartnerDate: dateOrInstant });

export const termsSchema = z.strictObject({
  audience: z.enum(TERMS_AUDIENCES),
  scope: z.strictObject({
    /** Agencies (organisation ids) that may review; empty = any federal agency. */
    agencies: z.array(z.string().min(1)).max(100).default([]),
    categories: z.array(category).min(1).max(50),
    partnersAllowed: z.boolean(),
  }),
  confidentiality: z.string().trim().min(1).max(5000),
  retentionDays: z.number().int().min(0).max(3650),
  /** What happens to review data if the developer withdraws: kept for retentionDays, or purged at once. */
  onWithdrawal: z.enum(ON_WITHDRAWAL),
  tlpDefault: z.enum(TLP_LEVELS),
  /** The exact text signed; its SHA-256 is what a consent records. */
  text: z.string().min(1).max(100_000),
});
export type TermsBody = z.infer<typeof termsSchema>;

export const consentSchema = z.strictObject({
  termsId: z.string().min(1),
  /** The SHA-256 of the terms text the signer read (hex); it must match the stored text. */
  termsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hexadecimal characters'),
});

export const createGrantSchema = z.strictObject({
  granteeOrgId: z.string().min(1),
  granteeMemberId: z.string().min(1).optional(),
  role: z.enum(GRANT_ROLES),
  variants: z.array(z.enum(VARIANTS)).min(1).max(VARIANTS.length),
  categories: z.array(category).min(1).max(50),
  rawTranscripts: z.boolean(),
  validFrom: instant.optional(),
  validUntil: instant.optional(),
  budget: budgetSchema,
});
export type CreateGrantBody = z.infer<typeof createGrantSchema>;

export const createKeySchema = z.strictObject({ label: z.string().trim().min(1).max(100).default('key') });

export const windowListQuerySchema = z.strictObject({
  state: z.enum(['draft', 'offered', 'open', 'closed', 'withdrawn']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const gatewayLogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
