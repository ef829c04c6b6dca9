/** Zod schemas of the webhook subscription API. */
import { z } from 'zod';
import { EVENT_FILTER_PATTERN } from './webhook.js';

const url = z.string().trim().min(1).max(2000);
const eventTypes = z
  .array(
    z
      .string()
      .regex(EVENT_FILTER_PATTERN, 'an event type prefix such as "exposure.finding", "exposure.*" or "*"')
      .max(200),
  )
  .min(1)
  .max(50);
const description = z.string().max(500);

export const createWebhookSchema = z.strictObject({
  url,
  eventTypes,
  description: description.default(''),
  active: z.boolean().default(true),
  /** Coordinator admins may create a subscription for another organisation; default: the caller's. */
  orgId: z.string().min(1).optional(),
});
export type CreateWebhookBody = z.infer<typeof createWebhookSchema>;

export const patchWebhookSchema = z
  .strictObject({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'give at least one of url, eventTypes, description, active' });
export type PatchWebhookBody = z.infer<typeof patchWebhookSchema>;

export const webhookListQuerySchema = z.strictObject({ orgId: z.string().min(1).optional() });

export const DELIVERY_STATES = ['pending', 'delivering', 'delivered', 'dead'] as const;

export const deliveryListQuerySchema = z.strictObject({
  state: z.enum(DELIVERY_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

export const webhookParams = z.strictObject({ id: z.string().min(1).max(100) });
export const deliveryParams = z.strictObject({
  id: z.string().min(1).max(100),
  deliveryId: z.string().min(1).max(100),
});
