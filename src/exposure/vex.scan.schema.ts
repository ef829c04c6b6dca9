/** Input of the read-only scan (POST /api/v1/exposure/scan): components as parseSbom gives them, and asset tags. */
import { z } from 'zod';
import { CRITICALITIES } from './priority.js';

export const MAX_SCAN_COMPONENTS = 200_000;

export const scanComponentSchema = z.strictObject({
  ref: z.string().max(1000).optional(),
  name: z.string().min(1).max(1000),
  version: z.string().max(300).optional(),
  purl: z.string().max(2000).optional(),
  ecosystem: z.string().max(200).optional(),
  kind: z.enum(['library', 'application', 'os', 'machine-learning-model', 'other']).default('library'),
});

export const scanInputSchema = z.strictObject({
  components: z.array(scanComponentSchema).max(MAX_SCAN_COMPONENTS),
  /** The asset the SBOM describes, as its tags: they set the priority and due date as for a stored inventory. */
  criticality: z.enum(CRITICALITIES).default('medium'),
  internetFacing: z.boolean().default(false),
});
export type ScanInput = z.infer<typeof scanInputSchema>;
