/**
 * JSON Schema validators for uploaded SBOMs: CycloneDX 1.4, 1.5 and 1.6 with the schemas shipped in
 * `@cyclonedx/cyclonedx-library` (res/schema, with the SPDX licence-id and JSF schemas they reference), and SPDX 2.3
 * with the official SPDX 2.3 JSON Schema (fixtures/schemas/spdx-2.3, see its SOURCE.md). Compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { toIssues } from '../../formats/common/schemas.js';
import { projectRoot } from '../../paths.js';

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the module object.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

export const CYCLONEDX_VERSIONS = ['1.4', '1.5', '1.6'] as const;
export type CycloneDxVersion = (typeof CYCLONEDX_VERSIONS)[number];

export interface SchemaIssue {
  /** JSON Pointer into the document. */
  path: string;
  message: string;
}
export type Validator = (value: unknown) => SchemaIssue[];

/** Formats the CycloneDX schemas use that ajv-formats lacks, checked by their syntax. */
const EXTRA_FORMATS: Record<string, (s: string) => boolean> = {
  'iri-reference': (s) => /^\S*$/u.test(s),
  iri: (s) => /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/u.test(s),
  'idn-email': (s) => /^[^\s@]+@[^\s@]+$/u.test(s),
};

function configure<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  for (const [name, test] of Object.entries(EXTRA_FORMATS)) ajv.addFormat(name, { type: 'string', validate: test });
  return ajv;
}

function cycloneDxSchemaDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function wrap(fn: ValidateFunction): Validator {
  return (value) => {
    if (fn(value)) return [];
    const found = toIssues(fn.errors, 50);
    return found.length > 0 ? found : [{ path: '', message: 'does not match the schema' }];
  };
}

let cdxAjv: Ajv | undefined;
const cdx = new Map<CycloneDxVersion, Validator>();

/** The validator of one CycloneDX version (draft-07 schemas; `$ref`s to spdx and jsf resolve among them). */
export function cycloneDxValidator(version: CycloneDxVersion): Validator {
  const hit = cdx.get(version);
  if (hit) return hit;
  if (!cdxAjv) {
    const dir = cycloneDxSchemaDir();
    cdxAjv = configure(new Ajv({ allErrors: true, strict: false, validateFormats: true }));
    // The library's files are named *.SNAPSHOT.schema.json and reference each other by that name.
    cdxAjv.addSchema(
      readJson(join(dir, 'spdx.SNAPSHOT.schema.json')),
      'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json',
    );
    cdxAjv.addSchema(
      readJson(join(dir, 'jsf-0.82.SNAPSHOT.schema.json')),
      'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json',
    );
    for (const v of CYCLONEDX_VERSIONS) {
      const s = readJson(join(dir, `bom-${v}.SNAPSHOT.schema.json`));
      cdxAjv.addSchema(s);
    }
  }
  const fn = cdxAjv.getSchema(`http://cyclonedx.org/schema/bom-${version}.schema.json`);
  if (!fn) throw new Error(`CycloneDX ${version} schema not found in @cyclonedx/cyclonedx-library`);
  const v = wrap(fn);
  cdx.set(version, v);
  return v;
}

let spdx: Validator | undefined;

/** The SPDX 2.3 JSON Schema (draft 2019-09). */
export function spdx23Validator(): Validator {
  if (spdx) return spdx;
  const ajv = configure(new Ajv2019({ allErrors: true, strict: false, validateFormats: true }));
  const schema = readJson(join(projectRoot(), 'fixtures', 'schemas', 'spdx-2.3', 'spdx-schema.json'));
  spdx = wrap(ajv.compile(schema));
  return spdx;
}
