/**
 * The TAXII 2.1 routes in the served OpenAPI document (/api/v1/openapi.json). They are not RouteRegistry routes (own
 * media type, own error resource, Basic as well as Bearer credentials, outside /api/v1), so they are written here as
 * OpenAPI 3.1 path items and handed to `registry.document`. Every answer, errors included, is
 * application/taxii+json;version=2.1. test/formats/taxii-openapi.db.test.ts checks real answers against these schemas.
 */
import { DEFAULT_LIMIT, MAX_LIMIT } from './filters.js';
import { TAXII_MEDIA_TYPE } from './media.js';
import { API_ROOT, TAXII_PREFIX } from './taxii.routes.js';

export const TAXII_BASIC_SCHEME = 'taxiiBasic';

const tags = ['TAXII 2.1'];
/** Tokens go as Bearer or Basic. Anonymous callers reach discovery, the API root and the public collection's reads. */
const signedIn = [{ bearer: [] }, { [TAXII_BASIC_SCHEME]: [] }];
const anyone = [{}, ...signedIn];

const timestamp = { type: 'string', format: 'date-time', description: 'RFC 3339, UTC, millisecond precision.' };
const stixObject = {
  type: 'object',
  required: ['type', 'id', 'spec_version'],
  properties: { type: { type: 'string' }, id: { type: 'string' }, spec_version: { type: 'string' } },
  additionalProperties: true,
  description: 'A STIX 2.1 object; object_marking_refs names the TLP 2.0 marking of its advisory as it is now.',
};

const errorResource = {
  type: 'object',
  required: ['title', 'http_status'],
  description: 'The TAXII error resource (not problem+json). Bad parameters name the parameter in details.',
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    error_code: { type: 'string' },
    http_status: { type: 'string', pattern: '^[1-5][0-9][0-9]$', description: 'The HTTP status, as a string.' },
    details: { type: 'object', additionalProperties: true },
  },
  additionalProperties: false,
};

const discovery = {
  type: 'object',
  required: ['title', 'api_roots'],
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    default: { type: 'string' },
    api_roots: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
};

const apiRoot = {
  type: 'object',
  required: ['title', 'versions', 'max_content_length'],
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    versions: { type: 'array', items: { type: 'string', const: TAXII_MEDIA_TYPE } },
    max_content_length: { type: 'integer' },
  },
  additionalProperties: false,
};

const collection = {
  type: 'object',
  required: ['id', 'title', 'can_read', 'can_write'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    description: { type: 'string' },
    can_read: { type: 'boolean' },
    can_write: { type: 'boolean' },
    media_types: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
};

const page = (key: string, items: unknown) => ({
  type: 'object',
  required: ['more'],
  properties: {
    more: { type: 'boolean' },
    next: { type: 'string', description: 'Give it back as the next parameter for the following page.' },
    [key]: { type: 'array', items },
  },
  additionalProperties: false,
});

const manifestRecord = {
  type: 'object',
  required: ['id', 'date_added', 'version'],
  properties: {
    id: { type: 'string' },
    date_added: { ...timestamp, description: 'When the object was added to the collection as this caller sees it.' },
    version: { type: 'string' },
    media_type: { type: 'string' },
  },
  additionalProperties: false,
};

const statusDetail = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: { type: 'string' }, version: { type: 'string' }, message: { type: 'string' } },
  additionalProperties: false,
};

const status = {
  type: 'object',
  required: ['id', 'status', 'total_count', 'success_count', 'failure_count', 'pending_count'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'complete'] },
    request_timestamp: timestamp,
    total_count: { type: 'integer' },
    success_count: { type: 'integer' },
    successes: { type: 'array', items: statusDetail },
    failure_count: { type: 'integer' },
    failures: { type: 'array', items: statusDetail },
    pending_count: { type: 'integer' },
    pendings: { type: 'array', items: statusDetail },
  },
  additionalProperties: false,
};

const envelopeIn = {
  type: 'object',
  required: ['objects'],
  properties: { objects: { type: 'array', minItems: 1, items: stixObject } },
  additionalProperties: true,
};

const taxii = (schema: unknown) => ({ [TAXII_MEDIA_TYPE]: { schema } });
const dateHeaders = {
  'X-TAXII-Date-Added-First': { description: 'date_added of the first object of the page', schema: timestamp },
  'X-TAXII-Date-Added-Last': {
    description: 'date_added of the last object of the page: a poll continues with added_after set to it',
    schema: timestamp,
  },
};
const ok = (description: string, schema: unknown, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: taxii(schema),
});
const err = (description: string) => ({ description, content: taxii(errorResource) });
const errors = (...statuses: number[]) => {
  const text: Record<number, string> = {
    400: 'A bad parameter or body (details.parameter names the parameter)',
    401: 'Not signed in, for anything but the public collection (WWW-Authenticate offers Basic and Bearer)',
    403: 'The collection cannot be read or written by this caller, or the operation is refused',
    404: 'No such collection, object or status for this caller (what the caller may not see does not exist)',
    406: 'The Accept header allows no TAXII 2.1 media type',
    413: 'Too many objects in one envelope',
    415: 'The body is not application/taxii+json;version=2.1',
  };
  return {
    ...Object.fromEntries(statuses.map((s) => [String(s), err(text[s] ?? 'Error')])),
    default: err('Any other error, as a TAXII error resource'),
  };
};

const param = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const path = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const P = {
  collectionId: path('collectionId', 'A collection id from the collections list'),
  objectId: path('objectId', 'A STIX identifier'),
  statusId: path('statusId', 'The id of a status resource returned by a POST'),
  addedAfter: param('added_after', 'Only objects added (as this caller sees it) after this instant', timestamp),
  limit: param('limit', `Page size (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`, { type: 'integer', minimum: 1 }),
  next: param('next', 'The next value of the previous page'),
  id: param('match[id]', 'STIX identifiers, comma-separated'),
  type: param('match[type]', 'STIX types, comma-separated'),
  version: param('match[version]', 'all, first, last (the default) or exact versions, comma-separated'),
  specVersion: param('match[spec_version]', 'STIX versions such as 2.1, comma-separated'),
};

const op = (
  operationId: string,
  summary: string,
  parameters: unknown[],
  responses: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  operationId,
  summary,
  tags,
  security:
    operationId === 'taxiiAddObjects' || operationId === 'taxiiDeleteObject' || operationId === 'taxiiGetStatus'
      ? signedIn
      : anyone,
  ...(parameters.length ? { parameters } : {}),
  ...extra,
  responses,
});

const root = `${TAXII_PREFIX}/${API_ROOT}`;
const objectsPage = page('objects', stixObject);

/** OpenAPI 3.1 path items of every TAXII 2.1 route (each is also served without its trailing slash). */
export const TAXII_PATHS: Record<string, Record<string, unknown>> = {
  [`${TAXII_PREFIX}/`]: {
    get: op('taxiiDiscovery', 'TAXII discovery', [], {
      200: ok('The server and its API root', discovery),
      ...errors(406),
    }),
  },
  [`${root}/`]: {
    get: op('taxiiApiRoot', 'The TAXII API root', [], { 200: ok('The API root', apiRoot), ...errors(406) }),
  },
  [`${root}/collections/`]: {
    get: op('taxiiCollections', 'The collections this caller may read (anonymous: the public one)', [], {
      200: ok('The collections', {
        type: 'object',
        properties: { collections: { type: 'array', items: collection } },
        additionalProperties: false,
      }),
      ...errors(401, 406),
    }),
  },
  [`${root}/collections/{collectionId}/`]: {
    get: op('taxiiCollection', 'One collection', [P.collectionId], {
      200: ok('The collection', collection),
      ...errors(401, 404, 406),
    }),
  },
  [`${root}/collections/{collectionId}/objects/`]: {
    get: op(
      'taxiiGetObjects',
      'Objects of a collection, as this caller may see them now, in date_added order',
      [P.collectionId, P.addedAfter, P.limit, P.next, P.id, P.type, P.version, P.specVersion],
      { 200: ok('One page of objects', objectsPage, dateHeaders), ...errors(400, 401, 403, 404, 406) },
    ),
    post: op(
      'taxiiAddObjects',
      'Add vulnerability objects: each becomes a report (a token with the write scope)',
      [P.collectionId],
      { 202: ok('The status resource, complete', status), ...errors(400, 401, 403, 404, 406, 413, 415) },
      { requestBody: { required: true, content: taxii(envelopeIn) } },
    ),
  },
  [`${root}/collections/{collectionId}/objects/{objectId}/`]: {
    get: op(
      'taxiiGetObject',
      'The versions of one object in a collection',
      [P.collectionId, P.objectId, P.addedAfter, P.limit, P.next, P.version, P.specVersion],
      { 200: ok('One page of the object’s versions', objectsPage, dateHeaders), ...errors(400, 401, 403, 404, 406) },
    ),
    delete: op(
      'taxiiDeleteObject',
      'Withdraw the advisory a vulnerability object comes from (coordinators); nothing is erased',
      [P.collectionId, P.objectId, P.version, P.specVersion],
      { 200: { description: 'Withdrawn: the objects get a revoked version' }, ...errors(400, 401, 403, 404, 406) },
    ),
  },
  [`${root}/collections/{collectionId}/objects/{objectId}/versions/`]: {
    get: op(
      'taxiiGetObjectVersions',
      'The versions (modified instants) of one object',
      [P.collectionId, P.objectId, P.addedAfter, P.limit, P.next, P.specVersion],
      {
        200: ok('One page of versions', page('versions', { type: 'string' }), dateHeaders),
        ...errors(400, 401, 403, 404, 406),
      },
    ),
  },
  [`${root}/collections/{collectionId}/manifest/`]: {
    get: op(
      'taxiiGetManifest',
      'The manifest of a collection: id, version and date_added as this caller sees it',
      [P.collectionId, P.addedAfter, P.limit, P.next, P.id, P.type, P.version, P.specVersion],
      {
        200: ok('One page of manifest records', page('objects', manifestRecord), dateHeaders),
        ...errors(400, 401, 403, 404, 406),
      },
    ),
  },
  [`${root}/status/{statusId}/`]: {
    get: op('taxiiGetStatus', 'A status resource (members of the organisation that POSTed)', [P.statusId], {
      200: ok('The status resource', status),
      ...errors(401, 404, 406),
    }),
  },
};

export const TAXII_SECURITY_SCHEMES: Record<string, unknown> = {
  [TAXII_BASIC_SCHEME]: {
    type: 'http',
    scheme: 'basic',
    description: 'TAXII clients may send an API token as the Basic password (any user name).',
  },
};
