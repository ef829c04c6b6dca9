/**
 * Bad input through POST /api/v1/imports for every format: arbitrary JSON values, valid records with a field of the
 * wrong type, deep nesting, huge strings, zoneless dates. The API answers 200 with every record rejected (never a
 * 500), each with at least one reason, and the database is unchanged.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ImportSummary } from '../../src/formats/import/import.service.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { advisoryCount, fixture } from './helpers.js';

const osv = JSON.parse(readFileSync(fixture('osv', 'valid-sample.jsonl'), 'utf8').split('\n')[0]!);
const cve = JSON.parse(readFileSync(fixture('cve5', 'CVEv5_basic-example.json'), 'utf8'));
const kev = JSON.parse(readFileSync(fixture('kev', 'kev-subset.json'), 'utf8'));
const csaf = JSON.parse(readFileSync(fixture('csaf', 'examples', 'bsi-2022-0001.json'), 'utf8'));

/** A record whose `affected` nests 3,000 arrays deep, as raw JSON text (too deep for JSON.stringify in a worker). */
const deepBody = `{"format":"osv","documents":[${JSON.stringify({ ...osv, affected: null }).replace(
  '"affected":null',
  `"affected":${'['.repeat(3000)}1${']'.repeat(3000)}`,
)}]}`;

const broken: Record<string, unknown[]> = {
  osv: [
    { ...osv, modified: 12 },
    { ...osv, affected: 'all' },
    { ...osv, id: '' },
    { ...osv, modified: '2024-01-01T00:00:00' },
    { ...osv, details: 'x'.repeat(2 * 1024 * 1024) },
  ],
  cve5: [
    { ...cve, cveMetadata: { ...cve.cveMetadata, cveId: 'CVE-1' } },
    { ...cve, containers: [] },
    { ...cve, dataVersion: 7 },
  ],
  kev: [
    { ...kev, vulnerabilities: 'none' },
    { ...kev, vulnerabilities: [...kev.vulnerabilities, kev.vulnerabilities[0]] },
    { ...kev, vulnerabilities: [{ ...kev.vulnerabilities[0], dateAdded: 'soon' }] },
  ],
  csaf: [
    { ...csaf, document: { ...csaf.document, csaf_version: '9.9' } },
    { ...csaf, document: 'x' },
    { ...csaf, vulnerabilities: [{ cve: 42 }] },
  ],
};

describeBackends('formats import: bad input', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => t?.close());

  const post = (format: string, documents: unknown[]) =>
    t.req<ImportSummary>('POST', '/api/v1/imports', { token: t.adminToken, body: { format, documents } });

  for (const format of Object.keys(broken)) {
    it(`${format}: broken records and arbitrary JSON are rejected with reasons, nothing is stored`, async () => {
      const before = await advisoryCount(t);
      const known = await post(format, broken[format]!);
      expect(known.status).toBe(200);
      expect(known.body).toMatchObject({ records: broken[format]!.length, rejectedCount: broken[format]!.length });
      for (const r of known.body.rejected) expect(r.issues.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 6 }), { minLength: 1, maxLength: 5 }), async (docs) => {
          const res = await post(format, docs);
          // Fastify refuses prototype-poisoning keys for the whole request (400); nothing is stored either way.
          // (No `return expect(…)`: fast-check treats any returned value other than true/undefined as a failure.)
          if (res.status === 400) {
            expect(JSON.stringify(docs)).toMatch(/__proto__|constructor/);
            return;
          }
          expect(res.status).toBe(200);
          expect(res.body.created + res.body.updated + res.body.unchanged).toBe(0);
          expect(res.body.rejectedCount).toBe(docs.length);
        }),
        { numRuns: 25 },
      );
      if (format === 'osv') {
        const res = await t.req<ImportSummary>('POST', '/api/v1/imports', { token: t.adminToken, body: deepBody });
        expect(res.status).toBeLessThan(500);
        if (res.status === 200) expect(res.body.rejectedCount).toBe(1);
      }
      expect(await advisoryCount(t)).toBe(before);
      const kevRows = await t.services.db.kysely.selectFrom('kev_entries').select('cve_id').execute();
      expect(kevRows).toEqual([]);
    }, 60_000);
  }
});
