/**
 * The no-approval test: a review never approves, denies, clears, passes or fails a release. It walks the served
 * OpenAPI document (paths, operation ids, every property name and every enum value) and the window's state machine,
 * and fails on any such word (`offendingNames`; TLP's CLEAR is allowed as a TLP value only).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { offendingNames } from '../../src/reviews/vocabulary.js';
import { CLOSE_REASONS, TRANSITIONS, WINDOW_EFFECTS, WINDOW_EVENTS, WINDOW_STATES } from '../../src/reviews/window.js';
import {
  ATTACHMENT_KINDS,
  COVERED_STATUSES,
  GRANT_ROLES,
  GRANT_STATUSES,
  ON_WITHDRAWAL,
  TERMS_AUDIENCES,
  VARIANTS,
} from '../../src/reviews/windows/windows.schema.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { SECRETS_KEY } from './window-fixtures.js';

const TLP_VALUES = new Set(['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);

/** Every name a client sees in an OpenAPI document: paths, operation ids, property and parameter names, enum values. */
export function openApiNames(
  doc: { paths: Record<string, Record<string, unknown>> },
  pathFilter: (p: string) => boolean,
) {
  const names: { name: string; where: string }[] = [];
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${where}[${i}]`);
      });
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object')
      for (const k of Object.keys(o.properties)) names.push({ name: k, where: `${where}.properties` });
    if (Array.isArray(o.enum)) {
      // TLP's CLEAR labels sharing, not a release decision: allowed only inside an enum that is the TLP scale.
      const isTlp = o.enum.every((v) => TLP_VALUES.has(String(v)));
      for (const v of o.enum) {
        if (typeof v !== 'string' || (isTlp && TLP_VALUES.has(v))) continue;
        // offendingNames() excuses CLEAR for TLP's sake; outside a TLP scale it is checked as the word it is.
        names.push({ name: v === 'CLEAR' ? 'clear' : v, where: `${where}.enum` });
      }
    }
    if (typeof o.const === 'string') names.push({ name: o.const, where: `${where}.const` });
    if (o.name && o.in) names.push({ name: String(o.name), where: `${where}.parameter` });
    for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`);
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!pathFilter(path)) continue;
    names.push({ name: path, where: 'path' });
    for (const [method, op] of Object.entries(ops)) {
      const operationId = (op as { operationId?: string }).operationId;
      if (operationId) names.push({ name: operationId, where: `${method} ${path} operationId` });
      walk(op, `${method} ${path}`);
    }
  }
  return names;
}

function offending(names: { name: string; where: string }[]): string[] {
  const bad = new Set(offendingNames(names.map((n) => n.name)));
  return names.filter((n) => bad.has(n.name)).map((n) => `${n.name} (${n.where})`);
}

describeBackends('no approval anywhere in the review window', (backend) => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    t = await startTestApp(backend, { config: { secretsKey: SECRETS_KEY } });
    doc = (await t.req<typeof doc>('GET', '/api/v1/openapi.json')).body;
  }, 120_000); // a shared machine and database can be slow to set up
  afterAll(async () => t?.close());

  const reviewPaths = (p: string) => p.startsWith('/api/v1/reviews') || p.startsWith('/gateway');

  it('the served OpenAPI document has review routes, and none of their names approves, denies, clears, passes or fails', () => {
    const paths = Object.keys(doc.paths).filter(reviewPaths);
    expect(paths.length).toBeGreaterThan(10);
    const names = openApiNames(doc, reviewPaths);
    // The walk reaches deep: nested property names and enum values of the bodies are among the names it checked.
    expect(names.map((n) => n.name)).toEqual(
      expect.arrayContaining(['granteeOrgId', 'reduced-safeguards', 'trusted_partner_reviewer', 'termsSha256']),
    );
    expect(offending(names)).toEqual([]);
  });

  it('nor does the whole API (every capability), with TLP CLEAR as the one allowance', () => {
    expect(offending(openApiNames(doc, () => true))).toEqual([]);
  });

  it('the walk catches a forbidden word where it hides (it can fail)', () => {
    const planted = {
      paths: {
        '/api/v1/reviews/windows/{id}/release-approval': { post: { operationId: 'postReleaseApproval' } },
        '/api/v1/reviews/x': {
          get: {
            responses: {
              200: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { outcome: { enum: ['passed', 'CLEAR'] }, cleared: { type: 'boolean' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
    const found = offending(openApiNames(planted, () => true));
    expect(found.map((f) => f.split(' ')[0])).toEqual(
      expect.arrayContaining([
        '/api/v1/reviews/windows/{id}/release-approval',
        'postReleaseApproval',
        'passed',
        'cleared',
      ]),
    );
    // CLEAR outside a TLP scale is not excused either.
    expect(found.map((f) => f.split(' ')[0])).toContain('clear');
  });

  it('the state machine and every review vocabulary: states, events, transitions, effects, reasons, roles, statuses', () => {
    const names = [
      ...WINDOW_STATES,
      ...WINDOW_EVENTS,
      ...Object.values(TRANSITIONS).flat(),
      ...WINDOW_EFFECTS,
      ...CLOSE_REASONS,
      ...GRANT_ROLES,
      ...GRANT_STATUSES,
      ...COVERED_STATUSES,
      ...TERMS_AUDIENCES,
      ...ON_WITHDRAWAL,
      ...ATTACHMENT_KINDS,
      ...VARIANTS,
      'purge_data',
      'accept',
      'decline',
      'closed',
      'expired',
      'withdrawn',
    ];
    expect(offendingNames(names)).toEqual([]);
    // And the same check says no to what it must.
    expect(offendingNames(['approved', 'release_denied', 'cleared_for_release', 'passFail'])).toHaveLength(4);
  });
});
