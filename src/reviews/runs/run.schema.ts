/** Request shapes of the run API (zod; problems name each field). */
import { z } from 'zod';
import { RUN_STATUSES } from './runs.repository.js';

export const VARIANTS = ['production', 'reduced-safeguards', 'reasoning-visible'] as const;

export const startRunSchema = z.strictObject({
  /** purplellama | cyber-knowledge | ctf, or one task id of them (e.g. ctf-weak-token). */
  suite: z.string().min(1).max(100),
  variant: z.enum(VARIANTS).default('production'),
  /** The grant to run under; defaults to the caller's only grant in the window. */
  grantId: z.string().min(1).max(100).optional(),
  epochs: z.coerce.number().int().min(1).max(10).optional(),
  /** Run only the first N samples of each task. */
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
  /** A reference run: other runs of the same task in the window are compared with it. */
  reference: z.boolean().default(false),
});
export type StartRunBody = z.infer<typeof startRunSchema>;

export const runListQuerySchema = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  task: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type RunListQuery = z.infer<typeof runListQuerySchema>;

export const windowParams = z.strictObject({ id: z.string().min(1).max(100) });
export const runParams = z.strictObject({ id: z.string().min(1).max(100), runId: z.string().min(1).max(100) });
