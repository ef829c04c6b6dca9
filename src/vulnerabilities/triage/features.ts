/**
 * Pure feature extraction for duplicate clustering (no I/O). A report is reduced to separate feature families so that
 * each one can carry its own weight in the score and its own reason in the evidence:
 *   - text shingles: word 3-grams of the lower-cased, tokenised title and description, with identifiers masked;
 *   - code: identifiers that look like code (snake_case, camelCase, dotted calls `a.b(`), function names `f(`;
 *   - paths: file paths with an extension (`lib/hmac.py`), endpoints (`GET /api/x`, `/v1/users/{id}`);
 *   - stack frames: `at fn (file:line)` and `File "x.py", line N, in fn` lines, kept as (function, file) features;
 *   - identifiers: CVE / GHSA / OSV-style ids (from the aliases field: strong; mentioned in the text: weak);
 *   - packages: ecosystem/name from purls or affected entries, with their version ranges;
 *   - references: normalised URLs; CWE ids.
 */

export interface TriageRange {
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
}

export interface TriageAffected {
  purl?: string;
  ecosystem?: string;
  name?: string;
  product?: string;
  ranges?: TriageRange[];
  versions?: string[];
}

/** What the engine needs from a report or an advisory. */
export interface TriageDoc {
  id: string;
  title: string;
  description: string;
  aliases?: string[];
  cweIds?: string[];
  affected?: TriageAffected[];
  references?: string[];
  /** Who filed it (organisation id; in the benchmark, the source database). Used only for the same-submitter discount. */
  submitter?: string;
}

export interface PackageFeature {
  key: string;
  ranges: TriageRange[];
  versions: string[];
}

export interface Features {
  shingles: string[];
  code: string[];
  paths: string[];
  frames: string[];
  ids: string[];
  mentionedIds: string[];
  packages: PackageFeature[];
  references: string[];
  cwes: string[];
  tokenCount: number;
  /** Plain product names of the packages (see productName). */
  products: string[];
  /** Content words of the title (see titleWords). */
  title: string[];
  /** Name-like words of the text (package names with dashes and dots kept), at most MAX_NAMES, for "names the other's package". */
  names: string[];
}

const MAX_NAMES = 400;

export const ID_PATTERN =
  /\b(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|PYSEC-\d{4}-\d+|GO-\d{4}-\d{4,}|RUSTSEC-\d{4}-\d{4}|JLSEC-\d{4}-\d+|HSEC-\d{4}-\d{4}|OSEC-\d{4}-\d+|RSEC-\d{4}-\d+|PSF-\d{4}-\d+|BIT-[a-z0-9-]+-\d{4}-\d+|OSV-\d{4}-\d+)\b/gi;

const STOP = new Set(
  'a an the of in on to and or for by with is are be was were this that it its as at from via can could may might an which when if not no before after allows allow attacker attackers remote user users version versions vulnerability vulnerable issue'.split(
    ' ',
  ),
);

/** Upper-case canonical form of an identifier; GHSA ids are lower-case after the prefix by convention. */
export function canonicalId(id: string): string {
  const u = id.trim().toUpperCase();
  return u.startsWith('GHSA-') ? `GHSA-${u.slice(5).toLowerCase()}` : u;
}

export function normaliseUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[#?].*$/, (m) => (m.startsWith('?') ? m : ''))
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** ecosystem/name from a purl ("pkg:pypi/django@1.0" -> "pypi/django"); namespace kept, version and qualifiers dropped. */
export function packageKeyFromPurl(purl: string): string | undefined {
  const m = /^pkg:([^/]+)\/([^@?#]+)/i.exec(purl.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return `${m[1].toLowerCase()}/${decodeURIComponent(m[2]).toLowerCase()}`;
}

const PURL_TYPE: Record<string, string> = {
  pypi: 'pypi',
  go: 'golang',
  'crates.io': 'cargo',
  npm: 'npm',
  maven: 'maven',
  rubygems: 'gem',
  packagist: 'composer',
  nuget: 'nuget',
  hackage: 'hackage',
  cran: 'cran',
  julia: 'julia',
  opam: 'opam',
};

/** Go standard-library packages ("crypto/tls", "net/http") are one package, `stdlib`, as the Go vulnerability database files them. */
function goStdlib(key: string): string {
  if (!key.startsWith('golang/')) return key;
  const first = key.slice(7).split('/')[0] ?? '';
  return first.includes('.') ? key : 'golang/stdlib';
}

export function packageKey(a: TriageAffected): string | undefined {
  if (a.purl) {
    const k = packageKeyFromPurl(a.purl);
    return k && goStdlib(k);
  }
  if (a.name) {
    const eco = (a.ecosystem ?? '').toLowerCase().split(':')[0] ?? '';
    return goStdlib(`${PURL_TYPE[eco] ?? (eco || 'generic')}/${a.name.toLowerCase()}`);
  }
  if (a.product) return `generic/${a.product.toLowerCase()}`;
  return undefined;
}

/**
 * The plain product name a package key stands for, so that an ecosystem package and a CVE record's bare product can
 * be compared: the last path segment without a Go major-version suffix ("golang/github.com/argoproj/argo-cd/v2" ->
 * "argo-cd"), a Maven artifact id, an npm name without its scope; a generic product with spaces as dashes.
 */
export function productName(key: string): string {
  const slash = key.indexOf('/');
  const eco = key.slice(0, slash);
  let name = key.slice(slash + 1);
  if (eco === 'generic') return name.trim().replace(/[\s_]+/g, '-');
  if (eco === 'maven') name = name.split(':').pop() ?? name;
  const parts = name.split('/').filter((p) => p && !/^v\d+$/.test(p));
  let last = (parts[parts.length - 1] ?? name).replace(/_/g, '-');
  // Julia's binary wrappers ("Wasmtime_jll") and Rust's C bindings ("libgit2-sys") stand for the upstream product.
  if (eco === 'julia') last = last.replace(/-jll$/, '');
  if (eco === 'cargo') last = last.replace(/-sys$/, '');
  return last;
}

/**
 * A title reduced to its content words, without a trailing "in <package path>" (the Go database's titles end so) and
 * without identifiers; used to compare titles on their own.
 */
export function titleWords(title: string): string[] {
  const t = title.replace(ID_PATTERN, ' ').replace(/\s+in\s+\S*[./]\S*\s*$/i, '');
  return uniq(tokenize(t).filter((w) => !STOP.has(w)));
}

const CODE_IDENT =
  /\b[A-Za-z_][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?=\s*\()/g;
const FUNC_CALL = /\b([A-Za-z_][\w.]*)\s*\(\)?/g;
const FILE_PATH =
  /(?:[\w.-]+\/)*[\w.-]+\.(?:py|go|rs|js|ts|jsx|tsx|c|h|cc|cpp|hpp|java|kt|rb|php|cs|swift|scala|jl|hs|ml|r|pl|sh|yaml|yml|json|xml|html|sql)\b/gi;
const ENDPOINT =
  /(?:\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?(?<![\w.:/])\/(?:api|v\d+|admin|auth|login|user|users|graphql|rest|oauth|upload|download)\b[\w\-/{}:.]*/gi;
const JS_FRAME = /\bat\s+([\w.$<>]+)\s+\(([^():\s]+):\d+(?::\d+)?\)/g;
const PY_FRAME = /File "([^"]+)", line \d+, in (\w+)/g;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
}

function uniq(xs: Iterable<string>): string[] {
  return [...new Set(xs)];
}

/** Extracts every feature family from a document. Identifiers in the text are masked before shingling. */
export function extractFeatures(doc: TriageDoc): Features {
  const raw = `${doc.title}\n${doc.description}`;
  const mentioned = uniq([...raw.matchAll(ID_PATTERN)].map((m) => canonicalId(m[0])));
  const masked = raw.replace(ID_PATTERN, ' ');
  const frames: string[] = [];
  for (const m of masked.matchAll(JS_FRAME)) frames.push(`${m[1]}@${(m[2] ?? '').split('/').pop()}`.toLowerCase());
  for (const m of masked.matchAll(PY_FRAME)) frames.push(`${m[2]}@${(m[1] ?? '').split('/').pop()}`.toLowerCase());
  const paths = uniq(
    [...(masked.match(FILE_PATH) ?? []), ...(masked.match(ENDPOINT) ?? []).map((e) => e.replace(/\s+/, ' '))].map((p) =>
      p.toLowerCase().replace(/[.,;:]+$/, ''),
    ),
  ).filter((p) => p.length > 3 && !/^\d/.test(p));
  const code = uniq(
    [...(masked.match(CODE_IDENT) ?? []), ...[...masked.matchAll(FUNC_CALL)].map((m) => m[1] ?? '')]
      .map((c) => c.toLowerCase())
      .filter((c) => c.length >= 4 && !STOP.has(c) && !/^\d/.test(c) && !/\.(com|org|io|net)$/.test(c)),
  );
  const tokens = tokenize(masked).filter((t) => !STOP.has(t));
  const shingles: string[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) shingles.push(`${tokens[i]} ${tokens[i + 1]} ${tokens[i + 2]}`);
  if (tokens.length > 0 && tokens.length < 3) shingles.push(tokens.join(' '));
  const packages: PackageFeature[] = [];
  for (const a of doc.affected ?? []) {
    const key = packageKey(a);
    if (key) packages.push({ key, ranges: a.ranges ?? [], versions: a.versions ?? [] });
  }
  return {
    shingles: uniq(shingles),
    code: code.filter((c) => !paths.includes(c)),
    paths,
    frames: uniq(frames),
    ids: uniq((doc.aliases ?? []).map(canonicalId)),
    mentionedIds: mentioned,
    packages,
    references: uniq((doc.references ?? []).map(normaliseUrl)),
    cwes: uniq((doc.cweIds ?? []).map((c) => c.toUpperCase())),
    tokenCount: tokens.length,
    products: uniq(packages.map((p) => productName(p.key)).filter((n) => n.length >= 3)),
    title: titleWords(doc.title),
    names: uniq(
      (masked.toLowerCase().match(/[a-z0-9][a-z0-9._-]*[a-z0-9]/g) ?? [])
        .filter((w) => w.length >= 5)
        .map((w) => w.replace(/_/g, '-')),
    ).slice(0, MAX_NAMES),
  };
}
