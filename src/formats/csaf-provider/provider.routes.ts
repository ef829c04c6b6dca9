/**
 * The CSAF 2.0 provider under /.well-known/csaf/ (layout in layout.ts). Anonymous callers get the TLP:WHITE
 * distribution only (TLP:CLEAR, un-embargoed advisories); the GREEN/AMBER/RED folders and feeds ask for an API token
 * (Bearer or Basic, as everywhere in the app) and then hold only the documents the caller may see. A document or hash
 * URL answers 404 alike for "no such document" and "not yours".
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
import { CsafProviderService } from './provider.service.js';

const folderParam = z.object({ folder: z.enum(TLP_FOLDERS) });
const yearParam = z.object({ folder: z.enum(TLP_FOLDERS), year: z.string().regex(/^\d{4}$/, 'a four-digit year') });
const fileParam = yearParam.extend({ file: z.string().min(1).max(300) });
const feedParam = z.object({ folder: z.string().regex(/^feed-tlp-[a-z]+\.json$/, 'feed-tlp-{label}.json') });

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
  const tags = ['csaf-provider'];
  const now = () => s.clock().toISOString();

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/provider-metadata.json`,
    summary: 'CSAF 2.0 provider metadata (role csaf_provider): the TLP folders and ROLIE feeds the caller may read',
    tags,
    public: true,
    handler: async ({ caller, reply }) => {
      const listed = await provider.list(caller);
      const meta = providerMetadata({
        baseUrl: s.config.baseUrl,
        publisher: publisherOf(s),
        folders: foldersFor(caller),
        lastUpdated: CsafProviderService.newest(listed, now()),
      });
      return send(reply, caller, 'application/json; charset=utf-8', JSON.stringify(meta));
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
      requireFolder(caller, folder);
      const listed = await provider.list(caller, folder);
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
      requireFolder(caller, params.folder);
      const listed = await provider.list(caller, params.folder);
      const years = [...new Set(listed.map((l) => `${l.entry.initialReleaseDate.slice(0, 4)}/`))].sort();
      return send(
        reply,
        caller,
        'text/html; charset=utf-8',
        listing(`${WELL_KNOWN}/${params.folder}/`, [...years, 'index.txt', 'changes.csv']),
      );
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/index.txt`,
    summary: 'Every document path of one TLP folder the caller may see (CSAF 2.0 requirement 12)',
    tags,
    public: true,
    params: folderParam,
    handler: async ({ caller, params, reply }) => {
      requireFolder(caller, params.folder);
      const listed = await provider.list(caller, params.folder);
      return send(reply, caller, 'text/plain; charset=utf-8', indexTxt(listed.map((l) => l.entry)));
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/changes.csv`,
    summary: 'Document paths with current_release_date, newest first (CSAF 2.0 requirement 13)',
    tags,
    public: true,
    params: folderParam,
    handler: async ({ caller, params, reply }) => {
      requireFolder(caller, params.folder);
      const listed = await provider.list(caller, params.folder);
      return send(reply, caller, 'text/csv; charset=utf-8', changesCsv(listed.map((l) => l.entry)));
    },
  });

  r.add(app, {
    method: 'GET',
    url: `${WELL_KNOWN}/:folder/:year/`,
    summary: 'Directory listing of one year folder (documents and their hash files)',
    tags,
    public: true,
    params: yearParam,
    handler: async ({ caller, params, reply }) => {
      requireFolder(caller, params.folder);
      const listed = await provider.list(caller, params.folder);
      const names = listed
        .filter((l) => relativePath(l.entry).startsWith(`${params.year}/`))
        .map((l) => csafFileName(l.entry.trackingId))
        .sort()
        .flatMap((f) => [f, `${f}.sha256`, `${f}.sha512`]);
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
    summary: 'One CSAF 2.0 document ({file}.json) or its hash ({file}.json.sha256, {file}.json.sha512)',
    tags,
    public: true,
    params: fileParam,
    handler: async ({ caller, params, reply }) => {
      requireFolder(caller, params.folder);
      const m = /^(.+\.json)(?:\.(sha256|sha512))?$/.exec(params.file);
      const found = m ? await provider.document(caller, params.folder, params.year, m[1]!) : null;
      if (!m || !found) throw new AppError('not_found', `no document ${params.folder}/${params.year}/${params.file}`);
      const algorithm = m[2] as 'sha256' | 'sha512' | undefined;
      return algorithm
        ? send(reply, caller, 'text/plain; charset=utf-8', hashFile(algorithm, found.bytes, m[1]!))
        : send(reply, caller, 'application/json; charset=utf-8', found.bytes);
    },
  });
}
