/**
 * POST /api/v1/imports and the `import` CLI against a listening server: who may import, inline documents with a bad
 * one among them, URL imports from a loopback server (JSON Lines, an osv.dev-style zip, a CSAF provider followed to
 * its directory index.txt and its ROLIE feed), and the refusals (remote fetch off, file: URLs, local paths).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import yazl from 'yazl';
import type { ImportSummary } from '../../src/formats/import/import.service.js';
import { describeBackends } from '../backends.js';
import { runCli } from '../cli-run.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { fixture, lineCount } from './helpers.js';

const osvLines = () => readFileSync(fixture('osv', 'valid-sample.jsonl'), 'utf8').split('\n').filter(Boolean);

async function zipOf(entries: [string, string][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of entries) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A loopback "upstream": OSV JSON Lines, a zip, and a CSAF provider with a directory and a ROLIE feed. */
async function upstream(): Promise<{ server: Server; base: string }> {
  const recs = osvLines().map((l) => JSON.parse(l));
  const zip = await zipOf(recs.slice(0, 4).map((r): [string, string] => [`${r.id}.json`, JSON.stringify(r)]));
  const files: Record<string, [string, Buffer | string]> = {
    '/osv/all.jsonl': ['application/octet-stream', readFileSync(fixture('osv', 'valid-sample.jsonl'))],
    '/osv/all.zip': ['application/zip', zip],
    '/csaf/white/index.txt': ['text/plain', '2022/bsi-2022-0001.json\n'],
    '/csaf/white/2022/bsi-2022-0001.json': [
      'application/json',
      readFileSync(fixture('csaf', 'examples', 'bsi-2022-0001.json')),
    ],
    '/csaf/white/2021/rhsa-2021_5186.json': [
      'application/json',
      readFileSync(fixture('csaf', 'examples', 'rhsa-2021_5186.json')),
    ],
  };
  const server = createServer((req, res) => {
    const base = `http://${req.headers.host}`;
    if (req.url === '/.well-known/csaf/provider-metadata.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          canonical_url: `${base}/.well-known/csaf/provider-metadata.json`,
          metadata_version: '2.0',
          list_on_CSAF_aggregators: false,
          mirror_on_CSAF_aggregators: false,
          role: 'csaf_provider',
          last_updated: '2024-01-01T00:00:00Z',
          publisher: { category: 'vendor', name: 'Loopback', namespace: base },
          distributions: [
            { directory_url: `${base}/csaf/white/` },
            { rolie: { feeds: [{ summary: 'WHITE', tlp_label: 'WHITE', url: `${base}/csaf/feed.json` }] } },
          ],
        }),
      );
      return;
    }
    if (req.url === '/csaf/feed.json') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ feed: { entry: [{ content: { src: `${base}/csaf/white/2021/rhsa-2021_5186.json` } }] } }),
      );
      return;
    }
    const f = files[req.url ?? ''];
    if (!f) {
      res.statusCode = 404;
      res.end('no');
      return;
    }
    res.setHeader('content-type', f[0]);
    res.end(f[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describeBackends('formats import API and CLI', (backend) => {
  let t: TestApp;
  let up: { server: Server; base: string };
  let vendor: TestOrg;
  let server: string;
  beforeAll(async () => {
    t = await startTestApp(backend, { config: { importRemoteFetch: true } });
    up = await upstream();
    vendor = await t.org('Vendor Inc', 'vendor');
    server = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    up?.server.close();
    await t?.close();
  });

  const post = (body: unknown, token: string | null = t.adminToken) =>
    t.req<ImportSummary & { status: number }>('POST', '/api/v1/imports', { token, body });

  it('only coordinators import', async () => {
    const doc = JSON.parse(osvLines()[0]!);
    expect((await post({ format: 'osv', documents: [doc] }, null)).status).toBe(401);
    expect((await post({ format: 'osv', documents: [doc] }, vendor.token)).status).toBe(403);
  });

  it('inline documents: a bad one is rejected alone, named by its ref', async () => {
    const good = JSON.parse(osvLines()[1]!);
    const res = await post({
      format: 'osv',
      documents: [good, { id: 'PYSEC-0000-0', modified: 'not a date' }],
      refs: ['a.jsonl:1', 'a.jsonl:2'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ records: 2, created: 1, rejectedCount: 1 });
    expect(res.body.rejected[0]!.ref).toBe('a.jsonl:2');
    expect((await post({ format: 'osv' })).status).toBe(400);
    const badLicence = await post({ format: 'osv', documents: [good], source: { licence: 'not a licence' } });
    expect(badLicence.status).toBe(400);
  });

  it('refuses local paths and non-http URLs through the API', async () => {
    for (const url of ['/etc/passwd', 'file:///etc/passwd', 'ftp://127.0.0.1/x.json']) {
      const res = await post({ format: 'osv', url });
      expect([url, res.status]).toEqual([url, 400]);
    }
  });

  it('imports from URLs: JSON Lines, zip, and a CSAF provider (directory and ROLIE feed)', async () => {
    const n = await lineCount(fixture('osv', 'valid-sample.jsonl'));
    const jsonl = await post({ format: 'osv', url: `${up.base}/osv/all.jsonl` });
    expect(jsonl.body).toMatchObject({ records: n, rejectedCount: 0 });
    expect(jsonl.body.created + jsonl.body.unchanged).toBe(n);
    const zip = await post({ format: 'osv', url: `${up.base}/osv/all.zip` });
    expect(zip.body).toMatchObject({ records: 4, unchanged: 4, rejectedCount: 0 });
    const csaf = await post({ format: 'csaf', url: `${up.base}/.well-known/csaf/provider-metadata.json` });
    expect(csaf.body).toMatchObject({ records: 2, rejectedCount: 0 });
    expect(csaf.body.created).toBeGreaterThanOrEqual(2);
    const missing = await post({ format: 'osv', url: `${up.base}/nothing.json` });
    expect(missing.body).toMatchObject({ records: 1, rejectedCount: 1 });
  });

  it('refuses URL imports when the configuration does not allow remote fetch', async () => {
    t.services.config.importRemoteFetch = false;
    try {
      expect((await post({ format: 'osv', url: `${up.base}/osv/all.jsonl` })).status).toBe(403);
    } finally {
      t.services.config.importRemoteFetch = true;
    }
  });

  it('the CLI imports a file through the API and a second run reports everything unchanged', async () => {
    const file = fixture('cve5', 'golang-cna-submissions.jsonl');
    const n = await lineCount(file);
    const args = [
      '--server',
      server,
      '--token',
      t.adminToken,
      '--json',
      'import',
      'cve5',
      file,
      '--licence',
      'CC-BY-4.0',
    ];
    const first = await runCli(args);
    expect(first.error).toBeNull();
    const s1 = JSON.parse(first.out) as ImportSummary;
    expect(s1.records).toBe(n);
    expect(s1.created + s1.rejectedCount).toBe(n);
    // The stated licence is recorded where the records carry none.
    const rows = await t.services.db.kysely
      .selectFrom('advisories')
      .select('document')
      .where('source_key', 'like', 'cve5:%')
      .execute();
    expect(rows.length).toBe(s1.created);
    for (const r of rows) expect(JSON.parse(r.document).source.licence).toBe('CC-BY-4.0');
    const second = await runCli(args);
    const s2 = JSON.parse(second.out) as ImportSummary;
    expect(s2).toMatchObject({ created: 0, updated: 0, unchanged: s1.created });
    const bad = await runCli(['--server', server, '--token', t.adminToken, 'import', 'nvd', file]);
    expect(String(bad.error)).toMatch(/unknown format/);
  });

  it('the CLI follows a CSAF provider itself (the client fetches, not the server)', async () => {
    t.services.config.importRemoteFetch = false;
    try {
      const r = await runCli([
        '--server',
        server,
        '--token',
        t.adminToken,
        '--json',
        'import',
        'csaf',
        `${up.base}/.well-known/csaf/provider-metadata.json`,
      ]);
      expect(r.error).toBeNull();
      expect(JSON.parse(r.out)).toMatchObject({ records: 2, rejectedCount: 0, created: 0 });
    } finally {
      t.services.config.importRemoteFetch = true;
    }
  });
});
