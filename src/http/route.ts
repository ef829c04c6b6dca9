/**
 * Routes are declared once with zod schemas: the declaration validates the request (problems name each field) and
 * feeds the OpenAPI 3.1 document served at /api/v1/openapi.json.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Caller } from '../participants/principal.js';
import { parseOrThrow } from './zod.js';

export interface RouteContext<B, Q, P> {
  caller: Caller;
  body: B;
  query: Q;
  params: P;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  body?: B;
  query?: Q;
  params?: P;
  /** Status -> description (and optionally a response schema). */
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
  /** Public routes serve anonymous callers too (they then see TLP:CLEAR only). */
  public?: boolean;
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>, z.output<P>>) => Promise<unknown>;
}

interface Registered {
  method: string;
  url: string;
  /** The path as clients write it (OpenAPI form: {id} for parameters, a single ':' literal). */
  path: string;
  summary: string;
  tags: string[];
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  public: boolean;
}

export class RouteRegistry {
  readonly routes: Registered[] = [];
  /** Routes served outside the registry (own authentication and error shape): OpenAPI path items, as given. */
  private readonly documented: {
    paths: Record<string, Record<string, unknown>>;
    securitySchemes: Record<string, unknown>;
  }[] = [];

  /** Document routes that are not registered here, with the security schemes their operations name. */
  document(paths: Record<string, Record<string, unknown>>, securitySchemes: Record<string, unknown> = {}): void {
    this.documented.push({ paths, securitySchemes });
  }

  add<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown>(
    app: FastifyInstance,
    spec: RouteSpec<B, Q, P>,
  ): void {
    this.routes.push({
      method: spec.method,
      url: spec.url,
      // Fastify escapes a literal colon as '::' (e.g. /reports::batch); path parameters are ':name'.
      path: spec.url
        .split('::')
        .map((part) => part.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}'))
        .join(':'),
      summary: spec.summary,
      tags: spec.tags,
      body: spec.body,
      query: spec.query,
      params: spec.params,
      responses: spec.responses ?? { 200: { description: 'OK' } },
      public: spec.public ?? false,
    });
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req, reply) => {
        if (!spec.public && !req.caller)
          throw new AppError('unauthenticated', 'sign in with an API token (Authorization: Bearer TOKEN)');
        const body = spec.body ? parseOrThrow(spec.body, req.body ?? {}) : undefined;
        const query = spec.query ? parseOrThrow(spec.query, req.query ?? {}, 'query') : undefined;
        const params = spec.params ? parseOrThrow(spec.params, req.params ?? {}, 'params') : undefined;
        const result = await spec.handler({
          caller: req.caller,
          body: body as z.output<B>,
          query: query as z.output<Q>,
          params: params as z.output<P>,
          req,
          reply,
        });
        if (reply.sent) return reply;
        return result;
      },
    });
  }

  /** The OpenAPI 3.1 document of every registered route. */
  openapi(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const toSchema = (s: z.ZodType, io: 'input' | 'output') => {
      try {
        return z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' });
      } catch {
        return {};
      }
    };
    for (const r of this.routes) {
      const path = r.path;
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.params],
        ['query', r.query],
      ] as const) {
        if (!schema) continue;
        const js = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, s] of Object.entries(js.properties ?? {}))
          parameters.push({
            name,
            in: where,
            required: where === 'path' || (js.required ?? []).includes(name),
            schema: s,
          });
      }
      const responses: Record<string, unknown> = {};
      for (const [status, resp] of Object.entries(r.responses))
        responses[status] = {
          description: resp.description,
          ...(resp.schema ? { content: { 'application/json': { schema: toSchema(resp.schema, 'output') } } } : {}),
        };
      responses.default = {
        description: 'An error, as RFC 9457 problem details',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
      paths[path] ??= {};
      paths[path][r.method.toLowerCase()] = {
        summary: r.summary,
        tags: r.tags,
        operationId: `${r.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        ...(r.public ? { security: [{}, { bearer: [] }] } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } } }
          : {}),
        responses,
      };
    }
    for (const d of this.documented)
      for (const [path, item] of Object.entries(d.paths)) paths[path] = { ...paths[path], ...item };
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      security: [{ bearer: [] }],
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (chk_...)' },
          ...Object.assign({}, ...this.documented.map((d) => d.securitySchemes)),
        },
        schemas: {
          Problem: {
            type: 'object',
            required: ['type', 'title', 'status', 'detail', 'code'],
            properties: {
              type: { type: 'string' },
              title: { type: 'string' },
              status: { type: 'integer' },
              detail: { type: 'string' },
              instance: { type: 'string' },
              code: { type: 'string' },
              issues: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { path: { type: 'string' }, message: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    };
  }
}
