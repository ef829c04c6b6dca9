/**
 * The CSAF provider through the one access rule: provider-metadata.json against the OASIS provider schema, every
 * served document through @secvisogram/csaf-validator-lib (schema + mandatory tests), hash files matching the served
 * bytes, index.txt / changes.csv / ROLIE feeds listing exactly what the caller may see, and the negative side: the
 * anonymous caller and an organisation the AMBER document is not shared with never learn of it through any listing,
 * the document URL, a hash file or a signature file. Every served signature verifies with the served public key
 * against the served bytes, and fails against changed bytes.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type PublicKey, readKey } from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../../../test/backends.js';
import { publishOnePerMarking } from '../../../test/fixtures.js';
import { startTestApp, type TestApp, type TestOrg } from '../../../test/harness.js';
import { schemaSet } from '../csaf/schema-set.js';
import { csafValidatorErrors } from '../csaf/testing/validator.js';
import { readSource } from '../import/sources.js';
import { changesCsv, csafFileName, indexTxt, type ProviderEntry, providerMetadata, relativePath } from './layout.js';
import { verifiesDetached } from './testing/openpgp.js';

const FIRST = 'https://www.first.org/cvss/';
const PROVIDER_URI = 'https://docs.oasis-open.org/csaf/csaf/v2.0/provider_json_schema.json';
/** The OASIS provider-metadata schema (copied in testing/, see README.md), with the CSAF schema it references. */
const providerSchema = schemaSet([
  { file: 'csaf-2.0/cvss-v2.0.json', uris: [`${FIRST}cvss-v2.0.json`] },
  { file: 'csaf-2.0/cvss-v3.0.json', uris: [`${FIRST}cvss-v3.0.json`] },
  { file: 'csaf-2.0/cvss-v3.1.json', uris: [`${FIRST}cvss-v3.1.json`] },
  {
    file: 'csaf-2.0/csaf_json_schema.json',
    uris: ['https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json'],
  },
  { file: '../src/formats/csaf-provider/testing/provider_json_schema.json', uris: [PROVIDER_URI] },
])(PROVIDER_URI);

const W = '/.well-known/csaf';

// biome-ignore lint/suspicious/noExplicitAny: the test reads JSON shapes the server wrote
type Loose = Record<string, any>;

function advisory(name: string, marking: Record<string, unknown>) {
  return {
    summary: `Provider test advisory ${name}`,
    details: `Details of ${name}: a flaw in providerpkg lets an attacker read files.`,
    aliases: [`CVE-2026-${String(7100 + name.length * 13 + name.charCodeAt(0))}`],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'providerpkg', purl: 'pkg:pypi/providerpkg' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.0' }] }],
      },
    ],
    cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N',
    cweIds: ['CWE-22'],
    references: [{ type: 'ADVISORY', url: 'https://example.org/provider-advisory' }],
    marking,
  };
}

const sha = (alg: string, s: string) => createHash(alg).update(s).digest('hex');
const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}` });

describe('CSAF provider layout (pure)', () => {
  const e = (id: string, initial: string, current: string): ProviderEntry => ({
    trackingId: id,
    title: id,
    label: 'WHITE',
    initialReleaseDate: initial,
    currentReleaseDate: current,
  });

  it('file names follow CSAF 2.0 section 5.1', () => {
    expect(csafFileName('CH-2026-0001')).toBe('ch-2026-0001.json');
    expect(csafFileName('Example Company - 2019-YH3234')).toBe('example_company_-_2019-yh3234.json');
    expect(csafFileName('RHBA-2019:0024')).toBe('rhba-2019_0024.json');
    expect(csafFileName('a+b//c')).toBe('a+b_c.json');
  });

  it('provider-metadata.json: role csaf_trusted_provider with a signing key listed (fingerprint + URL), else csaf_provider', () => {
    const o = { baseUrl: 'https://ch.example.org/', publisher: {}, folders: ['white'] as const, lastUpdated: 'x' };
    const fp = 'A'.repeat(40);
    expect(providerMetadata({ ...o, openpgpFingerprints: [fp] })).toMatchObject({
      role: 'csaf_trusted_provider',
      public_openpgp_keys: [{ fingerprint: fp, url: `https://ch.example.org/.well-known/csaf/openpgp/${fp}.asc` }],
    });
    expect(providerMetadata({ ...o, openpgpFingerprints: [] })).toMatchObject({
      role: 'csaf_provider',
      public_openpgp_keys: [],
    });
  });

  it('year folder from initial_release_date; changes.csv newest first, quoted', () => {
    const a = e('CH-2025-0001', '2025-12-30T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
    const b = e('CH-2026-0002', '2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.000Z');
    expect(relativePath(a)).toBe('2025/ch-2025-0001.json');
    expect(indexTxt([b, a])).toBe('2025/ch-2025-0001.json\n2026/ch-2026-0002.json\n');
    expect(changesCsv([b, a])).toBe(
      '"2025/ch-2025-0001.json","2026-02-01T00:00:00.000Z"\n"2026/ch-2026-0002.json","2026-01-05T00:00:00.000Z"\n',
    );
  });
});

describe('CSAF provider start', () => {
  it('a configured signing key that cannot be read stops the server at start, naming the variable', async () => {
    const t = await startTestApp('sqlite', { config: { csafOpenpgpKeyFile: join(tmpdir(), 'no-such-csaf-key.asc') } });
    try {
      await expect(t.app.ready()).rejects.toThrow(/CLEARINGHOUSE_CSAF_OPENPGP_KEY_FILE .*no-such-csaf-key\.asc/);
    } finally {
      await t.runtime.close();
    }
  });
});

describeBackends('CSAF provider', (backend) => {
  let t: TestApp;
  let partner: TestOrg;
  let other: TestOrg;
  const ids: Record<string, string> = {};
  const file = (name: string) => csafFileName(ids[name]!);

  beforeAll(async () => {
    // the signing key is generated beside this (temporary) secrets key file
    const secretsKeyFile = join(mkdtempSync(join(tmpdir(), 'csaf-provider-')), 'secrets.key');
    t = await startTestApp(backend, { config: { baseUrl: 'https://ch.example.org', secretsKeyFile } });
    partner = await t.org('Partner Grid', 'infrastructure_operator', 'energy');
    other = await t.org('Other Vendor', 'vendor');
    Object.assign(ids, await publishOnePerMarking(t, partner, advisory));
  });
  afterAll(async () => t?.close());

  const get = (url: string, token: string | null = null) => t.req<Loose>('GET', url, { token });
  const year = () => new Date().toISOString().slice(0, 4);

  it('provider-metadata.json validates against the OASIS schema; anonymous callers get the WHITE distribution only', async () => {
    const anon = await get(`${W}/provider-metadata.json`);
    expect(anon.status).toBe(200);
    expect(providerSchema(anon.body)).toEqual([]);
    expect(anon.body).toMatchObject({
      canonical_url: 'https://ch.example.org/.well-known/csaf/provider-metadata.json',
      role: 'csaf_trusted_provider',
      metadata_version: '2.0',
      publisher: { category: 'coordinator', namespace: 'https://ch.example.org' },
    });
    expect(anon.body.distributions).toEqual([
      {
        directory_url: 'https://ch.example.org/.well-known/csaf/white/',
        rolie: {
          feeds: [
            expect.objectContaining({ tlp_label: 'WHITE', url: `https://ch.example.org${W}/feed-tlp-white.json` }),
          ],
        },
      },
    ]);
    const member = await get(`${W}/provider-metadata.json`, partner.token);
    expect(providerSchema(member.body)).toEqual([]);
    expect(member.body.distributions.map((d: Loose) => d.rolie.feeds[0].tlp_label)).toEqual([
      'WHITE',
      'GREEN',
      'AMBER',
      'RED',
    ]);
    expect(member.body.public_openpgp_keys).toEqual(anon.body.public_openpgp_keys);
    // The schema check is not vacuous.
    expect(providerSchema({ ...anon.body, role: 'csaf_aggregator' })).not.toEqual([]);
    expect(providerSchema({ ...anon.body, public_openpgp_keys: [{ fingerprint: 'ABC', url: 'x' }] })).not.toEqual([]);
  });

  /** The key provider-metadata.json lists, fetched anonymously from its URL; its fingerprint checked. */
  async function servedKey(): Promise<PublicKey> {
    const keys = (await get(`${W}/provider-metadata.json`)).body.public_openpgp_keys as Loose[];
    expect(keys).toHaveLength(1);
    const { fingerprint, url } = keys[0]!;
    expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(url).toBe(`https://ch.example.org${W}/openpgp/${fingerprint}.asc`);
    const res = await get(new URL(url).pathname);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/pgp-keys');
    expect(res.raw).not.toContain('PRIVATE');
    const key = await readKey({ armoredKey: res.raw });
    expect(key.getFingerprint().toUpperCase()).toBe(fingerprint);
    return key;
  }

  it('the public key is served at the listed URL, to anyone; another fingerprint is 404, a malformed one 400', async () => {
    await servedKey();
    expect((await get(`${W}/openpgp/${'0'.repeat(40)}.asc`)).status).toBe(404);
    const bad = await get(`${W}/openpgp/not-a-key.asc`);
    expect(bad.status).toBe(400);
    expect(bad.raw).toContain('file');
  });

  it('anonymous: WHITE lists the TLP:CLEAR advisory only (not the embargoed one); other folders ask for a token', async () => {
    expect((await get(`${W}/white/index.txt`)).raw).toBe(`${year()}/${file('clear')}\n`);
    const changes = (await get(`${W}/white/changes.csv`)).raw;
    expect(changes).toMatch(new RegExp(`^"${year()}/${file('clear')}","\\d{4}-\\d\\d-\\d\\dT[^"]+Z"\\n$`));
    const feed = (await get(`${W}/feed-tlp-white.json`)).body;
    expect(feed.feed.entry.map((e: Loose) => e.id)).toEqual([ids.clear]);
    for (const folder of ['green', 'amber', 'red']) {
      for (const path of [`${folder}/index.txt`, `${folder}/changes.csv`, `feed-tlp-${folder}.json`, `${folder}/`]) {
        const res = await get(`${W}/${path}`);
        expect(res.status, path).toBe(401);
        expect(String(res.headers['content-type'])).toContain('application/problem+json');
      }
    }
  });

  it('anonymous: no AMBER or embargoed document by direct URL or hash file, under any folder', async () => {
    for (const name of ['amber', 'embargoed', 'green']) {
      for (const suffix of ['', '.sha256', '.sha512', '.asc']) {
        expect((await get(`${W}/white/${year()}/${file(name)}${suffix}`)).status).toBe(404);
        expect((await get(`${W}/amber/${year()}/${file(name)}${suffix}`)).status).toBe(401);
      }
    }
    expect((await get(`${W}/white/${year()}/`)).raw).not.toContain(file('amber'));
  });

  it('another organisation sees WHITE and GREEN, never the AMBER or RED documents', async () => {
    expect((await get(`${W}/green/index.txt`, other.token)).raw).toBe(`${year()}/${file('green')}\n`);
    for (const folder of ['amber', 'red']) {
      expect((await get(`${W}/${folder}/index.txt`, other.token)).raw).toBe('');
      expect((await get(`${W}/${folder}/changes.csv`, other.token)).raw).toBe('');
      expect((await get(`${W}/feed-tlp-${folder}.json`, other.token)).body.feed.entry).toEqual([]);
      expect((await get(`${W}/${folder}/${year()}/`, other.token)).status).toBe(404);
    }
    for (const name of ['amber', 'strict', 'red', 'embargoed'])
      for (const folder of ['white', 'green', 'amber', 'red'])
        for (const suffix of ['', '.sha256', '.sha512', '.asc']) {
          const res = await get(`${W}/${folder}/${year()}/${file(name)}${suffix}`, other.token);
          expect(res.status, `${name} ${folder} ${suffix}`).toBe(404);
          expect(res.raw).not.toContain('Provider test advisory');
          expect(res.raw).not.toContain('PGP SIGNATURE');
        }
  });

  it('the organisation it is shared with sees AMBER, and AMBER+STRICT under RED (never wider), over Basic auth too', async () => {
    const amberIndex = await t.req('GET', `${W}/amber/index.txt`, { headers: basic(partner.token) });
    expect(amberIndex.raw).toBe(`${year()}/${file('amber')}\n`);
    const red = (await get(`${W}/red/index.txt`, partner.token)).raw.split('\n').filter(Boolean).sort();
    expect(red).toEqual([`${year()}/${file('strict')}`, `${year()}/${file('red')}`].sort());
    const strict = await get(`${W}/red/${year()}/${file('strict')}`, partner.token);
    expect(strict.body.document.distribution.tlp.label).toBe('RED');
    expect((await get(`${W}/amber/${year()}/${file('strict')}`, partner.token)).status).toBe(404);
    const amberAsc = await get(`${W}/amber/${year()}/${file('amber')}.asc`, partner.token);
    expect(amberAsc.status).toBe(200);
    const amberDoc = await get(`${W}/amber/${year()}/${file('amber')}`, partner.token);
    expect(await verifiesDetached(amberDoc.raw, amberAsc.raw, await servedKey())).toBe(true);
    expect(String(strict.headers['cache-control'])).toContain('private');
  });

  it('every document the coordinator may see: in its TLP folder, valid, hashes match, signature verifies, feed links all', async () => {
    const key = await servedKey();
    let served = 0;
    for (const folder of ['white', 'green', 'amber', 'red']) {
      const index = (await get(`${W}/${folder}/index.txt`, t.adminToken)).raw.split('\n').filter(Boolean);
      const feed = (await get(`${W}/feed-tlp-${folder}.json`, t.adminToken)).body.feed;
      expect(feed.category).toEqual([{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }]);
      expect(feed.entry).toHaveLength(index.length);
      for (const path of index) {
        const url = `https://ch.example.org${W}/${folder}/${path}`;
        const doc = await get(`${W}/${folder}/${path}`, t.adminToken);
        expect(doc.status).toBe(200);
        expect(await csafValidatorErrors(doc.body)).toEqual([]);
        expect(doc.body.document.distribution.tlp.label).toBe(folder.toUpperCase());
        expect(csafFileName(doc.body.document.tracking.id)).toBe(path.split('/')[1]);
        expect(path.slice(0, 4)).toBe(doc.body.document.tracking.initial_release_date.slice(0, 4));
        const name = path.split('/')[1]!;
        for (const alg of ['sha256', 'sha512'])
          expect((await get(`${W}/${folder}/${path}.${alg}`, t.adminToken)).raw).toBe(
            `${sha(alg, doc.raw)}  ${name}\n`,
          );
        const asc = await get(`${W}/${folder}/${path}.asc`, t.adminToken);
        expect(String(asc.headers['content-type'])).toContain('application/pgp-signature');
        expect(await verifiesDetached(doc.raw, asc.raw, key), path).toBe(true);
        const tampered = doc.raw.replace(doc.body.document.title, `${doc.body.document.title}!`);
        expect(tampered).not.toBe(doc.raw);
        expect(await verifiesDetached(tampered, asc.raw, key), path).toBe(false);
        const entry = feed.entry.find((e: Loose) => e.content.src === url);
        expect(entry).toBeDefined();
        expect(entry.id).toBe(doc.body.document.tracking.id);
        expect(entry.link).toEqual([
          { rel: 'self', href: url },
          { rel: 'hash', href: `${url}.sha256` },
          { rel: 'hash', href: `${url}.sha512` },
          { rel: 'signature', href: `${url}.asc` },
        ]);
        expect(entry.updated).toBe(doc.body.document.tracking.current_release_date);
        served++;
      }
    }
    // clear, green, amber, strict (as RED) and red (the coordinator's member wrote it); the embargoed one is held back.
    expect(served).toBe(5);
  });

  it('real imported records (the OSV fixture sample) are served as valid CSAF in the WHITE folder', async () => {
    const caller = await t.services.participants.authenticate(t.adminToken);
    const sample = resolve(import.meta.dirname, '../../../fixtures/osv/valid-sample.jsonl');
    const s = await t.services.imports.importRecords(caller, 'osv', readSource('osv', sample, { allowRemote: false }));
    expect(s.created).toBeGreaterThanOrEqual(10);
    const index = (await get(`${W}/white/index.txt`)).raw.split('\n').filter(Boolean);
    expect(index).toHaveLength(1 + s.created);
    for (const path of index) {
      const doc = await get(`${W}/white/${path}`);
      expect(doc.status).toBe(200);
      expect(await csafValidatorErrors(doc.body), path).toEqual([]);
    }
  });

  it('the same bytes for every caller who may see a document (hashes and the signature do not depend on who asks)', async () => {
    const path = `${W}/white/${year()}/${file('clear')}`;
    const anon = (await get(path)).raw;
    expect((await get(path, other.token)).raw).toBe(anon);
    expect((await get(path, t.adminToken)).raw).toBe(anon);
    // one signature per document version, kept: the same armored text for every caller and request
    const asc = (await get(`${path}.asc`)).raw;
    expect(asc).toMatch(/^-----BEGIN PGP SIGNATURE-----/);
    expect((await get(`${path}.asc`, other.token)).raw).toBe(asc);
    expect(await verifiesDetached(anon, asc, await servedKey())).toBe(true);
    const listing = (await get(`${W}/white/${year()}/`)).raw;
    for (const suffix of ['', '.sha256', '.sha512', '.asc']) expect(listing).toContain(`"${file('clear')}${suffix}"`);
  });

  it('bad path parameters are 4xx problems naming the parameter', async () => {
    const purple = await get(`${W}/purple/index.txt`);
    expect(purple.status).toBe(400);
    expect(purple.raw).toContain('folder');
    const badYear = await get(`${W}/white/20x6/${file('clear')}`);
    expect(badYear.status).toBe(400);
    expect(badYear.raw).toContain('year');
    expect((await get(`${W}/feed-tlp-purple.json`)).status).toBe(404);
    expect((await get(`${W}/white/${year()}/..%2F..%2Fetc.json`)).status).toBe(404);
  });
});
