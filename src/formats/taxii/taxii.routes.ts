/**
 * TAXII 2.1 over HTTP at /taxii2/ (one API root, /taxii2/api/). Its own error shape (the TAXII error resource) and
 * media type (application/taxii+json;version=2.1), so these routes live in an encapsulated Fastify plugin with their
 * own error and not-found handlers rather than in the REST RouteRegistry. Authentication is the app's: API tokens as
 * Bearer or Basic (the token as password); anonymous callers see the public collection only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES } from '../../errors.js';
import { normaliseError } from '../../http/problem.js';
import type { Services } from '../../services.js';
import { presentCollection } from './collections.js';
import { type Endpoint, isStixId, parseFilter, type TaxiiFilter } from './filters.js';
import {
  acceptsTaxii,
  errorResource,
  isTaxiiContentType,
  STIX_MEDIA_TYPE,
  TAXII_MEDIA_TYPE,
  TaxiiError,
} from './media.js';
import type { ServedPage } from './taxii.service.js';

export const TAXII_PREFIX = '/taxii2';
export const API_ROOT = 'api';

function sendError(req: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  let body: Record<string, unknown>;
  let status: number;
  if (err instanceof TaxiiError) {
    status = err.status;
    body = errorResource(status, err.title, err.message, slug(err.title), err.details);
  } else {
    const e = normaliseError(err);
    if (e.code === 'internal') req.log.error({ err }, 'internal error');
    status = ERROR_CODES[e.code].status;
    const { issues, ...rest } = e.details;
    body = errorResource(status, ERROR_CODES[e.code].title, e.message, e.code, {
      ...(issues ? { issues } : {}),
      ...rest,
    });
    if (Object.keys(body.details as object).length === 0) delete body.details;
  }
  if (status === 401) reply.header('www-authenticate', 'Basic realm="clearinghouse", Bearer realm="clearinghouse"');
  return reply
    .status(status)
    .header('content-type', TAXII_MEDIA_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

function paramsOf(req: FastifyRequest): Record<string, string> {
  return req.params as Record<string, string>;
}

function queryOf(req: FastifyRequest): Record<string, unknown> {
  return (req.query ?? {}) as Record<string, unknown>;
}

function dateHeaders(reply: FastifyReply, page: ServedPage): void {
  const first = page.items[0];
  const last = page.items.at(-1);
  if (first && last) {
    reply.header('X-TAXII-Date-Added-First', first.added);
    reply.header('X-TAXII-Date-Added-Last', last.added);
  }
}

function envelope(page: ServedPage, key: string, items: unknown[]): Record<string, unknown> {
  return {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    ...(items.length > 0 ? { [key]: items } : {}),
  };
}

export async function registerTaxiiRoutes(app: FastifyInstance, s: Services): Promise<void> {
  await app.register(
    async (taxii) => {
      taxii.setErrorHandler((err, req, reply) => sendError(req, reply, err));
      taxii.setNotFoundHandler((req, reply) =>
        sendError(
          req,
          reply,
          new TaxiiError(404, 'Not found', `no TAXII endpoint ${req.method} ${req.url.split('?')[0]}`),
        ),
      );
      // Unknown TAXII URLs answer in the TAXII shape (the portal's catch-all route would otherwise take them).
      taxii.route({
        method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        url: '/*',
        handler: async (req) => {
          throw new TaxiiError(404, 'Not found', `no TAXII endpoint ${req.method} ${req.url.split('?')[0]}`);
        },
      });
      taxii.addContentTypeParser(
        'application/taxii+json',
        { parseAs: 'string' },
        taxii.getDefaultJsonParser('error', 'error'),
      );
      taxii.addHook('onRequest', async (req) => {
        if (!acceptsTaxii(req.headers.accept))
          throw new TaxiiError(406, 'Not acceptable', `this server answers in ${TAXII_MEDIA_TYPE} only`, {
            accept: req.headers.accept,
          });
      });
      /** Each TAXII URL is declared with its trailing slash (as the specification writes it) and without. */
      const route = (
        method: 'GET' | 'POST' | 'DELETE',
        path: string,
        handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
      ) => {
        const wrapped = async (req: FastifyRequest, reply: FastifyReply) => {
          const out = await handler(req, reply);
          if (out === undefined) return reply.send();
          // Serialised here, as bytes: Fastify would add a charset parameter to a JSON media type.
          return reply.header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(out)));
        };
        taxii.route({ method, url: path, handler: wrapped });
        if (path.endsWith('/') && path !== '/') taxii.route({ method, url: path.slice(0, -1), handler: wrapped });
      };

      const base = s.config.baseUrl.replace(/\/+$/, '');
      const rootUrl = `${base}${TAXII_PREFIX}/${API_ROOT}/`;

      route('GET', '/', async () => ({
        title: 'Clearinghouse TAXII 2.1 server',
        description:
          'Advisories of the vulnerability clearinghouse as STIX 2.1 objects. Collections are audiences: public (TLP:CLEAR), all participants, restricted (AMBER, AMBER+STRICT, RED you may see) and one per sharing group.',
        default: rootUrl,
        api_roots: [rootUrl],
      }));

      route('GET', `/${API_ROOT}/`, async () => ({
        title: 'Clearinghouse advisories',
        description:
          'Vulnerability advisories with their TLP 2.0 markings; POSTed vulnerability objects become reports.',
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: s.config.bodyLimitBytes,
      }));

      route('GET', `/${API_ROOT}/collections/`, async (req) => {
        const all = await s.taxii.collections(req.caller);
        return { collections: all.map(presentCollection) };
      });

      route('GET', `/${API_ROOT}/collections/:collectionId/`, async (req) =>
        presentCollection(await s.taxii.collection(req.caller, paramsOf(req).collectionId!)),
      );

      const read = async (req: FastifyRequest, endpoint: Endpoint, objectId?: string) => {
        const collection = await s.taxii.collection(req.caller, paramsOf(req).collectionId!);
        const f: TaxiiFilter = parseFilter(queryOf(req), endpoint);
        if (objectId !== undefined) {
          if (!isStixId(objectId) || !(await s.taxii.exists(req.caller, collection, objectId)))
            throw new TaxiiError(404, 'Not found', `object ${objectId} was not found in this collection`);
          f.ids = [objectId];
        }
        return s.taxii.page(req.caller, collection, f);
      };

      route('GET', `/${API_ROOT}/collections/:collectionId/objects/`, async (req, reply) => {
        const page = await read(req, 'objects');
        dateHeaders(reply, page);
        return envelope(
          page,
          'objects',
          page.items.map((i) => i.object),
        );
      });

      route('POST', `/${API_ROOT}/collections/:collectionId/objects/`, async (req, reply) => {
        if (!isTaxiiContentType(req.headers['content-type']))
          throw new TaxiiError(415, 'Unsupported media type', `send the envelope as ${TAXII_MEDIA_TYPE}`);
        if (!req.caller) throw new AppError('unauthenticated', 'sign in with an API token to add objects');
        const collection = await s.taxii.collection(req.caller, paramsOf(req).collectionId!);
        const status = await s.taxii.add(req.caller, collection, req.body);
        reply.status(202);
        return status;
      });

      route('GET', `/${API_ROOT}/collections/:collectionId/objects/:objectId/`, async (req, reply) => {
        const page = await read(req, 'object', paramsOf(req).objectId!);
        dateHeaders(reply, page);
        return envelope(
          page,
          'objects',
          page.items.map((i) => i.object),
        );
      });

      route('DELETE', `/${API_ROOT}/collections/:collectionId/objects/:objectId/`, async (req, reply) => {
        const collection = await s.taxii.collection(req.caller, paramsOf(req).collectionId!);
        parseFilter(queryOf(req), 'delete');
        await s.taxii.remove(req.caller, collection, paramsOf(req).objectId!);
        reply.status(200);
        return undefined;
      });

      route('GET', `/${API_ROOT}/collections/:collectionId/objects/:objectId/versions/`, async (req, reply) => {
        const page = await read(req, 'versions', paramsOf(req).objectId!);
        dateHeaders(reply, page);
        return envelope(
          page,
          'versions',
          page.items.map((i) => i.version),
        );
      });

      route('GET', `/${API_ROOT}/collections/:collectionId/manifest/`, async (req, reply) => {
        const page = await read(req, 'manifest');
        dateHeaders(reply, page);
        return envelope(
          page,
          'objects',
          page.items.map((i) => ({ id: i.id, date_added: i.added, version: i.version, media_type: STIX_MEDIA_TYPE })),
        );
      });

      route('GET', `/${API_ROOT}/status/:statusId/`, async (req) => {
        if (!req.caller) throw new AppError('unauthenticated', 'sign in with an API token');
        return s.taxii.status(req.caller, paramsOf(req).statusId!);
      });
    },
    { prefix: TAXII_PREFIX },
  );
}
