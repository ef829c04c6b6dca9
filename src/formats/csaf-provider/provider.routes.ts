/**
 * The CSAF 2.0 provider under /.well-known/csaf/ (layout in layout.ts). Anonymous callers get the TLP:WHITE
 * distribution only (TLP:CLEAR, un-embargoed advisories); the GREEN/AMBER/RED folders and feeds ask for an API token
 * (Bearer or Basic, as everywhere in the app) and then hold only the documents the caller may see. A document, hash or
 * signature URL answers 404 alike for "no such document" and "not yours". The public OpenPGP key is public.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { RouteRegistry } from '../../http/route.js';
import type { Caller } from '../../participants/principal.js';
import type { Services } from '../../services.js';
import { publisherOf } from '../serve/export.routes.js';
import {
  changesCsv,
  csafFileName,
  hashFile,
  indexTxt,
  isFolder,
  providerMetadata,
  relativePath,
  rolieFeed,
  TLP_FOLDERS,
  type TlpFolder,
  WELL_KNOWN,
} from './layout.js';
import { CsafProviderService, type Listed } from './provider.service.js';
import { loadOpenpgpKey, ProviderSigner } from './signing.js';

const folderParam = z.object({ folder: z.enum(TLP_FOLDERS) });
const yearParam = z.object({ folder: z.enum(TLP_FOLDERS), year: z.string().regex(/^\d{4}$/, 'a four-digit year') });
const fileParam = yearParam.extend({ file: z.string().min(1).max(300) });
const feedParam = z.object({ folder: z.string().regex(/^feed-tlp-[a-z]+\.json$/, 'feed-tlp-{label}.json') });
const keyParam = z.object({ file: z.string().regex(/^[0-9A-F]{40,}\.asc$/, '{FINGERPRINT}.asc') });

/** The files served beside each document: hashes (requirement 18) and the signature (requirement 19). */
const COMPANIONS = ['sha256', 'sha512', 'asc'] as const;
const documentFile = new RegExp(`^(.+\\.json)(?:\\.(${COMPANIONS.join('|')}))?$`);

/** The files of every TLP folder besides the year folders (requirements 12 and 13). */
const FOLDER_FILES = [
  {
    name: 'index.txt',
    summary: 'Every document path of one TLP folder the caller may see (CSAF 2.0 requirement 12)',
    type: 'text/plain; charset=utf-8',
    render: indexTxt,
  },
  {
    name: 'changes.csv',
    summary: 'Document paths with current_release_date, newest first (CSAF 2.0 requirement 13)',
    type: 'text/csv; charset=utf-8',
    render: changesCsv,
  },
] as const;

/** The folders a caller may read: anonymous callers the TLP:WHITE one only. */
const foldersFor = (caller: Caller): readonly TlpFolder[] => (caller ? TLP_FOLDERS : ['white']);

function requireFolder(caller: Caller, folder: TlpFolder): void {
  if (!foldersFor(caller).includes(folder))
    throw new AppError('unauthenticated', `the TLP:${folder.toUpperCase()} distribution needs an API token`);
}

function send(reply: FastifyReply, caller: Caller, type: string, body: string): string {
  reply.type(type);
  if (caller) reply.header('cache-control', 'private, no-store');
  return body;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const listing = (title: string, names: string[]) =>
  `<!doctype html>\n<html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><ul>\n${names
    .map((n) => `<li><a href="${escapeHtml(n)}">${escapeHtml(n)}</a></li>\n`)
    .join('')}</ul></body></html>\n`;

export function registerCsafProviderRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  const provider = new CsafProviderService(s);
  const signer = new ProviderSigner(() => loadOpenpgpKey(s.config));
  const tags = ['csaf-provider'];
  const now = () => s.clock().toISOString();
  // A configured key that cannot be read or decrypted stops the server at start; a generated one is made on first use.
  if (s.config.csafOpenpgpKeyFile) app.addHook('onReady', async () => void (await signer.publicKey()));

  /** What one caller may see in one TLP folder, after the folder's own check (anonymous callers: WHITE only). */
  const listFolder = (caller: Caller, folder: TlpFolder): Promise<Listed[]> => {
    requireFolder(caller, folder);
    return provider.list(caller, folder);
  };

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/provider-metadata.json`,
    summary: 'CSAF 2.0 provider metadata (role csaf_trusted_provider): the TLP folders, ROLIE feeds and OpenPGP key',
    tags,
    public: true,
    handler: async ({ caller, reply }) => {
      const listed = await provider.list(caller);
      const meta = providerMetadata({
        baseUrl: s.config.baseUrl,
        publisher: publisherOf(s),
        folders: foldersFor(caller),
        lastUpdated: CsafProviderService.newest(listed, now()),
        openpgpFingerprints: [(await signer.publicKey()).fingerprint],
      });
      return send(reply, caller, 'application/json; charset=utf-8', JSON.stringify(meta));
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/openpgp/:file`,
    summary: 'The public OpenPGP key that signs the documents ({FINGERPRINT}.asc, armored; CSAF 2.0 requirement 20)',
    tags,
    public: true,
    params: keyParam,
    handler: async ({ params, reply }) => {
      const key = await signer.publicKey();
      if (params.file !== `${key.fingerprint}.asc`) throw new AppError('not_found', `no key ${params.file}`);
      reply.type('application/pgp-keys');
      return key.armored;
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder`,
    summary: 'ROLIE feed of one TLP label (feed-tlp-white.json, -green, -amber, -red), entries the caller may see',
    tags,
    public: true,
    params: feedParam,
    handler: async ({ caller, params, reply }) => {
      const folder = params.folder.slice('feed-tlp-'.length, -'.json'.length);
      if (!isFolder(folder)) throw new AppError('not_found', `no feed ${params.folder}`);
      const listed = await listFolder(caller, folder);
      const feed = rolieFeed(
        s.config.baseUrl,
        folder,
        listed.map((l) => l.entry),
        CsafProviderService.newest(listed, now()),
      );
      return send(reply, caller, 'application/json; charset=utf-8', JSON.stringify(feed));
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/`,
    summary: 'Directory listing of one TLP folder (its year folders, index.txt, changes.csv)',
    tags,
    public: true,
    params: folderParam,
    handler: async ({ caller, params, reply }) => {
      const listed = await listFolder(caller, params.folder);
      const years = [...new Set(listed.map((l) => `${l.entry.initialReleaseDate.slice(0, 4)}/`))].sort();
      return send(
        reply,
        caller,
        'text/html; charset=utf-8',
        listing(`${WELL_KNOWN}/${params.folder}/`, [...years, ...FOLDER_FILES.map((f) => f.name)]),
      );
    },
  });

  for (const f of FOLDER_FILES)
    r.add(app, {
      method: 'GET',
      url: `${WELL_KNOWN}/:folder/${f.name}`,
      summary: f.summary,
      tags,
      public: true,
      params: folderParam,
      handler: async ({ caller, params, reply }) => {
        const listed = await listFolder(caller, params.folder);
        return send(reply, caller, f.type, f.render(listed.map((l) => l.entry)));
      },
    });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/:year/`,
    summary: 'Directory listing of one year folder (documents, their hash files and signatures)',
    tags,
    public: true,
    params: yearParam,
    handler: async ({ caller, params, reply }) => {
      const listed = await listFolder(caller, params.folder);
      const names = listed
        .filter((l) => relativePath(l.entry).startsWith(`${params.year}/`))
        .map((l) => csafFileName(l.entry.trackingId))
        .sort()
        .flatMap((f) => [f, ...COMPANIONS.map((c) => `${f}.${c}`)]);
      if (names.length === 0) throw new AppError('not_found', `no folder ${params.folder}/${params.year}/`);
      return send(
        reply,
        caller,
        'text/html; charset=utf-8',
        listing(`${WELL_KNOWN}/${params.folder}/${params.year}/`, names),
      );
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/:year/:file`,
    summary:
      'One CSAF 2.0 document ({file}.json), its hash ({file}.json.sha256, .sha512) or its OpenPGP signature ({file}.json.asc)',
    tags,
    public: true,
    params: fileParam,
    handler: async ({ caller, params, reply }) => {
      requireFolder(caller, params.folder);
      const m = documentFile.exec(params.file);
      const found = m ? await provider.document(caller, params.folder, params.year, m[1]!) : null;
      if (!m || !found) throw new AppError('not_found', `no document ${params.folder}/${params.year}/${params.file}`);
      const companion = m[2] as (typeof COMPANIONS)[number] | undefined;
      if (!companion) return send(reply, caller, 'application/json; charset=utf-8', found.bytes);
      if (companion === 'asc')
        return send(
          reply,
          caller,
          'application/pgp-signature',
          await signer.signature(found.trackingId, found.version, found.bytes),
        );
      return send(reply, caller, 'text/plain; charset=utf-8', hashFile(companion, found.bytes, m[1]!));
    },
  });
}
