/** REST routes of evaluation runs under /api/v1/reviews/windows/{id}/runs. Validate → service → present. */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../../http/route.js';
import type { Services } from '../../services.js';
import { runListQuerySchema, runParams, startRunSchema, windowParams } from './run.schema.js';

export function registerRunRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const tags = ['reviews'];
  const base = '/api/v1/reviews/windows/:id/runs';
  r.add(app, {
    method: 'POST',
    url: base,
    summary: 'Start a suite (purplellama, cyber-knowledge, ctf) or one task against a model variant: one run per task',
    tags,
    params: windowParams,
    body: startRunSchema,
    responses: { 201: { description: 'Queued' } },
    handler: async ({ caller, params, body, reply }) => {
      const runs = await s.reviewRuns.start(caller, params.id, body);
      reply.status(201);
      return { runs };
    },
  });
  r.add(app, {
    method: 'GET',
    url: base,
    summary: "The window's runs (trusted-partner reviewers: their organisation's)",
    tags,
    params: windowParams,
    query: runListQuerySchema,
    handler: async ({ caller, params, query }) => s.reviewRuns.list(caller, params.id, query),
  });
  // One run the caller may see (the service looks it up through the window's access rule), read or acted on.
  const runRoutes: [
    method: 'GET' | 'POST',
    path: string,
    call: 'get' | 'samples' | 'evalLog' | 'cancel',
    summary: string,
  ][] = [
    ['GET', '', 'get', 'One run: status, progress, scores and metrics, usage, comparison with the reference run'],
    [
      'GET',
      '/samples',
      'samples',
      'Per-sample results: transcripts with the raw-transcript scope, scores and usage otherwise',
    ],
    [
      'GET',
      '/evallog',
      'evalLog',
      'The run as an Inspect EvalLog (format version 2); samples only with the raw-transcript scope',
    ],
    ['POST', '/cancel', 'cancel', 'Cancel a queued or running run'],
  ];
  for (const [method, path, call, summary] of runRoutes)
    r.add(app, {
      method,
      url: `${base}/:runId${path}`,
      summary,
      tags,
      params: runParams,
      handler: async ({ caller, params }) => s.reviewRuns[call](caller, params.id, params.runId),
    });
}
