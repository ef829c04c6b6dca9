/** Zod schemas of the exposure REST API (assets, SBOM uploads, findings, the exposure summary). */
import { z } from 'zod';
import { SECTORS } from '../participants/participants.js';
import { CRITICALITIES, PRIORITIES } from './priority.js';

/** An asset name: what the organisation calls the system (a host, a service, a product line). */
export const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@ -]{0,199}$/;

export const assetParams = z.strictObject({
  name: z
    .string()
    .regex(ASSET_NAME, 'letters, digits and . _ : @ - or space; at most 200; starting with a letter or digit'),
});

const orgQuery = {
  /** Coordinators: another organisation's id. */
  org: z.string().min(1).max(100).optional(),
};

export const assetQuerySchema = z.strictObject(orgQuery);

export const assetInputSchema = z.strictObject({
  criticality: z.enum(CRITICALITIES as unknown as [string, ...string[]]).optional(),
  sector: z.enum(SECTORS).nullable().optional(),
  internetFacing: z.boolean().optional(),
  tags: z.array(z.string().min(1).max(100)).max(50).optional(),
});
export type AssetInput = z.infer<typeof assetInputSchema>;

export const uploadQuerySchema = z.strictObject({
  ...orgQuery,
  fileName: z.string().min(1).max(300).optional(),
  criticality: z.enum(CRITICALITIES as unknown as [string, ...string[]]).optional(),
  internetFacing: z.enum(['true', 'false']).optional(),
});

export const findingParams = z.strictObject({ id: z.string().min(1).max(100) });

export const findingListQuerySchema = z.strictObject({
  ...orgQuery,
  asset: z.string().max(200).optional(),
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  priority: z.enum(PRIORITIES as unknown as [string, ...string[]]).optional(),
  kev: z.enum(['true', 'false']).optional(),
  advisory: z.string().min(1).max(200).optional(),
  component: z.string().min(1).max(500).optional(),
  ecosystem: z.string().min(1).max(100).optional(),
  kind: z.enum(['library', 'application', 'os', 'machine-learning-model', 'other']).optional(),
  dueBefore: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(500).optional(),
});
export type FindingListQuery = z.infer<typeof findingListQuerySchema>;

export const exposureQuerySchema = z.strictObject(orgQuery);
