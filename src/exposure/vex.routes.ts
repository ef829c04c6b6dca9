/**
 * REST routes for VEX statements (POST/GET /api/v1/findings/{id}/vex, GET /api/v1/exposure/vex) and the read-only
 * scan (POST /api/v1/exposure/scan: match components against the advisories the caller may see, store nothing).
 * Validate -> service -> present. Called from src/exposure/module.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../http/route.js';
import type { Services } from '../services.js';
import { exportOrg as exportVex } from './vex.repository.js';
import { ScanService } from './vex.scan.js';
import { scanInputSchema } from './vex.scan.schema.js';
import { findingIdParams, vexExportQuerySchema, vexInputSchema } from './vex.schema.js';
import { presentVex, VexService } from './vex.service.js';

export function vexServiceOf(s: Services): VexService {
  return new VexService({
    db: s.db,
    audit: s.audit,
    clock: s.clock,
    advisory: (caller, id) => s.advisories.get(caller, id),
    orgName: async (caller, orgId) => (await s.participants.getOrg(caller, orgId)).name,
    // The outbox exists once the notify module is wired before this one (src/modules.ts).
    enqueue: (tx, events) => (s.outbox ? s.outbox.enqueue(tx, events) : Promise.resolve()),
  });
}

/** Services whose export bundle already carries the VEX statements (the routes may be registered more than once). */
const exporting = new WeakSet<Services>();

export function registerVexRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const vex = vexServiceOf(s);
  if (!exporting.has(s)) {
    exporting.add(s);
    // An organisation leaving takes its statements with it.
    s.participants.registerExporter(async (q, orgId) => ({
      exposureVexStatements: (await exportVex(q, orgId)).map(presentVex),
    }));
  }
  const scan = new ScanService(s);
  const tags = ['exposure'];

  r.add(app, {
    method: 'POST',
    url: '/api/v1/findings/:id/vex',
    summary: "State VEX for a finding (its organisation's members with the write scope); history is kept",
    tags,
    params: findingIdParams,
    body: vexInputSchema,
    responses: {
      201: { description: 'Statement recorded; it is now the current one' },
      403: { description: 'Not a member of the finding organisation, or no write scope' },
      404: { description: 'No such finding visible to the caller' },
    },
    handler: async ({ caller, params, body, reply }) => {
      const out = await vex.set(caller, params.id, body);
      reply.status(201);
      return out;
    },
  });

  r.add(app, {
    method: 'GET',
    url: '/api/v1/findings/:id/vex',
    summary: "A finding's VEX statements, oldest first (the last one is current)",
    tags,
    params: findingIdParams,
    handler: async ({ caller, params }) => ({ items: await vex.history(caller, params.id) }),
  });

  r.add(app, {
    method: 'GET',
    url: '/api/v1/exposure/vex',
    summary: "Export the caller's organisation's current VEX statements as OpenVEX 0.2.0 or CycloneDX 1.6 VEX",
    tags,
    query: vexExportQuerySchema,
    responses: {
      200: { description: 'The VEX document; the marking is in the Clearinghouse-TLP header and inside the document' },
      404: { description: 'No statements to export' },
    },
    handler: async ({ caller, query, reply }) => {
      const out = await vex.export(caller, query);
      reply.type(out.contentType).header('clearinghouse-tlp', out.tlp);
      return out.document;
    },
  });

  r.add(app, {
    method: 'POST',
    url: '/api/v1/exposure/scan',
    summary: 'Match SBOM components against the advisories the caller may see, without storing anything',
    tags,
    body: scanInputSchema,
    responses: { 200: { description: 'Findings with priority, component purl/version, advisory id and aliases' } },
    handler: async ({ caller, body }) => scan.scan(caller, body),
  });
}
