/** REST routes of findings and the developer report under /api/v1/reviews/windows/{id}/…. */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../../http/route.js';
import type { Services } from '../../services.js';
import { windowParams } from '../runs/run.schema.js';
import {
  clearinghouseReportSchema,
  createFindingSchema,
  findingListQuerySchema,
  findingParams,
  reportQuerySchema,
  respondSchema,
  updateFindingSchema,
  validateFindingSchema,
} from './finding.schema.js';

export function registerFindingRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const tags = ['reviews'];
  const base = '/api/v1/reviews/windows/:id/findings';
  const one = `${base}/:findingId`;
  r.add(app, {
    method: 'POST',
    url: base,
    summary: 'Draft a finding with evidence (runs and samples of the window), reproducibility, ATLAS/OWASP/CWE ids',
    tags,
    params: windowParams,
    body: createFindingSchema,
    responses: { 201: { description: 'Drafted' } },
    handler: async ({ caller, params, body, reply }) => {
      const f = await s.reviewFindings.create(caller, params.id, body);
      reply.status(201).header('location', `/api/v1/reviews/windows/${params.id}/findings/${f.id}`);
      return f;
    },
  });
  r.add(app, {
    method: 'GET',
    url: base,
    summary: "The window's findings the caller may see (the developer: shared ones)",
    tags,
    params: windowParams,
    query: findingListQuerySchema,
    handler: async ({ caller, params, query }) => s.reviewFindings.list(caller, params.id, query),
  });
  r.add(app, {
    method: 'GET',
    url: one,
    summary: 'One finding',
    tags,
    params: findingParams,
    handler: async ({ caller, params }) => s.reviewFindings.get(caller, params.id, params.findingId),
  });
  r.add(app, {
    method: 'PATCH',
    url: one,
    summary: 'Edit a draft finding (its author)',
    tags,
    params: findingParams,
    body: updateFindingSchema,
    handler: async ({ caller, params, body }) => s.reviewFindings.update(caller, params.id, params.findingId, body),
  });
  r.add(app, {
    method: 'POST',
    url: `${one}/validate`,
    summary: 'Validate a draft finding (a second reviewer, not the author)',
    tags,
    params: findingParams,
    body: validateFindingSchema,
    handler: async ({ caller, params, body }) =>
      s.reviewFindings.validate(caller, params.id, params.findingId, body.note),
  });
  r.add(app, {
    method: 'POST',
    url: `${one}/share`,
    summary: 'Share a validated finding with the developer',
    tags,
    params: findingParams,
    handler: async ({ caller, params }) => s.reviewFindings.share(caller, params.id, params.findingId),
  });
  r.add(app, {
    method: 'POST',
    url: `${one}/response`,
    summary: "The developer's response: acknowledged, disputed, mitigated or wont_fix",
    tags,
    params: findingParams,
    body: respondSchema,
    handler: async ({ caller, params, body }) => s.reviewFindings.respond(caller, params.id, params.findingId, body),
  });
  r.add(app, {
    method: 'POST',
    url: `${one}/clearinghouse-report`,
    summary: 'Turn a third-party-software finding into a clearinghouse report (linked both ways)',
    tags,
    params: findingParams,
    body: clearinghouseReportSchema,
    responses: { 201: { description: 'Reported' } },
    handler: async ({ caller, params, body, reply }) => {
      const out = await s.reviewFindings.toClearinghouseReport(caller, params.id, params.findingId, body);
      reply.status(201);
      return out;
    },
  });
  r.add(app, {
    method: 'POST',
    url: '/api/v1/reviews/windows/:id/report',
    summary: 'Share every validated finding with the developer and give the report (before the trusted-partner date)',
    tags,
    params: windowParams,
    handler: async ({ caller, params }) => s.reviewFindings.generateReport(caller, params.id),
  });
  r.add(app, {
    method: 'GET',
    url: '/api/v1/reviews/windows/:id/report',
    summary: 'The report to the developer (shared and answered findings), as JSON or Markdown',
    tags,
    params: windowParams,
    query: reportQuerySchema,
    handler: async ({ caller, params, query, reply }) => {
      if (query.format === 'markdown') {
        const md = await s.reviewFindings.reportMarkdown(caller, params.id);
        return reply.type('text/markdown; charset=utf-8').send(md);
      }
      return s.reviewFindings.report(caller, params.id);
    },
  });
}
