import { describe, expect, it } from 'vitest';
import type { AdvisoryDoc } from '../../vulnerabilities/advisory.model.js';
import { advisoryDoc, pypiAffected } from '../csaf/testing/samples.js';
import { validateStixObject } from '../stix/index.js';
import { encodeNext, parseFilter } from './filters.js';
import { acceptsTaxii, isTaxiiContentType, TaxiiError } from './media.js';
import { deriveObjects, nextVersion } from './objects.js';

const doc: AdvisoryDoc = advisoryDoc({
  aliases: ['CVE-2026-1234'],
  summary: 'Prompt injection in example-agent',
  details: 'Tool calls follow instructions found in fetched pages.',
  affected: [pypiAffected('example-agent', '2.0.0')],
  cweIds: ['CWE-77'],
});

function refused(f: () => unknown): TaxiiError {
  try {
    f();
  } catch (e) {
    if (e instanceof TaxiiError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('TAXII filters', () => {
  it('defaults: latest version, 100 objects, no other condition', () => {
    expect(parseFilter({}, 'objects')).toEqual({
      ids: null,
      types: null,
      versions: { all: false, first: false, last: true, at: [] },
      specVersions: null,
      addedAfter: null,
      limit: 100,
      next: null,
    });
    expect(parseFilter({}, 'versions').versions.all).toBe(true);
  });

  it('reads lists comma-separated or repeated, normalises timestamps, caps the limit', () => {
    const f = parseFilter(
      {
        'match[type]': ['vulnerability,note', 'sighting'],
        'match[version]': 'first,2026-11-02T00:00:00Z',
        added_after: '2026-11-02T02:00:00.5+02:00',
        limit: '5000',
        next: encodeNext('2026-11-02T00:00:00.000Z', 42),
      },
      'objects',
    );
    expect(f.types).toEqual(['vulnerability', 'note', 'sighting']);
    expect(f.versions).toEqual({ all: false, first: true, last: false, at: ['2026-11-02T00:00:00.000Z'] });
    expect(f.addedAfter).toBe('2026-11-02T00:00:00.500Z');
    expect(f.limit).toBe(1000);
    expect(f.next).toEqual({ added: '2026-11-02T00:00:00.000Z', seq: 42 });
  });

  it('refuses bad values and filters the endpoint does not take, naming the parameter', () => {
    for (const [q, endpoint, parameter] of [
      [{ limit: '-1' }, 'objects', 'limit'],
      [{ added_after: '2026-11-02' }, 'objects', 'added_after'],
      [{ added_after: '2026-11-02T00:00:00.0001Z' }, 'objects', 'added_after'],
      [{ 'match[version]': 'newest' }, 'objects', 'match[version]'],
      [{ 'match[id]': 'vulnerability--1' }, 'objects', 'match[id]'],
      [{ 'match[type]': 'x,' }, 'objects', 'match[type]'],
      [{ 'match[type]': 'vulnerability' }, 'versions', 'match[type]'],
      [{ 'match[id]': 'vulnerability--00000000-0000-4000-8000-000000000000' }, 'object', 'match[id]'],
      [{ 'match[labels]': 'x' }, 'objects', 'match[labels]'],
      [{ next: encodeNext('yesterday', 1) }, 'objects', 'next'],
      [{ next: Buffer.from('[1,2]').toString('base64url') }, 'objects', 'next'],
    ] as const) {
      const e = refused(() => parseFilter(q, endpoint));
      expect(e.status).toBe(400);
      expect(e.details).toEqual({ parameter });
    }
  });

  it('ignores parameters that are not TAXII filters', () => {
    expect(parseFilter({ utm_source: 'x' }, 'objects').limit).toBe(100);
  });
});

describe('TAXII media types', () => {
  it('accepts the TAXII 2.1 type, its versionless form and wildcards; refuses others', () => {
    for (const a of [
      undefined,
      '',
      'application/taxii+json;version=2.1',
      'application/taxii+json; version="2.1"',
      'application/taxii+json',
      '*/*',
      'text/html, application/*;q=0.5',
    ])
      expect(acceptsTaxii(a), String(a)).toBe(true);
    for (const a of [
      'application/json',
      'application/taxii+json;version=2.0',
      'text/html',
      'application/taxii+json;q=0',
    ])
      expect(acceptsTaxii(a), a).toBe(false);
    expect(isTaxiiContentType('application/taxii+json;version=2.1')).toBe(true);
    expect(isTaxiiContentType('application/json')).toBe(false);
    expect(isTaxiiContentType(undefined)).toBe(false);
  });
});

describe('object versions', () => {
  it('splits an advisory into its own objects and reference objects; all validate', () => {
    const { own, reference } = deriveObjects({ doc, tlp: 'AMBER', ownerOrgName: 'Clearinghouse' });
    expect(own.map((o) => o.type)).toEqual(['vulnerability', 'course-of-action', 'relationship']);
    expect(reference.map((o) => o.type).sort()).toEqual(['identity', 'marking-definition', 'marking-definition']);
    for (const o of [...own, ...reference]) expect(validateStixObject(o)).toEqual([]);
  });

  it('a withdrawn advisory revokes every object derived from it', () => {
    const { own } = deriveObjects({
      doc: { ...doc, withdrawn: '2026-11-03T00:00:00.000Z', modified: '2026-11-03T00:00:00.000Z' },
      tlp: 'CLEAR',
      ownerOrgName: 'Clearinghouse',
    });
    expect(own.every((o) => o.revoked === true)).toBe(true);
  });

  it('records a new version only when the object changed, and never reuses a version', () => {
    const [v1] = deriveObjects({ doc, tlp: 'CLEAR', ownerOrgName: 'Clearinghouse' }).own;
    expect(nextVersion(v1!, null, '2026-11-05T00:00:00.000Z')).toBe(v1);
    expect(nextVersion(v1!, v1!, '2026-11-05T00:00:00.000Z')).toBeNull();
    // Same modified, new content (e.g. KEV facts): moved past the last version, to the recording instant.
    const changed = { ...v1!, description: 'changed' };
    expect(nextVersion(changed, v1!, '2026-11-05T00:00:00.000Z')).toEqual({
      ...changed,
      modified: '2026-11-05T00:00:00.000Z',
    });
    // A recording instant before the last version: one millisecond after it.
    const later = { ...v1!, modified: '2026-12-01T00:00:00.000Z' };
    expect(nextVersion(changed, later, '2026-11-05T00:00:00.000Z')?.modified).toBe('2026-12-01T00:00:00.001Z');
    // The codec's own later modified wins.
    const newer = { ...v1!, modified: '2026-11-10T00:00:00.000Z' };
    expect(nextVersion(newer, v1!, '2026-11-05T00:00:00.000Z')).toBe(newer);
    // Re-encoding an older version after a bump changes nothing.
    const bumped = nextVersion(changed, v1!, '2026-11-05T00:00:00.000Z')!;
    expect(nextVersion(changed, bumped, '2026-11-06T00:00:00.000Z')).toBeNull();
  });
});
