/**
 * TAXII 2.1 media types, content negotiation and the error resource (TAXII 2.1 §3.1, §3.6.1). Pure.
 */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** An error the TAXII routes answer with the TAXII error resource and this HTTP status. */
export class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(description);
    this.name = 'TaxiiError';
  }
}

export function badRequest(description: string, details?: Record<string, unknown>): TaxiiError {
  return new TaxiiError(400, 'Bad request', description, details);
}

/** The TAXII error resource: title, description, error_code, http_status (a string in TAXII 2.1), details. */
export function errorResource(
  status: number,
  title: string,
  description: string,
  code: string,
  details?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    title,
    description,
    error_code: code,
    http_status: String(status),
    ...(details ? { details } : {}),
  };
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseRanges(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const p of rest) {
        const i = p.indexOf('=');
        if (i > 0)
          params.set(
            p.slice(0, i).trim().toLowerCase(),
            p
              .slice(i + 1)
              .trim()
              .replace(/^"|"$/g, ''),
          );
      }
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    });
}

/** A TAXII 2.1 media type: application/taxii+json with no version (the latest) or version=2.1. */
function isTaxii21(r: MediaRange): boolean {
  if (r.type !== 'application/taxii+json') return false;
  const v = r.params.get('version');
  return v === undefined || v === '2.1';
}

/**
 * Whether a response in the TAXII 2.1 media type is acceptable to the client: no Accept header, a wildcard, or
 * application/taxii+json (without a version or with version=2.1), with a non-zero quality.
 */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return parseRanges(accept).some((r) => r.q > 0 && (r.type === '*/*' || r.type === 'application/*' || isTaxii21(r)));
}

/** Whether a request body's Content-Type is the TAXII 2.1 media type. */
export function isTaxiiContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [range] = parseRanges(contentType);
  return range !== undefined && isTaxii21(range);
}
