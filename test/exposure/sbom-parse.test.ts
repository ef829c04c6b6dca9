/** parseSbom on real SBOMs (fixtures/sbom, sources in SOURCE.md) and on each kind of broken one. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSbom } from '../../src/exposure/sbom/parse.js';
import { sharedDataDir } from '../../src/paths.js';
import { fixture } from './helpers.js';

function ok(text: string) {
  const r = parseSbom(text);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function issues(text: string) {
  const r = parseSbom(text);
  if (r.ok) throw new Error('expected the SBOM to be refused');
  return r.issues;
}

describe('parseSbom: real documents', () => {
  it('CycloneDX 1.4 (laravel, 62 composer components) with purls mapped to Packagist', () => {
    const v = ok(fixture('laravel-7.12.0.cdx-1.4.json'));
    expect(v.format).toBe('cyclonedx');
    expect(v.specVersion).toBe('1.4');
    expect(v.components).toHaveLength(62);
    expect(v.models).toHaveLength(0);
    expect(v.components.find((c) => c.purl === 'pkg:composer/brick/math@0.9.3')).toMatchObject({
      ref: 'brick/math-0.9.3.0',
      name: 'brick/math',
      version: '0.9.3',
      ecosystem: 'Packagist',
      kind: 'library',
    });
  });

  it('CycloneDX 1.5 and 1.6 (nested components flattened)', () => {
    const v15 = ok(fixture('valid-bom.cdx-1.5.json'));
    expect(v15.specVersion).toBe('1.5');
    expect(v15.components.map((c) => c.purl)).toContain('pkg:npm/acme/component@1.0.0');
    const v16 = ok(fixture('valid-bom.cdx-1.6.json'));
    expect(v16.specVersion).toBe('1.6');
    expect(v16.components).toHaveLength(3);
    expect(v16.components.filter((c) => c.ecosystem === 'Maven')).toHaveLength(3);
  });

  it('machine-learning-model components are the model inventory (1.5 and 1.6)', () => {
    for (const f of ['valid-machine-learning.cdx-1.5.json', 'valid-machine-learning.cdx-1.6.json']) {
      const v = ok(fixture(f));
      expect(v.models).toHaveLength(1);
      expect(v.models[0]).toMatchObject({
        name: 'CompVis/stable-diffusion',
        version: '1.4',
        kind: 'machine-learning-model',
      });
      expect(v.components).toContain(v.models[0]);
    }
  });

  it('SPDX 2.3: packages with purl external references; a Debian purl keeps its ecosystem', () => {
    const v = ok(fixture('example11.spdx-2.3.json'));
    expect(v.format).toBe('spdx');
    expect(v.specVersion).toBe('2.3');
    expect(v.components.map((c) => [c.ref, c.purl, c.ecosystem])).toEqual(
      expect.arrayContaining([
        ['SPDXRef-Package-SPDXRef-Package-cargo-tokio-1', 'pkg:cargo/tokio@1.19.2', 'crates.io'],
        ['SPDXRef-Package-hello-server-src', 'pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x', 'Debian'],
      ]),
    );
    const spec = ok(fixture('SPDXJSONExample-v2.3.spdx.json'));
    expect(spec.components.find((c) => c.purl === 'pkg:maven/org.apache.jena/apache-jena@3.12.0')?.ecosystem).toBe(
      'Maven',
    );
  });

  it('SPDX models: a huggingface purl, or the machine-learning-model token in the comment', () => {
    const doc = JSON.parse(fixture('example11.spdx-2.3.json'));
    doc.packages.push(
      {
        SPDXID: 'SPDXRef-model-1',
        name: 'llama',
        versionInfo: 'abc1234',
        downloadLocation: 'NOASSERTION',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: 'pkg:huggingface/meta/llama@abc1234',
          },
        ],
      },
      {
        SPDXID: 'SPDXRef-model-2',
        name: 'acme/classifier',
        versionInfo: '2',
        downloadLocation: 'NOASSERTION',
        primaryPackagePurpose: 'OTHER',
        comment: 'type: machine-learning-model',
      },
      {
        SPDXID: 'SPDXRef-lib-3',
        name: 'a library that mentions machine-learning-model',
        versionInfo: '2',
        downloadLocation: 'NOASSERTION',
        primaryPackagePurpose: 'LIBRARY',
        comment: 'helpers for machine-learning-model serving',
      },
    );
    const v = ok(JSON.stringify(doc));
    expect(v.models.map((m) => m.ref)).toEqual(['SPDXRef-model-1', 'SPDXRef-model-2']);
  });
});

describe('parseSbom: refused documents name the component', () => {
  const laravel = fixture('laravel-7.12.0.cdx-1.4.json');

  it('truncated JSON: the position and the last component before it', () => {
    const cut = laravel.indexOf('"bom-ref": "doctrine/inflector');
    const [i] = issues(laravel.slice(0, cut + 200));
    expect(i!.path).toMatch(/^line \d+, column \d+$/);
    expect(i!.message).toMatch(/invalid JSON/);
    expect(i!.message).toContain('bom-ref doctrine/inflector-2.0.6.0');
  });

  it('wrong schema: a component with an unknown type is named by index and bom-ref', () => {
    const doc = JSON.parse(laravel);
    doc.components[3].type = 'gadget';
    const [i] = issues(JSON.stringify(doc));
    expect(i!.path).toBe('/components/3/type');
    expect(i!.message).toContain(`component 3 (bom-ref ${doc.components[3]['bom-ref']})`);
  });

  it('a purl that does not parse names the component (CycloneDX bom-ref, SPDX SPDXID)', () => {
    const doc = JSON.parse(laravel);
    doc.components[1].purl = 'pkg:/no-type-here';
    const [i] = issues(JSON.stringify(doc));
    expect(i!.path).toBe('/components/1/purl');
    expect(i!.message).toContain('bom-ref brick/math-0.9.3.0');
    expect(i!.message).toContain('purl does not parse');

    const spdx = JSON.parse(fixture('example11.spdx-2.3.json'));
    spdx.packages[2].externalRefs[0].referenceLocator = 'pkg:npm/%zz@1';
    const [j] = issues(JSON.stringify(spdx));
    expect(j!.path).toBe('/packages/2/externalRefs/0/referenceLocator');
    expect(j!.message).toContain(`SPDXID ${spdx.packages[2].SPDXID}`);
  });

  it('SPDX schema errors name the package', () => {
    const spdx = JSON.parse(fixture('example11.spdx-2.3.json'));
    delete spdx.packages[1].name;
    const found = issues(JSON.stringify(spdx));
    expect(found.some((i) => i.path === '/packages/1' && i.message.includes(spdx.packages[1].SPDXID))).toBe(true);
  });

  it('unsupported versions and formats, too many components, too large', () => {
    expect(issues(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.2', components: [] }))[0]!.path).toBe(
      '/specVersion',
    );
    expect(issues(JSON.stringify({ spdxVersion: 'SPDX-3.0' }))[0]!.path).toBe('/spdxVersion');
    expect(issues(JSON.stringify({ hello: 'world' }))[0]!.message).toMatch(/not a CycloneDX/);
    expect(issues('[1, 2]')[0]!.message).toMatch(/JSON object/);
    const r = parseSbom(laravel, { maxComponents: 10 });
    expect(r.ok).toBe(false);
    expect(parseSbom(laravel, { maxBytes: 1000 }).ok).toBe(false);
  });
});

describe('parseSbom: the CycloneDX specification test cases (when ../shared/data is present)', () => {
  const dir = sharedDataDir() && join(sharedDataDir()!, 'sbom', 'cyclonedx-spec-testcases');
  const has = dir !== null && existsSync(dir);
  it.skipIf(!has)('valid-* files parse, invalid-* files are refused, for 1.4, 1.5 and 1.6', () => {
    let valid = 0;
    let invalid = 0;
    for (const v of ['1.4', '1.5', '1.6']) {
      for (const f of readdirSync(join(dir!, v))) {
        if (!f.endsWith('.json')) continue;
        const text = readFileSync(join(dir!, v, f), 'utf8');
        const r = parseSbom(text);
        if (f.startsWith('valid-')) {
          expect(r.ok, `${v}/${f}: ${r.ok ? '' : JSON.stringify(r.issues)}`).toBe(true);
          valid++;
        } else if (f.startsWith('invalid-')) {
          expect(r.ok, `${v}/${f} should be refused`).toBe(false);
          invalid++;
        }
      }
    }
    expect(valid).toBeGreaterThan(50);
    expect(invalid).toBeGreaterThan(30);
  });
});
