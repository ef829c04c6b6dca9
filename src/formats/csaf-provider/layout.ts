/**
 * The CSAF 2.0 provider layout (CSAF 2.0 section 7.1, requirements 11-15 and 18-20), pure: file names, folders,
 * index.txt, changes.csv, hash files, ROLIE feeds and provider-metadata.json from a list of entries. No I/O, no access
 * decisions: provider.service.ts hands in only what the caller may see; signing.ts makes the signatures.
 *
 * Layout under `{base}/.well-known/csaf/`:
 *   provider-metadata.json                      one distribution per TLP folder (directory_url + its ROLIE feed)
 *   {white|green|amber|red}/index.txt           one path per line, relative to the folder
 *   {white|green|amber|red}/changes.csv         "path","current_release_date", newest first
 *   {white|green|amber|red}/{YYYY}/{file}.json  YYYY = year of initial_release_date (requirement 11)
 *   … {file}.json.sha256, {file}.json.sha512    `sha256sum` form: "<hex>  <file>.json"
 *   … {file}.json.asc                           detached, ASCII-armored OpenPGP signature (signing.ts)
 *   openpgp/{FINGERPRINT}.asc                   the signing key's public part (armored)
 *   feed-tlp-{white|green|amber|red}.json       ROLIE feed (RFC 8322 JSON) per TLP label
 */
import { createHash } from 'node:crypto';
import type { Tlp1Label } from '../csaf/tlp.js';

export const TLP_FOLDERS = ['white', 'green', 'amber', 'red'] as const;
export type TlpFolder = (typeof TLP_FOLDERS)[number];

export const folderOf = (label: Tlp1Label): TlpFolder => label.toLowerCase() as TlpFolder;
export const labelOf = (folder: TlpFolder): Tlp1Label => folder.toUpperCase() as Tlp1Label;
export const isFolder = (s: string): s is TlpFolder => (TLP_FOLDERS as readonly string[]).includes(s);

export const CSAF20_SCHEMA_URL = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json';
export const WELL_KNOWN = '/.well-known/csaf';

/** CSAF 2.0 section 5.1: the tracking id in lower case, every run of characters outside [+\-a-z0-9] replaced by `_`. */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/** One document as the provider lists it. */
export interface ProviderEntry {
  trackingId: string;
  title: string;
  label: Tlp1Label;
  initialReleaseDate: string;
  currentReleaseDate: string;
}

/** Path of a document relative to its TLP folder: `{YYYY}/{file}.json`. */
export function relativePath(e: Pick<ProviderEntry, 'trackingId' | 'initialReleaseDate'>): string {
  return `${e.initialReleaseDate.slice(0, 4)}/${csafFileName(e.trackingId)}`;
}

export function providerUrls(baseUrl: string) {
  const root = `${baseUrl.replace(/\/$/, '')}${WELL_KNOWN}`;
  return {
    metadata: `${root}/provider-metadata.json`,
    folder: (f: TlpFolder) => `${root}/${f}/`,
    feed: (f: TlpFolder) => `${root}/feed-tlp-${f}.json`,
    document: (f: TlpFolder, rel: string) => `${root}/${f}/${rel}`,
    openpgpKey: (fingerprint: string) => `${root}/openpgp/${fingerprint}.asc`,
  };
}

/** index.txt: every document path, one per line (sorted, so the output is stable). */
export function indexTxt(entries: ProviderEntry[]): string {
  return entries
    .map(relativePath)
    .sort()
    .map((p) => `${p}\n`)
    .join('');
}

const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** changes.csv: `"path","current_release_date"`, newest first (ties by path for a stable order). */
export function changesCsv(entries: ProviderEntry[]): string {
  return [...entries]
    .sort(
      (a, b) =>
        b.currentReleaseDate.localeCompare(a.currentReleaseDate) || relativePath(a).localeCompare(relativePath(b)),
    )
    .map((e) => `${csvField(relativePath(e))},${csvField(e.currentReleaseDate)}\n`)
    .join('');
}

/** The content of `{file}.sha256` / `{file}.sha512`: the form `sha256sum`/`sha512sum` write and `-c` checks. */
export function hashFile(algorithm: 'sha256' | 'sha512', bytes: string | Uint8Array, fileName: string): string {
  return `${createHash(algorithm).update(bytes).digest('hex')}  ${fileName}\n`;
}

/** The ROLIE feed (RFC 8322, JSON form as CSAF 2.0 section 7.1.15 shows it) of one TLP folder. */
export function rolieFeed(baseUrl: string, folder: TlpFolder, entries: ProviderEntry[], updated: string) {
  const urls = providerUrls(baseUrl);
  const label = labelOf(folder);
  const sorted = [...entries].sort(
    (a, b) => b.currentReleaseDate.localeCompare(a.currentReleaseDate) || a.trackingId.localeCompare(b.trackingId),
  );
  return {
    feed: {
      id: `clearinghouse-csaf-feed-tlp-${folder}`,
      title: `Clearinghouse CSAF feed (TLP:${label})`,
      link: [{ rel: 'self', href: urls.feed(folder) }],
      category: [{ scheme: 'urn:ietf:params:rolie:category:information-type', term: 'csaf' }],
      updated,
      entry: sorted.map((e) => {
        const href = urls.document(folder, relativePath(e));
        return {
          id: e.trackingId,
          title: e.title,
          link: [
            { rel: 'self', href },
            { rel: 'hash', href: `${href}.sha256` },
            { rel: 'hash', href: `${href}.sha512` },
            { rel: 'signature', href: `${href}.asc` },
          ],
          published: e.initialReleaseDate,
          updated: e.currentReleaseDate,
          content: { type: 'application/json', src: href },
          format: { schema: CSAF20_SCHEMA_URL, version: '2.0' },
        };
      }),
    },
  };
}

export interface ProviderMetadataOptions {
  baseUrl: string;
  publisher: Record<string, unknown>;
  /** The TLP folders this caller may read (anonymous: white only). */
  folders: readonly TlpFolder[];
  lastUpdated: string;
  /** Fingerprints (hex) of the OpenPGP keys that sign the documents. */
  openpgpFingerprints: readonly string[];
}

/**
 * provider-metadata.json. Role csaf_trusted_provider when the documents are signed (CSAF 2.0 section 7.2.3: hashes,
 * signatures and the public key, requirements 18-20, on top of the csaf_provider role), else csaf_provider.
 */
export function providerMetadata(o: ProviderMetadataOptions) {
  const urls = providerUrls(o.baseUrl);
  return {
    canonical_url: urls.metadata,
    distributions: o.folders.map((f) => ({
      directory_url: urls.folder(f),
      rolie: {
        feeds: [
          {
            summary: `Every TLP:${labelOf(f)} advisory of this clearinghouse the requester may see.`,
            tlp_label: labelOf(f),
            url: urls.feed(f),
          },
        ],
      },
    })),
    last_updated: o.lastUpdated,
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    public_openpgp_keys: o.openpgpFingerprints.map((fingerprint) => ({
      fingerprint,
      url: urls.openpgpKey(fingerprint),
    })),
    publisher: o.publisher,
    role: o.openpgpFingerprints.length > 0 ? 'csaf_trusted_provider' : 'csaf_provider',
  };
}
