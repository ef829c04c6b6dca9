/**
 * VEX statement input and export query (zod), and the two justification vocabularies with the mapping between them.
 * OpenVEX (the CISA "minimum requirements for VEX" list, also CSAF's flags) has five justifications; CycloneDX's
 * impact analysis has nine. A statement may use either; both values are stored: the one given and the other mapped
 * (OpenVEX -> CycloneDX by src/formats/vex's JUSTIFICATION_TO_CYCLONEDX, CycloneDX -> OpenVEX by the table below).
 */
import { z } from 'zod';
import { TLP_LEVELS } from '../access/marking.js';
import {
  JUSTIFICATION_TO_CYCLONEDX,
  VEX_JUSTIFICATIONS,
  VEX_STATUSES,
  type VexJustification,
} from '../formats/vex/index.js';

export const CYCLONEDX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;
export type CycloneDxJustification = (typeof CYCLONEDX_JUSTIFICATIONS)[number];

/**
 * CycloneDX -> OpenVEX. Code absent or unreachable map one to one; a configuration or a dependency that is not there
 * keeps the vulnerable code off the execution path; an environment the attacker does not control means the code
 * cannot be controlled by an adversary; every `protected_*` control is an inline mitigation.
 */
export const CYCLONEDX_TO_OPENVEX: Record<CycloneDxJustification, VexJustification> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_not_in_execute_path',
  requires_dependency: 'vulnerable_code_not_in_execute_path',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

/** Either vocabulary in, both out. */
export function bothJustifications(j: string): { openvex: VexJustification; cyclonedx: CycloneDxJustification } {
  if ((VEX_JUSTIFICATIONS as readonly string[]).includes(j)) {
    const openvex = j as VexJustification;
    return { openvex, cyclonedx: JUSTIFICATION_TO_CYCLONEDX[openvex] as CycloneDxJustification };
  }
  const cyclonedx = j as CycloneDxJustification;
  return { openvex: CYCLONEDX_TO_OPENVEX[cyclonedx], cyclonedx };
}

const statement = z.string().trim().min(1).max(4000);

export const vexInputSchema = z
  .strictObject({
    status: z.enum(VEX_STATUSES),
    justification: z.enum([...VEX_JUSTIFICATIONS, ...CYCLONEDX_JUSTIFICATIONS]).optional(),
    impactStatement: statement.optional(),
    actionStatement: statement.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'not_affected' && !v.justification)
      ctx.addIssue({
        code: 'custom',
        path: ['justification'],
        message: 'not_affected needs a justification (OpenVEX or CycloneDX vocabulary)',
      });
    if (v.status !== 'not_affected' && v.justification)
      ctx.addIssue({ code: 'custom', path: ['justification'], message: 'a justification is only for not_affected' });
    if (v.status === 'affected' && !v.actionStatement)
      ctx.addIssue({
        code: 'custom',
        path: ['actionStatement'],
        message: 'affected needs an action statement (what to do about it)',
      });
  });
export type VexInput = z.infer<typeof vexInputSchema>;

export const vexExportQuerySchema = z.strictObject({
  format: z.enum(['cyclonedx', 'openvex']).default('openvex'),
  /** One asset's statements only (by name). */
  asset: z.string().min(1).max(200).optional(),
  /** The marking the organisation gives its statements; the document gets the narrowest of this and its advisories'. */
  tlp: z.enum(TLP_LEVELS).default('AMBER+STRICT'),
});
export type VexExportQuery = z.infer<typeof vexExportQuerySchema>;

export const findingIdParams = z.strictObject({ id: z.string().min(1).max(100) });
