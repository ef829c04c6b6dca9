/** Request shapes of findings and the developer report (zod; problems name each field). */
import { z } from 'zod';
import { TLP_LEVELS } from '../../access/marking.js';
import { affectedInputSchema, provenanceSchema } from '../../vulnerabilities/report.schema.js';

export const FINDING_TYPES = [
  'capability',
  'safeguard_bypass',
  'prompt_injection',
  'agent_vulnerability',
  'other',
] as const;
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
/** draft → validated (a second reviewer) → shared (with the developer) → responded (the developer's answer). */
export const FINDING_STATES = ['draft', 'validated', 'shared', 'responded'] as const;
export type FindingState = (typeof FINDING_STATES)[number];
export const RESPONSES = ['acknowledged', 'disputed', 'mitigated', 'wont_fix'] as const;
/** Public frameworks with cyber thresholds; a label names one of their levels and decides nothing. */
export const THRESHOLD_FRAMEWORKS = [
  'openai_preparedness',
  'anthropic_rsp',
  'google_frontier_safety',
  'other',
] as const;

const evidenceSchema = z.strictObject({
  runId: z.string().min(1).max(100),
  sampleId: z.string().min(1).max(200).optional(),
  epoch: z.number().int().min(1).max(100).optional(),
});

const labelSchema = z.strictObject({
  framework: z.enum(THRESHOLD_FRAMEWORKS),
  label: z.string().trim().min(1).max(120),
});

const fields = {
  title: z.string().trim().min(5).max(300),
  type: z.enum(FINDING_TYPES),
  severity: z.enum(SEVERITIES),
  description: z.string().trim().min(10).max(50_000),
  evidence: z.array(evidenceSchema).min(1).max(100),
  reproducibility: z
    .strictObject({ k: z.number().int().min(0), n: z.number().int().min(1).max(100_000) })
    .refine((r) => r.k <= r.n, { message: 'k (reproduced) cannot exceed n (attempts)', path: ['k'] }),
  atlasIds: z
    .array(z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/, 'an ATLAS technique id looks like AML.T0051'))
    .max(50)
    .default([]),
  owaspLlmIds: z
    .array(z.string().regex(/^LLM\d{2}:\d{4}$/, 'an OWASP LLM id carries its list version, e.g. LLM01:2025'))
    .max(20)
    .default([]),
  cweIds: z
    .array(z.string().regex(/^CWE-\d+$/, 'a CWE id looks like CWE-79'))
    .max(50)
    .default([]),
  tlp: z.enum(TLP_LEVELS).default('AMBER'),
  labels: z.array(labelSchema).max(20).default([]),
  /** The flaw is in third-party software (not the model): it may become a clearinghouse report. */
  thirdParty: z.boolean().default(false),
};

export const createFindingSchema = z.strictObject(fields);
export type CreateFindingBody = z.infer<typeof createFindingSchema>;

export const updateFindingSchema = z
  .strictObject({
    title: fields.title.optional(),
    type: fields.type.optional(),
    severity: fields.severity.optional(),
    description: fields.description.optional(),
    evidence: fields.evidence.optional(),
    reproducibility: fields.reproducibility.optional(),
    atlasIds: fields.atlasIds.unwrap().optional(),
    owaspLlmIds: fields.owaspLlmIds.unwrap().optional(),
    cweIds: fields.cweIds.unwrap().optional(),
    tlp: z.enum(TLP_LEVELS).optional(),
    labels: fields.labels.unwrap().optional(),
    thirdParty: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });
export type UpdateFindingBody = z.infer<typeof updateFindingSchema>;

export const validateFindingSchema = z.strictObject({ note: z.string().max(5000).optional() });
export const respondSchema = z.strictObject({
  response: z.enum(RESPONSES),
  note: z.string().trim().max(20_000).default(''),
});
export type RespondBody = z.infer<typeof respondSchema>;

export const clearinghouseReportSchema = z.strictObject({
  affected: z.array(affectedInputSchema).min(1).max(200),
  cvssVector: z.string().startsWith('CVSS:4.0/', 'a CVSS 4.0 vector starts with CVSS:4.0/').optional(),
  provenance: provenanceSchema.optional(),
});
export type ClearinghouseReportBody = z.infer<typeof clearinghouseReportSchema>;

export const findingListQuerySchema = z.strictObject({
  state: z.enum(FINDING_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const reportQuerySchema = z.strictObject({ format: z.enum(['json', 'markdown']).default('json') });

export const findingParams = z.strictObject({
  id: z.string().min(1).max(100),
  findingId: z.string().min(1).max(100),
});
