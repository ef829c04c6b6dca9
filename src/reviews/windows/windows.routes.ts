/** REST routes under /api/v1/reviews/windows…: offers, terms, consents, window actions, grants, keys, gateway log. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../../http/route.js';
import type { Services } from '../../services.js';
import {
  attachmentUploadSchema,
  consentSchema,
  coveredSchema,
  createGrantSchema,
  createKeySchema,
  createWindowSchema,
  gatewayLogQuerySchema,
  partnerDateSchema,
  termsSchema,
  updateEndpointSchema,
  windowListQuerySchema,
} from './windows.schema.js';

const idParams = z.strictObject({ id: z.string().min(1) });
const grantParams = z.strictObject({ id: z.string().min(1), grantId: z.string().min(1) });
const keyParams = grantParams.extend({ keyId: z.string().min(1) });

export function registerWindowRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const tags = ['reviews'];
  const base = '/api/v1/reviews/windows';
  const w = () => s.reviews.windows;
  const g = () => s.reviews.grants;
  r.add(app, {
    method: 'POST',
    url: base,
    summary:
      'Offer a model for review (a draft window): snapshot, dates, endpoint (secret write-only), variants, limits',
    tags,
    body: createWindowSchema,
    responses: { 201: { description: 'Created' } },
    handler: async ({ caller, body, reply }) => {
      const out = await w().create(caller, body);
      reply.status(201).header('location', `${base}/${out.id}`);
      return out;
    },
  });
  r.add(app, {
    method: 'GET',
    url: base,
    summary: 'Windows the caller takes part in (developer, grantee or coordinator)',
    tags,
    query: windowListQuerySchema,
    handler: async ({ caller, query }) => w().list(caller, query),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id`,
    summary:
      'One window (404 unless the caller takes part in it); endpoint details for developer and coordinators only',
    tags,
    params: idParams,
    handler: async ({ caller, params }) => w().get(caller, params.id, { audit: true }),
  });
  r.add(app, {
    method: 'PATCH',
    url: `${base}/:id/endpoint`,
    summary: 'Change the endpoint: base URL, variants, or a new secret (rotation); the secret is never returned',
    tags,
    params: idParams,
    body: updateEndpointSchema,
    handler: async ({ caller, params, body }) => w().updateEndpoint(caller, params.id, body),
  });
  r.add(app, {
    method: 'PUT',
    url: `${base}/:id/covered`,
    summary: 'Record covered status (coordinators): an opaque designation reference and a status',
    tags,
    params: idParams,
    body: coveredSchema,
    handler: async ({ caller, params, body }) => w().setCovered(caller, params.id, body),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/attachments`,
    summary: 'Add model cards or the developer’s own evaluation results (base64)',
    tags,
    params: idParams,
    body: z.strictObject({ attachments: z.array(attachmentUploadSchema).min(1).max(20) }),
    responses: { 201: { description: 'Added' } },
    handler: async ({ caller, params, body, reply }) => {
      reply.status(201);
      return w().addAttachments(caller, params.id, body.attachments);
    },
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/partner-date`,
    summary: 'Move the planned trusted-partner date (an open window then closes by the new date, within 30 days)',
    tags,
    params: idParams,
    body: partnerDateSchema,
    handler: async ({ caller, params, body }) => w().movePartnerDate(caller, params.id, body.trustedPartnerDate),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/terms`,
    summary: 'Add a version of the terms (government or trusted-partner audience); its text is hashed for consent',
    tags,
    params: idParams,
    body: termsSchema,
    responses: { 201: { description: 'Created' } },
    handler: async ({ caller, params, body, reply }) => {
      reply.status(201);
      return s.reviews.terms.addTerms(caller, params.id, body);
    },
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/terms`,
    summary: 'Every version of the terms with the SHA-256 of its text',
    tags,
    params: idParams,
    handler: async ({ caller, params }) => s.reviews.terms.listTerms(caller, params.id),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/consents`,
    summary: 'Sign terms: states the SHA-256 of the text read (developer: government terms; partner: its own terms)',
    tags,
    params: idParams,
    body: consentSchema,
    responses: { 201: { description: 'Signed' } },
    handler: async ({ caller, params, body, reply }) => {
      reply.status(201);
      return s.reviews.terms.consent(caller, params.id, body);
    },
  });
  for (const action of ['offer', 'open', 'close', 'withdraw'] as const)
    r.add(app, {
      method: 'POST',
      url: `${base}/:id/${action}`,
      summary: {
        offer: 'Offer the draft window (developer; terms needed)',
        open: 'Open the window (developer or coordinator; the developer has signed the latest government terms)',
        close: 'Close the window now (developer): grants and keys revoked, queued runs cancelled, findings frozen',
        withdraw:
          'Withdraw at any time, no reason asked (developer): access ends at once; data kept or purged per consent',
      }[action],
      tags,
      params: idParams,
      handler: async ({ caller, params }) => w().act(caller, params.id, action),
    });

  r.add(app, {
    method: 'POST',
    url: `${base}/:id/grants`,
    summary: 'Grant access (developer or coordinator), or propose a trusted partner (government reviewer, coordinator)',
    tags,
    params: idParams,
    body: createGrantSchema,
    responses: { 201: { description: 'Created' } },
    handler: async ({ caller, params, body, reply }) => {
      reply.status(201);
      return g().create(caller, params.id, body);
    },
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/grants`,
    summary: 'Grants: all for developer and coordinators; a grantee sees its own and those it proposed',
    tags,
    params: idParams,
    handler: async ({ caller, params }) => g().list(caller, params.id),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/grants/:grantId`,
    summary: 'One grant with its budget use',
    tags,
    params: grantParams,
    handler: async ({ caller, params }) => g().get(caller, params.id, params.grantId),
  });
  for (const decision of ['accept', 'decline'] as const)
    r.add(app, {
      method: 'POST',
      url: `${base}/:id/grants/:grantId/${decision}`,
      summary: `The developer ${decision}s a proposed trusted-partner grant (recorded with the proposal)`,
      tags,
      params: grantParams,
      handler: async ({ caller, params }) => g().decide(caller, params.id, params.grantId, decision),
    });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/grants/:grantId/revoke`,
    summary: 'Revoke a grant and its keys at once (developer or coordinator)',
    tags,
    params: grantParams,
    handler: async ({ caller, params }) => g().revoke(caller, params.id, params.grantId),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/grants/:grantId/keys`,
    summary: 'A gateway key for one’s own active grant; the secret is shown once',
    tags,
    params: grantParams,
    body: createKeySchema,
    responses: { 201: { description: 'Created' } },
    handler: async ({ caller, params, body, reply }) => {
      reply.status(201);
      return g().createKey(caller, params.id, params.grantId, body.label);
    },
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/grants/:grantId/keys`,
    summary: 'Keys of a grant (prefix and use; never the secret)',
    tags,
    params: grantParams,
    handler: async ({ caller, params }) => g().listKeys(caller, params.id, params.grantId),
  });
  r.add(app, {
    method: 'POST',
    url: `${base}/:id/grants/:grantId/keys/:keyId/revoke`,
    summary: 'Revoke one key (its holder, the developer or a coordinator)',
    tags,
    params: keyParams,
    handler: async ({ caller, params }) => g().revokeKey(caller, params.id, params.grantId, params.keyId),
  });
  r.add(app, {
    method: 'GET',
    url: `${base}/:id/gateway-log`,
    summary: 'Gateway call metadata (hashes, tokens, latency, status; never content): developer and coordinators',
    tags,
    params: idParams,
    query: gatewayLogQuerySchema,
    handler: async ({ caller, params, query }) => w().gatewayLog(caller, params.id, query.limit),
  });
}
