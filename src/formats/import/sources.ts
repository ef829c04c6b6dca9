/**
 * Where import records come from: a file (JSON, JSON Lines, zip in the osv.dev per-ecosystem form), a folder of those,
 * an http(s) URL of the same, or (CSAF) a provider's provider-metadata.json followed to its directory (index.txt) or
 * ROLIE feeds. Everything is read as a stream of records: JSON Lines line by line, zips entry by entry, so memory stays
 * flat whatever the input's size. A record that cannot be read (bad line, bad zip entry) comes out with its issues and
 * the reader goes on.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { AppError } from '../../errors.js';
import { safeJsonParse } from '../common/json.js';
import { readJsonLines } from '../common/jsonl.js';
import { isRecord } from '../common/result.js';
import type { ImportFormat } from './decode.js';
import type { InputRecord } from './import.service.js';

export interface ReadOptions {
  /** Whether http(s) URLs may be fetched (the CLI: yes; the API: only when the configuration allows it). */
  allowRemote: boolean;
  /** Bytes consumed so far and the total when known (for a progress bar). */
  onBytes?: (read: number, total: number | null) => void;
  /** Largest single JSON document or zip entry read whole, in bytes. Default 64 MiB. */
  maxDocumentBytes?: number;
  /**
   * An `Authorization` header value for the source (e.g. `Bearer TOKEN` for a clearinghouse provider's GREEN/AMBER/RED
   * folders). Sent only to the origin of the location given (for a provider-metadata.json file: of its canonical_url),
   * never to other hosts a provider lists.
   */
  authorization?: string;
  /** Internal: the origin `authorization` is sent to. */
  authOrigin?: string;
}

const DOC_MAX = 64 * 1024 * 1024;
const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

function counter(opts: ReadOptions, total: number | null) {
  let read = 0;
  return {
    add(n: number) {
      read += n;
      opts.onBytes?.(read, total);
    },
    tap(): Transform {
      return new Transform({
        transform: (chunk: Buffer, _enc, cb) => {
          read += chunk.byteLength;
          opts.onBytes?.(read, total);
          cb(null, chunk);
        },
      });
    },
  };
}
type Counter = ReturnType<typeof counter>;

/** Every record of `location` for `format`. */
export async function* readSource(
  format: ImportFormat,
  location: string,
  opts: ReadOptions,
): AsyncGenerator<InputRecord> {
  if (isUrl(location)) {
    opts = withAuthOrigin(opts, location);
    yield* readUrl(format, location, opts, counter(opts, null));
    return;
  }
  const files = await listFiles(location);
  let total = 0;
  for (const f of files) total += (await stat(f)).size;
  const c = counter(opts, total);
  for (const f of files) yield* readFile1(format, f, opts, c);
}

async function listFiles(path: string): Promise<string[]> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(path);
  } catch (e) {
    throw AppError.validation([{ path: 'source', message: `cannot read ${path}: ${(e as Error).message}` }]);
  }
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full)));
    else if (/\.(json|jsonl|ndjson|zip)$/i.test(e.name)) out.push(full);
  }
  return out;
}

const kindOf = (name: string): 'zip' | 'jsonl' | 'json' => {
  const ext = extname(name.split(/[?#]/)[0]!).toLowerCase();
  return ext === '.zip' ? 'zip' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'json';
};

async function* readFile1(format: ImportFormat, file: string, opts: ReadOptions, c: Counter) {
  const kind = kindOf(file);
  if (kind === 'zip') yield* readZip(file, opts, c);
  else if (kind === 'jsonl')
    yield* jsonLines(file, createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(c.tap()));
  else {
    const bytes = await readFile(file);
    c.add(bytes.byteLength);
    yield* jsonDocument(format, file, bytes, opts);
  }
}

async function* jsonLines(ref: string, source: AsyncIterable<Uint8Array | string>): AsyncGenerator<InputRecord> {
  for await (const { line, result } of readJsonLines(source)) {
    const at = `${ref}:${line}`;
    yield result.ok ? { ref: at, value: result.value } : { ref: at, issues: result.issues };
  }
}

/** One JSON document: a record, an array of records, or (CSAF) a provider-metadata.json to follow. */
async function* jsonDocument(format: ImportFormat, ref: string, bytes: Uint8Array, opts: ReadOptions) {
  const parsed = safeJsonParse(bytes, { maxBytes: opts.maxDocumentBytes ?? DOC_MAX });
  if (!parsed.ok) {
    yield { ref, issues: parsed.issues };
    return;
  }
  const v = parsed.value;
  if (format === 'csaf' && isProviderMetadata(v)) {
    yield* followProvider(v, ref, opts);
    return;
  }
  if (Array.isArray(v) && format !== 'kev') {
    for (let i = 0; i < v.length; i++) yield { ref: `${ref}[${i}]`, value: v[i] };
    return;
  }
  yield { ref, value: v };
}

/** An osv.dev per-ecosystem zip: one OSV JSON document per entry. Entries are read one at a time. */
async function* readZip(file: string, opts: ReadOptions, c: Counter): AsyncGenerator<InputRecord> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((res, rej) =>
      yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (err, z) =>
        err || !z ? rej(err) : res(z),
      ),
    );
  } catch (e) {
    yield { ref: file, issues: [{ path: '', message: `not a readable zip: ${(e as Error).message}` }] };
    return;
  }
  const max = opts.maxDocumentBytes ?? DOC_MAX;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      c.add(entry.compressedSize);
      const ref = `${file}!${entry.fileName}`;
      if (entry.fileName.endsWith('/') || !/\.json$/i.test(entry.fileName)) continue;
      if (entry.uncompressedSize > max) {
        yield { ref, issues: [{ path: '', message: `entry larger than ${max} bytes` }] };
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await readEntry(zip, entry);
      } catch (e) {
        yield { ref, issues: [{ path: '', message: `unreadable zip entry: ${(e as Error).message}` }] };
        continue;
      }
      const parsed = safeJsonParse(bytes, { maxBytes: max });
      yield parsed.ok ? { ref, value: parsed.value } : { ref, issues: parsed.issues };
    }
  } catch (e) {
    yield { ref: file, issues: [{ path: '', message: `zip could not be read to the end: ${(e as Error).message}` }] };
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((res, rej) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => {
      done();
      res(e);
    };
    const onEnd = () => {
      done();
      res(null);
    };
    const onError = (e: Error) => {
      done();
      rej(e);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const stream = await new Promise<Readable>((res, rej) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? rej(err) : res(s))),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// ---- remote --------------------------------------------------------------------------------------------------------

function checkUrl(url: string, opts: ReadOptions): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw AppError.validation([{ path: 'url', message: `not a URL: ${url}` }]);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw AppError.validation([{ path: 'url', message: `only http and https URLs are fetched, not ${u.protocol}` }]);
  if (!opts.allowRemote)
    throw new AppError('forbidden', 'this server does not fetch URLs (set CLEARINGHOUSE_IMPORT_REMOTE_FETCH=true)');
  return u;
}

function withAuthOrigin(opts: ReadOptions, url: string): ReadOptions {
  if (!opts.authorization || opts.authOrigin) return opts;
  try {
    return { ...opts, authOrigin: new URL(url).origin };
  } catch {
    return opts;
  }
}

async function get(url: string, opts: ReadOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.authorization && opts.authOrigin && new URL(url).origin === opts.authOrigin)
    headers.authorization = opts.authorization;
  // A redirect to another origin must not carry the credentials: follow redirects only without them.
  const res = await fetch(url, { redirect: headers.authorization ? 'error' : 'follow', headers });
  if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
  return res;
}

async function* readUrl(
  format: ImportFormat,
  url: string,
  opts: ReadOptions,
  c: Counter,
  hashUrl?: string,
): AsyncGenerator<InputRecord> {
  checkUrl(url, opts);
  let res: Response;
  try {
    res = await get(url, opts);
  } catch (e) {
    yield { ref: url, issues: [{ path: '', message: (e as Error).message }] };
    return;
  }
  const type = res.headers.get('content-type') ?? '';
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(c.tap());
  const kind = type.includes('zip') ? 'zip' : type.includes('jsonl') || type.includes('ndjson') ? 'jsonl' : kindOf(url);
  if (kind === 'jsonl') {
    yield* jsonLines(url, body);
    return;
  }
  if (kind === 'zip') {
    // A zip is read from its central directory at the end: download it to a temporary file first (streamed).
    const dir = await mkdtemp(join(tmpdir(), 'ch-import-'));
    const file = join(dir, 'download.zip');
    try {
      await pipeline(body, createWriteStream(file));
      yield* readZip(file, opts, counter({ allowRemote: false }, null));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const max = opts.maxDocumentBytes ?? DOC_MAX;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > max) {
      body.destroy();
      yield { ref: url, issues: [{ path: '', message: `document larger than ${max} bytes` }] };
      return;
    }
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  if (hashUrl) {
    const problem = await hashProblem(bytes, hashUrl, opts);
    if (problem) {
      yield { ref: url, issues: [{ path: '', message: problem }] };
      return;
    }
  }
  yield* jsonDocument(format, url, bytes, opts);
}

/** Checks bytes against a `sha256sum`/`sha512sum`-style hash file; the problem, or null when they match. */
async function hashProblem(bytes: Uint8Array, hashUrl: string, opts: ReadOptions): Promise<string | null> {
  let text: string;
  try {
    text = await (await get(hashUrl, opts)).text();
  } catch (e) {
    return `hash file not readable: ${(e as Error).message}`;
  }
  const want = /^\s*([0-9a-fA-F]{64}|[0-9a-fA-F]{128})(?:\s|$)/.exec(text)?.[1]?.toLowerCase();
  if (!want) return `${hashUrl} holds no SHA-256 or SHA-512 hash`;
  const got = createHash(want.length === 64 ? 'sha256' : 'sha512')
    .update(bytes)
    .digest('hex');
  return got === want ? null : `the document does not match its hash (${hashUrl})`;
}

/** Records from an http(s) URL only (the API: a local path or another scheme is refused, never read). */
export async function* readRemoteSource(
  format: ImportFormat,
  url: string,
  opts: ReadOptions,
): AsyncGenerator<InputRecord> {
  checkUrl(url, opts);
  const o = withAuthOrigin(opts, url);
  yield* readUrl(format, url, o, counter(o, null));
}

// ---- CSAF provider ---------------------------------------------------------------------------------------------------

function isProviderMetadata(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && typeof v.canonical_url === 'string' && 'metadata_version' in v && 'publisher' in v;
}

async function fetchText(url: string, opts: ReadOptions): Promise<string> {
  return (await get(url, opts)).text();
}

/**
 * The documents a provider lists: every directory's index.txt and every ROLIE feed's entries, deduplicated by URL, each
 * with the hash file a ROLIE entry links (SHA-512 preferred), which the reader then checks the document against. A
 * directory or feed that cannot be read (e.g. a TLP:AMBER folder that needs credentials) goes to `problems` and the
 * others are still read.
 */
export async function providerDocumentUrls(
  meta: Record<string, unknown>,
  base: string,
  opts: ReadOptions = { allowRemote: true },
  problems: InputRecord[] = [],
): Promise<Map<string, string | undefined>> {
  const urls = new Map<string, string | undefined>();
  const dists = Array.isArray(meta.distributions) ? meta.distributions : [];
  for (const d of dists) {
    if (!isRecord(d)) continue;
    if (typeof d.directory_url === 'string') {
      const dir = new URL(d.directory_url.endsWith('/') ? d.directory_url : `${d.directory_url}/`, base);
      const indexUrl = new URL('index.txt', dir).href;
      let index = '';
      try {
        index = await fetchText(indexUrl, opts);
      } catch (e) {
        problems.push({ ref: indexUrl, issues: [{ path: '', message: (e as Error).message }] });
      }
      for (const line of index.split(/\r?\n/)) {
        const path = line.trim();
        if (path && !path.startsWith('#')) {
          const url = new URL(path, dir).href;
          if (!urls.has(url)) urls.set(url, undefined);
        }
      }
    }
    const feeds = isRecord(d.rolie) && Array.isArray(d.rolie.feeds) ? d.rolie.feeds : [];
    for (const f of feeds) {
      if (!isRecord(f) || typeof f.url !== 'string') continue;
      const feedUrl = new URL(f.url, base).href;
      let feed: { feed?: { entry?: unknown[] } };
      try {
        feed = JSON.parse(await fetchText(feedUrl, opts)) as typeof feed;
      } catch (e) {
        problems.push({ ref: feedUrl, issues: [{ path: '', message: (e as Error).message }] });
        continue;
      }
      const entries = isRecord(feed) && isRecord(feed.feed) && Array.isArray(feed.feed.entry) ? feed.feed.entry : [];
      for (const e of entries) {
        const src = isRecord(e) && isRecord(e.content) ? e.content.src : undefined;
        if (typeof src !== 'string') continue;
        const links = isRecord(e) && Array.isArray(e.link) ? e.link.filter(isRecord) : [];
        const hashes = links
          .filter((l) => l.rel === 'hash' && typeof l.href === 'string')
          .map((l) => new URL(String(l.href), feedUrl).href);
        const hash = hashes.find((h) => h.endsWith('.sha512')) ?? hashes.find((h) => h.endsWith('.sha256'));
        const url = new URL(src, feedUrl).href;
        urls.set(url, hash ?? urls.get(url));
      }
    }
  }
  return urls;
}

async function* followProvider(meta: Record<string, unknown>, ref: string, opts: ReadOptions) {
  const base = isUrl(ref) ? ref : String(meta.canonical_url);
  const o = withAuthOrigin(opts, base);
  let urls: Map<string, string | undefined>;
  const problems: InputRecord[] = [];
  try {
    checkUrl(base, o);
    urls = await providerDocumentUrls(meta, base, o, problems);
  } catch (e) {
    if (e instanceof AppError) throw e;
    yield { ref, issues: [{ path: '/distributions', message: `provider not readable: ${(e as Error).message}` }] };
    return;
  }
  yield* problems;
  for (const [url, hash] of urls) yield* readUrl('csaf', url, o, counter({ allowRemote: false }, null), hash);
}
