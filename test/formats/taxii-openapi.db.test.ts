/**
 * The TAXII 2.1 routes in the served OpenAPI document (/api/v1/openapi.json): every route with its parameters, the
 * TAXII media type and the TAXII error resource; and real answers (successes and each error status) satisfy the
 * schema the document gives for their status, checked with Ajv.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TAXII_MEDIA_TYPE } from '../../src/formats/taxii/media.js';
import { describeBackends } from '../backends.js';
import type { Res } from '../harness.js';
import {
  ACCEPT,
  buildWorld,
  get,
  PARTICIPANTS,
  PUBLIC,
  RESTRICTED,
  ROOT,
  vulnerabilityIdOf,
  type World,
} from './taxii-world.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Operation {
  operationId: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
}

const TAXII_BODY = { ...ACCEPT, 'content-type': TAXII_MEDIA_TYPE };
const C = `${ROOT}/collections/{collectionId}`;
const EXPECTED: [string, string][] = [
  ['/taxii2/', 'get'],
  [`${ROOT}/`, 'get'],
  [`${ROOT}/collections/`, 'get'],
  [`${C}/`, 'get'],
  [`${C}/objects/`, 'get'],
  [`${C}/objects/`, 'post'],
  [`${C}/objects/{objectId}/`, 'get'],
  [`${C}/objects/{objectId}/`, 'delete'],
  [`${C}/objects/{objectId}/versions/`, 'get'],
  [`${C}/manifest/`, 'get'],
  [`${ROOT}/status/{statusId}/`, 'get'],
];

describeBackends('TAXII in the OpenAPI document', (backend) => {
  let w: World;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

  beforeAll(async () => {
    w = await buildWorld(backend);
    const r = await w.t.req<Doc>('GET', '/api/v1/openapi.json', { token: null });
    expect(r.status).toBe(200);
    doc = r.body;
  }, 60_000);
  afterAll(async () => w?.t.close());

  const op = (path: string, method: string): Operation => {
    const o = doc.paths[path]?.[method];
    if (!o) throw new Error(`${method.toUpperCase()} ${path} is not documented`);
    return o;
  };
  const validator = (path: string, method: string, status: number): ValidateFunction => {
    const responses = op(path, method).responses;
    const r = responses[String(status)] ?? responses.default;
    const schema = r?.content?.[TAXII_MEDIA_TYPE]?.schema;
    if (!schema) throw new Error(`${method} ${path}: no ${TAXII_MEDIA_TYPE} schema for ${status}`);
    return ajv.compile(schema as object);
  };
  /** The answer has the documented status entry (or falls to default only for errors) and satisfies its schema. */
  const conforms = (path: string, method: string, res: Res<unknown>, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
    const v = validator(path, method, res.status);
    expect(v(res.body), `${method} ${path} ${res.status}: ${ajv.errorsText(v.errors)}`).toBe(true);
  };

  it('lists every TAXII route with its parameters, the TAXII media type, the error resource and both credentials', () => {
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith('/taxii2/'))
      .flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented).toEqual(EXPECTED.map(([p, m]) => `${m.toUpperCase()} ${p}`).sort());
    for (const [path, method] of EXPECTED) {
      const o = op(path, method);
      expect(o.tags).toEqual(['TAXII 2.1']);
      expect(o.security).toEqual(expect.arrayContaining([{ bearer: [] }, { taxiiBasic: [] }]));
      for (const name of path.match(/\{(\w+)\}/g) ?? [])
        expect(o.parameters).toContainEqual(
          expect.objectContaining({ name: name.slice(1, -1), in: 'path', required: true }),
        );
      for (const [status, r] of Object.entries(o.responses)) {
        if (status === '200' && method === 'delete') continue;
        expect(Object.keys(r.content ?? {}), `${method} ${path} ${status}`).toEqual([TAXII_MEDIA_TYPE]);
      }
      const error = o.responses.default?.content?.[TAXII_MEDIA_TYPE]?.schema as { required: string[] };
      expect(error.required).toEqual(['title', 'http_status']);
    }
    const objects = op(`${C}/objects/`, 'get');
    expect(objects.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        'added_after',
        'limit',
        'next',
        'match[id]',
        'match[type]',
        'match[version]',
        'match[spec_version]',
      ]),
    );
    expect(objects.responses['200']!.headers).toHaveProperty('X-TAXII-Date-Added-Last');
    // Reads are open to anonymous callers (the public collection); adding, deleting and status need a token.
    expect(objects.security).toContainEqual({});
    for (const [path, method] of [
      [`${C}/objects/`, 'post'],
      [`${C}/objects/{objectId}/`, 'delete'],
      [`${ROOT}/status/{statusId}/`, 'get'],
    ] as const)
      expect(op(path, method).security).not.toContainEqual({});
    expect(Object.keys(op(`${C}/objects/`, 'post').requestBody!.content)).toEqual([TAXII_MEDIA_TYPE]);
    expect(doc.components.securitySchemes.taxiiBasic).toMatchObject({ type: 'http', scheme: 'basic' });
  });

  it('real answers satisfy the documented schema of their status', async () => {
    const b = w.b.token;
    conforms('/taxii2/', 'get', await get(w.t, '/taxii2/', null), 200);
    conforms(`${ROOT}/`, 'get', await get(w.t, `${ROOT}/`, null), 200);
    conforms(`${ROOT}/collections/`, 'get', await get(w.t, `${ROOT}/collections/`, b), 200);
    conforms(`${C}/`, 'get', await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/`, b), 200);
    conforms(`${C}/objects/`, 'get', await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/?limit=2`, b), 200);
    conforms(`${C}/manifest/`, 'get', await get(w.t, `${ROOT}/collections/${PUBLIC}/manifest/?limit=2`, null), 200);
    const id = await vulnerabilityIdOf(w.t, w.ids.clear);
    conforms(
      `${C}/objects/{objectId}/`,
      'get',
      await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/${id}/`, null),
      200,
    );
    conforms(
      `${C}/objects/{objectId}/versions/`,
      'get',
      await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/${id}/versions/`, null),
      200,
    );
    const posted = await w.t.req<{ id: string }>('POST', `${ROOT}/collections/${RESTRICTED}/objects/`, {
      token: w.a.token,
      headers: TAXII_BODY,
      body: {
        objects: [
          {
            type: 'vulnerability',
            spec_version: '2.1',
            id: 'vulnerability--00000000-0000-4000-8000-000000000001',
            created: '2026-11-20T08:00:00.000Z',
            modified: '2026-11-20T08:00:00.000Z',
            name: 'Prompt injection in example-model-server',
            description: 'A crafted document makes the model server call tools the user did not ask for.',
          },
        ],
      },
    });
    conforms(`${C}/objects/`, 'post', posted, 202);
    conforms(`${ROOT}/status/{statusId}/`, 'get', await get(w.t, `${ROOT}/status/${posted.body.id}/`, w.a.token), 200);

    // Errors: the TAXII error resource under the documented status.
    conforms(`${C}/objects/`, 'get', await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/?limit=0`, b), 400);
    conforms(`${C}/objects/`, 'get', await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/`, null), 401);
    conforms(`${C}/`, 'get', await get(w.t, `${ROOT}/collections/00000000-0000-4000-8000-000000000000/`, b), 404);
    conforms(
      `${C}/objects/`,
      'get',
      await get(w.t, `${ROOT}/collections/${PUBLIC}/objects/`, null, { accept: 'application/json' }),
      406,
    );
    const unsupported = await w.t.req('POST', `${ROOT}/collections/${PARTICIPANTS}/objects/`, {
      token: b,
      headers: { ...ACCEPT, 'content-type': 'application/json' },
      body: { objects: [] },
    });
    conforms(`${C}/objects/`, 'post', unsupported, 415);
    const bad = (await get(w.t, `${ROOT}/collections/${PARTICIPANTS}/objects/?limit=x`, b)).body as unknown as {
      details: { parameter: string };
    };
    expect(bad.details.parameter).toBe('limit');
  });
});
