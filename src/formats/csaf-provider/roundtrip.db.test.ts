/**
 * Round trip: our own importer (`clearinghouse import csaf URL`, the real CLI program against a second clearinghouse
 * over --server) pointed at this provider's provider-metadata.json on a listening 127.0.0.1 server. Anonymous, it
 * imports the TLP:WHITE documents only; with a participant's token for the provider it imports exactly what that
 * participant may see (never the AMBER document of someone else, never the embargoed one), with markings no wider than
 * the provider's labels; a second run is all unchanged. The importer follows both the directory (index.txt) and the
 * ROLIE feeds, and checks the hash a feed entry links.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../../../test/backends.js';
import { runCli } from '../../../test/cli-run.js';
import { startTestApp, type TestApp, type TestOrg } from '../../../test/harness.js';
import type { ImportSummary, InputRecord } from '../import/import.service.js';
import { providerDocumentUrls, readSource } from '../import/sources.js';

const FUTURE = '2099-01-01T00:00:00Z';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const cli = runCli; // the shared in-process CLI runner (test/cli-run.ts)

function advisory(n: number, marking: Record<string, unknown>) {
  return {
    summary: `Round-trip advisory ${n}`,
    details: `A flaw in roundtrip-pkg number ${n}.`,
    aliases: [`CVE-2026-${String(55000 + n)}`],
    affected: [
      {
        package: { ecosystem: 'npm', name: `roundtrip-pkg-${n}`, purl: `pkg:npm/roundtrip-pkg-${n}` },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: `1.${n}.0` }] }],
      },
    ],
    cweIds: ['CWE-79'],
    references: [{ type: 'WEB', url: `https://example.org/rt/${n}` }],
    marking,
  };
}

describeBackends('CSAF provider round trip through our importer', (backend) => {
  let provider: TestApp;
  let target: TestApp;
  let partner: TestOrg;
  let providerUrl: string;
  let targetUrl: string;
  /** name -> CVE alias of the advisory seeded on the provider. */
  const cve: Record<string, string> = {};

  beforeAll(async () => {
    const port = await freePort();
    providerUrl = `http://127.0.0.1:${port}`;
    // the provider's OpenPGP key is generated beside this temporary secrets key file, not in ./data
    const secretsKeyFile = join(mkdtempSync(join(tmpdir(), 'csaf-roundtrip-')), 'secrets.key');
    provider = await startTestApp(backend, { config: { baseUrl: providerUrl, secretsKeyFile } });
    await provider.app.listen({ host: '127.0.0.1', port });
    partner = await provider.org('Partner Water Utility', 'infrastructure_operator', 'water_and_wastewater_systems');
    const other = await provider.org('Unrelated Lab', 'ai_developer');
    const markings: [string, Record<string, unknown>][] = [
      ['clear', { tlp: 'CLEAR' }],
      ['green', { tlp: 'GREEN' }],
      ['amberShared', { tlp: 'AMBER', sharedWithOrgIds: [partner.orgId] }],
      ['amberOther', { tlp: 'AMBER', sharedWithOrgIds: [other.orgId] }],
      ['strict', { tlp: 'AMBER+STRICT', sharedWithOrgIds: [partner.orgId] }],
      ['red', { tlp: 'RED', namedMemberIds: [partner.memberId] }],
      ['embargoed', { tlp: 'CLEAR', embargoUntil: FUTURE }],
    ];
    let n = 0;
    for (const [name, marking] of markings) {
      const body = advisory(++n, marking);
      const res = await provider.req('POST', '/api/v1/advisories', { token: provider.adminToken, body });
      if (res.status !== 201) throw new Error(res.raw);
      cve[name] = body.aliases[0]!;
    }
    target = await startTestApp(backend);
    targetUrl = await target.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await provider?.close();
    await target?.close();
  });

  const metadata = () => `${providerUrl}/.well-known/csaf/provider-metadata.json`;
  const runImport = async (extra: string[] = []) => {
    const r = await cli([
      '--server',
      targetUrl,
      '--token',
      target.adminToken,
      '--json',
      'import',
      'csaf',
      metadata(),
      ...extra,
    ]);
    expect(r.error).toBeNull();
    return JSON.parse(r.out) as ImportSummary;
  };
  /** CVE alias -> TLP of every advisory the target holds. */
  const stored = async () => {
    const rows = await target.services.db.kysely
      .selectFrom('advisories as a')
      .innerJoin('markings as m', 'm.object_id', 'a.id')
      .select(['a.document', 'm.tlp'])
      .execute();
    return Object.fromEntries(
      rows.map((r) => [
        (JSON.parse(r.document) as { aliases: string[] }).aliases.find((a) => a.startsWith('CVE-')),
        r.tlp,
      ]),
    );
  };

  it('anonymous: the importer takes the TLP:WHITE documents only', async () => {
    const s = await runImport();
    expect(s).toMatchObject({ records: 1, created: 1, updated: 0, unchanged: 0, rejectedCount: 0 });
    expect(await stored()).toEqual({ [cve.clear!]: 'CLEAR' });
  });

  it("with a participant's token: exactly what that participant may see, markings never wider; then all unchanged", async () => {
    const s = await runImport(['--source-token', partner.token]);
    expect(s).toMatchObject({ records: 5, created: 4, updated: 0, unchanged: 1, rejectedCount: 0 });
    expect(await stored()).toEqual({
      [cve.clear!]: 'CLEAR',
      [cve.green!]: 'GREEN',
      [cve.amberShared!]: 'AMBER',
      [cve.strict!]: 'RED', // AMBER+STRICT travels as TLP:RED in CSAF 2.0: narrower, never wider
      [cve.red!]: 'RED',
    });
    const again = await runImport(['--source-token', partner.token]);
    expect(again).toMatchObject({ records: 5, created: 0, updated: 0, unchanged: 5, rejectedCount: 0 });
  });

  it('the importer lists every document from index.txt and from the ROLIE feeds, each with the hash the feed links', async () => {
    const opts = { allowRemote: true, authorization: `Bearer ${partner.token}`, authOrigin: providerUrl };
    const meta = (await (
      await fetch(metadata(), { headers: { authorization: `Bearer ${partner.token}` } })
    ).json()) as Record<string, unknown>;
    const problems: InputRecord[] = [];
    const urls = await providerDocumentUrls(meta, metadata(), opts, problems);
    expect(problems).toEqual([]);
    expect(urls.size).toBe(5);
    for (const [url, hash] of urls) expect(hash).toBe(`${url}.sha512`);
    // Directory only (no feeds): the same five documents, without hashes.
    const dirOnly = {
      ...meta,
      distributions: (meta.distributions as { directory_url: string }[]).map((d) => ({
        directory_url: d.directory_url,
      })),
    };
    const fromDirs = await providerDocumentUrls(dirOnly, metadata(), opts);
    expect([...fromDirs.keys()].sort()).toEqual([...urls.keys()].sort());
    // Feeds only: the same five.
    const feedsOnly = {
      ...meta,
      distributions: (meta.distributions as { rolie: unknown }[]).map((d) => ({ rolie: d.rolie })),
    };
    expect([...(await providerDocumentUrls(feedsOnly, metadata(), opts)).keys()].sort()).toEqual(
      [...urls.keys()].sort(),
    );
  });

  it('the token goes to the provider origin only, and a document that does not match its linked hash is rejected', async () => {
    const clearUrl = (await (await fetch(`${providerUrl}/.well-known/csaf/feed-tlp-white.json`)).json()) as {
      feed: { entry: { content: { src: string } }[] };
    };
    const docBytes = await (await fetch(clearUrl.feed.entry[0]!.content.src)).text();
    const seen: (string | undefined)[] = [];
    const other: Server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const base = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      if (req.url === '/feed.json') {
        res.setHeader('content-type', 'application/json');
        const link = (href: string) => ({ rel: 'hash', href });
        res.end(
          JSON.stringify({
            feed: {
              entry: [
                { content: { src: `${base}/good.json` }, link: [link(`${base}/good.json.sha256`)] },
                { content: { src: `${base}/bad.json` }, link: [link(`${base}/bad.json.sha512`)] },
              ],
            },
          }),
        );
      } else if (req.url === '/good.json' || req.url === '/bad.json') {
        res.setHeader('content-type', 'application/json');
        res.end(docBytes);
      } else if (req.url === '/good.json.sha256')
        res.end(`${createHash('sha256').update(docBytes).digest('hex')}  good.json\n`);
      else if (req.url === '/bad.json.sha512')
        res.end(`${createHash('sha512').update('tampered').digest('hex')}  bad.json\n`);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    // The provider lists a feed on another host: the credentials for the provider must not travel there.
    const providerMeta = {
      canonical_url: `${otherBase}/.well-known/csaf/provider-metadata.json`,
      metadata_version: '2.0',
      publisher: { category: 'vendor', name: 'Other', namespace: otherBase },
      distributions: [{ rolie: { feeds: [{ tlp_label: 'WHITE', url: `${otherBase}/feed.json` }] } }],
    };
    const metaServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(providerMeta));
    });
    await new Promise<void>((r) => metaServer.listen(0, '127.0.0.1', r));
    const metaUrl = `http://127.0.0.1:${(metaServer.address() as AddressInfo).port}/provider-metadata.json`;
    try {
      const records = [];
      for await (const rec of readSource('csaf', metaUrl, { allowRemote: true, authorization: 'Bearer secret-token' }))
        records.push(rec);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((h) => h === undefined)).toBe(true);
      const good = records.find((r) => r.ref.endsWith('/good.json'))!;
      const bad = records.find((r) => r.ref.endsWith('/bad.json'))!;
      expect(good.value).toBeDefined();
      expect(bad.value).toBeUndefined();
      expect(bad.issues?.[0]?.message).toMatch(/does not match its hash/);
    } finally {
      other.close();
      metaServer.close();
    }
  });
});
