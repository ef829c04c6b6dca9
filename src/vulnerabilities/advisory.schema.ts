import { z } from 'zod';
import { markingInputSchema } from '../access/marking.schema.js';
import { osvRangeSchema } from './report.schema.js';
import {
  SSVC_AUTOMATABLE,
  SSVC_EXPLOITATION,
  SSVC_MISSION_AND_WELL_BEING,
  SSVC_TECHNICAL_IMPACT,
  type SsvcAutomatable,
  type SsvcExploitation,
  type SsvcMissionAndWellBeing,
  type SsvcTechnicalImpact,
} from './rules/ssvc.js';

export const osvAffectedSchema = z
  .object({
    package: z
      .object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().startsWith('pkg:').optional() })
      .strict(),
    ranges: z.array(osvRangeSchema).default([]),
    versions: z.array(z.string().min(1)).default([]),
    ecosystem_specific: z.record(z.string(), z.unknown()).optional(),
    database_specific: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((a) => a.ranges.length > 0 || a.versions.length > 0, {
    message: 'give ranges or versions for each affected package',
  });

export const ssvcInputSchema = z
  .object({
    exploitation: z.enum(SSVC_EXPLOITATION as [SsvcExploitation, ...SsvcExploitation[]]),
    automatable: z.enum(SSVC_AUTOMATABLE as [SsvcAutomatable, ...SsvcAutomatable[]]),
    technicalImpact: z.enum(SSVC_TECHNICAL_IMPACT as [SsvcTechnicalImpact, ...SsvcTechnicalImpact[]]),
    missionAndWellBeing: z.enum(SSVC_MISSION_AND_WELL_BEING as [SsvcMissionAndWellBeing, ...SsvcMissionAndWellBeing[]]),
  })
  .strict();

/**
 * The fields of an advisory. Lists carry no default here: a default belongs to publishing only, since in an update a
 * missing list means "unchanged", never "empty".
 */
const advisoryFields = {
  summary: z.string().trim().min(5).max(500),
  details: z.string().trim().max(200_000).default(''),
  aliases: z
    .array(
      z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/, 'an id such as CVE-2026-12345 or GHSA-xxxx-xxxx-xxxx'),
    )
    .max(100),
  affected: z.array(osvAffectedSchema).max(500),
  cvssVector: z.string().startsWith('CVSS:4.0/', 'a CVSS 4.0 vector starts with CVSS:4.0/').optional(),
  ssvc: ssvcInputSchema.optional(),
  cweIds: z.array(z.string().regex(/^CWE-\d+$/, 'a CWE id looks like CWE-79')).max(50),
  atlasIds: z.array(z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/, 'an ATLAS technique id looks like AML.T0051')).max(50),
  owaspLlmIds: z.array(z.string().regex(/^LLM\d{2}:\d{4}$/, 'an OWASP LLM id such as LLM01:2025')).max(20),
  references: z.array(z.object({ type: z.string().default('WEB'), url: z.url() }).strict()).max(200),
  credits: z.array(z.object({ name: z.string().min(1), type: z.string().optional() }).strict()).max(100),
  remediation: z.string().max(20_000).nullish(),
};

export const advisoryPublishSchema = z
  .object({
    caseId: z.string().optional(),
    ...advisoryFields,
    aliases: advisoryFields.aliases.default([]),
    affected: advisoryFields.affected.default([]),
    cweIds: advisoryFields.cweIds.default([]),
    atlasIds: advisoryFields.atlasIds.default([]),
    owaspLlmIds: advisoryFields.owaspLlmIds.default([]),
    references: advisoryFields.references.default([]),
    credits: advisoryFields.credits.default([]),
    marking: markingInputSchema.default({ tlp: 'CLEAR', sharedWithOrgIds: [], namedMemberIds: [] }),
  })
  .strict();
export type AdvisoryPublishInput = z.infer<typeof advisoryPublishSchema>;

export const advisoryUpdateSchema = z
  .object({
    summary: advisoryFields.summary.optional(),
    details: z.string().trim().max(200_000).optional(),
    aliases: advisoryFields.aliases.optional(),
    affected: advisoryFields.affected.optional(),
    cvssVector: advisoryFields.cvssVector,
    ssvc: advisoryFields.ssvc,
    cweIds: advisoryFields.cweIds.optional(),
    atlasIds: advisoryFields.atlasIds.optional(),
    owaspLlmIds: advisoryFields.owaspLlmIds.optional(),
    references: advisoryFields.references.optional(),
    remediation: advisoryFields.remediation,
  })
  .strict();
export type AdvisoryUpdateInput = z.infer<typeof advisoryUpdateSchema>;

export const advisoryListQuerySchema = z
  .object({
    q: z.string().max(200).optional(),
    package: z.string().max(300).optional(),
    ecosystem: z.string().max(100).optional(),
    cwe: z.string().max(20).optional(),
    atlas: z.string().max(30).optional(),
    alias: z.string().max(100).optional(),
    severity: z.enum(['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).optional(),
    ssvc: z.enum(['Track', 'Track*', 'Attend', 'Act']).optional(),
    kev: z.enum(['true', 'false']).optional(),
    withdrawn: z.enum(['include', 'only', 'exclude']).default('exclude'),
    since: z.iso.datetime({ offset: true }).optional(),
    until: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().optional(),
  })
  .strict();
export type AdvisoryListQuery = z.infer<typeof advisoryListQuerySchema>;
