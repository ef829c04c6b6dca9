/** REST routes under /api/v1/webhooks. Validate → service → present. */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../http/route.js';
import type { Services } from '../services.js';
import {
  createWebhookSchema,
  deliveryListQuerySchema,
  deliveryParams,
  patchWebhookSchema,
  webhookListQuerySchema,
  webhookParams,
} from './webhook.schema.js';

export function registerWebhookRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const tags = ['webhooks'];
  const base = '/api/v1/webhooks';
  r.add(app, {
    method: 'POST',
    url: base,
    summary: 'Subscribe a URL to event types (organisation admins); the signing secret is returned once',
    tags,
    body: createWebhookSchema,
    responses: { 201: { description: 'Created, with `secret` (shown once)' } },
    handler: async ({ caller, body, reply }) => {
      const w = await s.webhooks.create(caller, body);
      reply.status(201).header('location', `${base}/${w.id}`);
      return w;
    },
  });
  r.add(app, {
    method: 'GET',
    url: base,
    summary: "The organisation's webhooks (coordinators: every organisation's, or ?orgId=)",
    tags,
    query: webhookListQuerySchema,
    handler: async ({ caller, query }) => ({ items: await s.webhooks.list(caller, query) }),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id`,
    summary: 'One webhook subscription (never its secret)',
    tags,
    params: webhookParams,
    handler: async ({ caller, params }) => s.webhooks.get(caller, params.id),
  });
  r.add(app, {
    method: 'PATCH',
    url: `${base}/:id`,
    summary: 'Change the URL, event types, description or active flag',
    tags,
    params: webhookParams,
    body: patchWebhookSchema,
    handler: async ({ caller, params, body }) => s.webhooks.update(caller, params.id, body),
  });
  r.add(app, {
    method: 'DELETE',
    url: `${base}/:id`,
    summary: 'Delete a webhook subscription (its delivery log stays in the export bundle)',
    tags,
    params: webhookParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ caller, params, reply }) => {
      await s.webhooks.remove(caller, params.id);
      reply.status(204).send();
    },
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/rotate-secret`,
    summary: 'Replace the signing secret; the new one is returned once and the old one stops at once',
    tags,
    params: webhookParams,
    handler: async ({ caller, params }) => s.webhooks.rotateSecret(caller, params.id),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/ping`,
    summary: 'Send a signed `ping` event now; answers with the delivery and its attempt',
    tags,
    params: webhookParams,
    handler: async ({ caller, params }) => s.webhooks.ping(caller, params.id),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/deliveries`,
    summary: 'The delivery log, newest first: state and every attempt (status code, latency, error, next attempt)',
    tags,
    params: webhookParams,
    query: deliveryListQuerySchema,
    handler: async ({ caller, params, query }) => s.webhooks.deliveries(caller, params.id, query),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/deliveries/:deliveryId`,
    summary: 'One delivery with its attempts',
    tags,
    params: deliveryParams,
    handler: async ({ caller, params }) => s.webhooks.delivery(caller, params.id, params.deliveryId),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/deliveries/:deliveryId/redeliver`,
    summary: 'Queue a dead (or delivered) delivery again with a fresh attempt budget',
    tags,
    params: deliveryParams,
    handler: async ({ caller, params }) => s.webhooks.redeliver(caller, params.id, params.deliveryId),
  });
}
