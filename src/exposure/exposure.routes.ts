/** REST routes of the exposure capability: assets, SBOM uploads, findings, the exposure summary. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RouteRegistry } from '../http/route.js';
import type { Services } from '../services.js';
import {
  assetInputSchema,
  assetParams,
  assetQuerySchema,
  exposureQuerySchema,
  findingListQuerySchema,
  findingParams,
  uploadQuerySchema,
} from './exposure.schema.js';

/** Media types an SBOM upload may carry; the body is the SBOM document itself, kept as text. */
export const SBOM_MEDIA_TYPES = ['application/json', 'application/vnd.cyclonedx+json', 'application/spdx+json'];

export async function registerExposureRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): Promise<void> {
  const tags = ['exposure'];
  r.add(app, {
    method: 'GET',
    url: '/api/v1/assets',
    summary: "The organisation's assets (coordinators: ?org=ID, or ?org=* for every organisation)",
    tags,
    query: assetQuerySchema,
    handler: async ({ caller, query }) => s.exposure.assets(caller, query.org),
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/assets/:name',
    summary: 'One asset with its inventory history (every SBOM uploaded) and the current components',
    tags,
    params: assetParams,
    query: assetQuerySchema,
    handler: async ({ caller, params, query }) => s.exposure.asset(caller, params.name, query.org),
  });
  r.add(app, {
    method: 'PUT',
    url: '/api/v1/assets/:name',
    summary: 'Create an asset or change its tags (criticality, sector, internet facing); priorities follow',
    tags,
    params: assetParams,
    query: assetQuerySchema,
    body: assetInputSchema,
    handler: async ({ caller, params, query, body }) => s.exposure.putAsset(caller, params.name, body, query.org),
  });

  // The upload body is the SBOM itself; it is read as text so that the SBOM parser reports where a broken document
  // breaks and which component it was in. A child context keeps this parser to this route.
  await app.register(async (child) => {
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser(SBOM_MEDIA_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    r.add(child, {
      method: 'POST',
      url: '/api/v1/assets/:name/sboms',
      summary:
        "Upload a CycloneDX 1.4-1.6 or SPDX 2.3 JSON SBOM as the request body (application/json, application/vnd.cyclonedx+json or application/spdx+json); it replaces the asset's inventory (the previous one is kept as history) and its findings; the asset is created when new",
      tags,
      params: assetParams,
      query: uploadQuerySchema,
      body: z.string().describe('the SBOM document (JSON text)'),
      responses: {
        201: { description: 'Stored; the findings created and resolved are counted' },
        400: {
          description: 'Not valid JSON, not a valid SBOM, or a component purl does not parse (the component is named)',
        },
        413: { description: 'Larger than the body limit' },
      },
      handler: async ({ caller, params, query, body, reply }) => {
        const out = await s.exposure.upload(caller, params.name, body, {
          fileName: query.fileName,
          org: query.org,
          criticality: query.criticality,
          internetFacing: query.internetFacing === undefined ? undefined : query.internetFacing === 'true',
        });
        reply.status(201);
        return out;
      },
    });
  });

  r.add(app, {
    method: 'GET',
    url: '/api/v1/findings',
    summary:
      'Findings of the organisation (coordinators: every organisation, or ?org=ID), ordered by priority and due date; only advisories the caller may see',
    tags,
    query: findingListQuerySchema,
    handler: async ({ caller, query }) => s.exposure.findings(caller, query),
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/findings/:id',
    summary: 'One finding (404 when the caller may not see it)',
    tags,
    params: findingParams,
    handler: async ({ caller, params }) => s.exposure.finding(caller, params.id),
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/exposure',
    summary:
      'Exposure summary: per organisation counts by priority, KEV, overdue and due soon, top findings; coordinators without ?org get aggregates by sector',
    tags,
    query: exposureQuerySchema,
    handler: async ({ caller, query }) => s.exposure.summary(caller, query.org),
  });
}
