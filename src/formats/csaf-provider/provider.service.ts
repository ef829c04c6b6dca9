/**
 * The CSAF provider's reads. Every advisory comes from AdvisoryService.list/get, which apply the one access rule (and
 * audit reads of AMBER and narrower), so a listing holds only documents the caller may see and a document URL answers
 * 404 alike for "absent" and "not yours". Documents are the CSAF 2.0 encoder's output, serialised once per request; the
 * hash files are computed from the same bytes, and the signature files sign them (signing.ts).
 *
 * Advisories under an active embargo are left out of every distribution, whoever asks: a CSAF 2.0 TLP label cannot
 * state an embargo, and a TLP:WHITE document under embargo would read as freely shareable. They appear once the
 * embargo ends.
 */
import { isAppError } from '../../errors.js';
import type { Caller } from '../../participants/principal.js';
import type { Services } from '../../services.js';
import type { Advisory } from '../../vulnerabilities/advisory.service.js';
import { type CsafDocument, csaf20Label, encodeCsaf20 } from '../csaf/index.js';
import { nonEmpty, trackingOf } from '../csaf/parts.js';
import { docOf, publisherOf } from '../serve/export.routes.js';
import { csafFileName, folderOf, type ProviderEntry, relativePath, type TlpFolder } from './layout.js';

const PAGE = 500;

export interface Listed {
  entry: ProviderEntry;
  folder: TlpFolder;
  advisory: Advisory;
}

/** A document as served: its bytes, and the tracking id and version its signature is kept under. */
export interface ServedDocument {
  trackingId: string;
  version: string;
  bytes: string;
}

export class CsafProviderService {
  constructor(private readonly s: Services) {}

  private options() {
    return { publisher: publisherOf(this.s) };
  }

  private embargoed(a: Advisory): boolean {
    return a.marking.embargoUntil !== null && a.marking.embargoUntil > this.s.clock().toISOString();
  }

  /** The provider's view of one advisory: its TLP folder (CSAF 2.0 label, never wider) and tracking facts. */
  entryOf(a: Advisory): Listed {
    const doc = docOf(a);
    const tracking = trackingOf(doc, this.options()) as {
      id: string;
      initial_release_date: string;
      current_release_date: string;
    };
    const label = csaf20Label(a.marking.tlp);
    return {
      advisory: a,
      folder: folderOf(label),
      entry: {
        trackingId: tracking.id,
        title: nonEmpty(doc.summary) ? doc.summary : doc.id,
        label,
        initialReleaseDate: tracking.initial_release_date,
        currentReleaseDate: tracking.current_release_date,
      },
    };
  }

  /** Every advisory the caller may see (not under embargo), optionally of one TLP folder, read page by page. */
  async list(caller: Caller, folder?: TlpFolder): Promise<Listed[]> {
    const out: Listed[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.s.advisories.list(caller, {
        limit: PAGE,
        withdrawn: 'include',
        ...(cursor ? { cursor } : {}),
      });
      for (const a of page.items) {
        if (this.embargoed(a)) continue;
        const l = this.entryOf(a);
        if (!folder || l.folder === folder) out.push(l);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** The newest current_release_date among what the caller may see (the feeds' and metadata's `updated`). */
  static newest(listed: Listed[], fallback: string): string {
    let max = '';
    for (const l of listed) if (l.entry.currentReleaseDate > max) max = l.entry.currentReleaseDate;
    return max || fallback;
  }

  encode(a: Advisory): CsafDocument {
    // The owner's name is not written by the 2.0 encoder; a constant keeps the bytes the same for every caller.
    return encodeCsaf20(
      { doc: docOf(a), tlp: a.marking.tlp, ownerOrgName: 'Clearinghouse participant' },
      this.options(),
    );
  }

  /**
   * The document at `{folder}/{year}/{file}` (file = `{name}.json`), or null when there is none the caller may see.
   * Our advisory ids (CH-YYYY-NNNN) are upper case and use only [A-Z0-9-], so the file name maps back to one id; the
   * advisory found must then give exactly this path, TLP folder and year, or the answer is null.
   */
  async document(caller: Caller, folder: TlpFolder, year: string, file: string): Promise<ServedDocument | null> {
    if (!/^[+\-a-z0-9_]+\.json$/.test(file)) return null;
    const id = file.slice(0, -'.json'.length).toUpperCase();
    let a: Advisory;
    try {
      a = await this.s.advisories.get(caller, id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return null;
      throw e;
    }
    if (this.embargoed(a)) return null;
    const l = this.entryOf(a);
    if (l.folder !== folder || relativePath(l.entry) !== `${year}/${file}` || csafFileName(l.entry.trackingId) !== file)
      return null;
    const doc = this.encode(a);
    return {
      trackingId: l.entry.trackingId,
      version: String(doc.document.tracking.version),
      bytes: JSON.stringify(doc),
    };
  }
}
