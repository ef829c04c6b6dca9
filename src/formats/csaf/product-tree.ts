/**
 * The CSAF product tree of an advisory, built from its OSV `affected` entries:
 *   vendor branch = OSV ecosystem (the package registry) → product_name branch = package name →
 *   product_version_range branches (one `vers:` string per OSV range, status known_affected) and
 *   product_version branches (explicit versions when the entry has no ranges: known_affected; fixed versions: fixed).
 * Product ids are CSAFPID-0001… in document order, so the same advisory always gives the same tree.
 * GIT ranges (commit hashes) have no version-range form and are left out. An advisory without packages gets one
 * placeholder product under investigation, because csaf_security_advisory and csaf_vex require a product tree.
 */
import type { AdvisoryDoc } from '../../vulnerabilities/advisory.model.js';
import { fixedVersions, packageKey, purlOf, versOfRange, versOfVersion } from './packages.js';

const RANGE_WORDS = new Set(['after', 'all', 'before', 'earlier', 'later', 'prior', 'versions']);

/** What CSAF mandatory test 6.1.31 reads as a range inside a product_version name. */
export function looksLikeRange(v: string): boolean {
  return (
    /[<>]/.test(v) ||
    v
      .toLowerCase()
      .split(/\s/)
      .some((w) => RANGE_WORDS.has(w))
  );
}

export interface CsafProduct {
  name: string;
  product_id: string;
  product_identification_helper?: { purl?: string; purls?: string[] };
}

export interface CsafBranch {
  category: string;
  name: string;
  branches?: CsafBranch[];
  product?: CsafProduct;
}

export interface CsafProductTree {
  branches?: CsafBranch[];
  full_product_names?: CsafProduct[];
}

export interface BuiltTree {
  tree: CsafProductTree;
  knownAffected: string[];
  fixed: string[];
  underInvestigation: string[];
  /** The products scores, threats and remediations apply to: the affected ones, or the placeholder. */
  scored: string[];
}

export const PLACEHOLDER_ID = 'CSAFPID-UNSPECIFIED';
export const PLACEHOLDER_NAME = 'Products not identified in this advisory';

/** `purl` is CSAF 2.0's helper field; CSAF 2.1 replaced it with the `purls` array. */
export type PurlStyle = 'purl' | 'purls';

function helper(purl: string | null, style: PurlStyle): CsafProduct['product_identification_helper'] {
  // CSAF 2.0's purl pattern wants a type and a name after "pkg:"; packageurl-js output always has both.
  if (!purl) return undefined;
  return style === 'purl' ? { purl } : { purls: [purl] };
}

/**
 * `placeholder`: the status of the placeholder product when the advisory names no package. CSAF 2.0 takes
 * under_investigation; the CSAF 2.1 draft requires a security advisory to list a known_affected product (6.1.27.12).
 */
export function buildProductTree(
  doc: AdvisoryDoc,
  style: PurlStyle,
  placeholder: 'under_investigation' | 'known_affected' = 'under_investigation',
): BuiltTree {
  let n = 0;
  const nextId = () => `CSAFPID-${String(++n).padStart(4, '0')}`;
  const vendors = new Map<string, CsafBranch>();
  const names = new Map<string, CsafBranch>();
  const knownAffected: string[] = [];
  const fixed: string[] = [];
  const seenVersions = new Set<string>();

  for (const a of doc.affected) {
    const key = packageKey(a);
    if (!key || !a.package || a.package.name === '' || a.package.ecosystem === '') continue;
    const pkg = a.package;
    let vendor = vendors.get(pkg.ecosystem);
    if (!vendor) {
      vendor = { category: 'vendor', name: pkg.ecosystem, branches: [] };
      vendors.set(pkg.ecosystem, vendor);
    }
    let product = names.get(key);
    if (!product) {
      product = { category: 'product_name', name: pkg.name, branches: [] };
      names.set(key, product);
      vendor.branches!.push(product);
    }
    const leaves = product.branches!;
    const ranges = (a.ranges ?? []).map((r) => versOfRange(pkg.ecosystem, r)).filter((v): v is string => v !== null);
    for (const vers of ranges) {
      if (leaves.some((b) => b.category === 'product_version_range' && b.name === vers)) continue;
      const id = nextId();
      leaves.push({
        category: 'product_version_range',
        name: vers,
        product: {
          name: `${pkg.name} ${vers}`,
          product_id: id,
          product_identification_helper: helper(purlOf(pkg), style),
        },
      });
      knownAffected.push(id);
    }
    const versionLeaf = (v: string, into: string[]) => {
      const vk = `${key}\u0000${v}`;
      if (seenVersions.has(vk)) return;
      seenVersions.add(vk);
      const id = nextId();
      if (looksLikeRange(v)) {
        // Mandatory test 6.1.31 forbids range words in product_version; a one-version vers: says the same thing.
        const vers = versOfVersion(pkg.ecosystem, v);
        leaves.push({
          category: 'product_version_range',
          name: vers,
          product: {
            name: `${pkg.name} ${vers}`,
            product_id: id,
            product_identification_helper: helper(purlOf(pkg), style),
          },
        });
        into.push(id);
        return;
      }
      leaves.push({
        category: 'product_version',
        name: v,
        product: {
          name: `${pkg.name} ${v}`,
          product_id: id,
          product_identification_helper: helper(purlOf(pkg, v), style),
        },
      });
      into.push(id);
    };
    if (ranges.length === 0) for (const v of a.versions ?? []) if (v !== '') versionLeaf(v, knownAffected);
    const fixedHere = fixedVersions(a);
    for (const v of fixedHere) versionLeaf(v, fixed);
    const allVersions = versOfRange(pkg.ecosystem, { type: 'ECOSYSTEM', events: [] })!;
    // An entry with neither ranges, versions nor fixes: all versions of its package are affected (even when another
    // entry of the same package names some).
    const saysNothing = ranges.length === 0 && (a.versions ?? []).every((v) => v === '') && fixedHere.length === 0;
    if (saysNothing && !leaves.some((b) => b.category === 'product_version_range' && b.name === allVersions)) {
      const vers = allVersions;
      const id = nextId();
      leaves.push({
        category: 'product_version_range',
        name: vers,
        product: {
          name: `${pkg.name} ${vers}`,
          product_id: id,
          product_identification_helper: helper(purlOf(pkg), style),
        },
      });
      knownAffected.push(id);
    }
  }

  const branches = [...vendors.values()].filter((v) => (v.branches ?? []).length > 0);
  if (knownAffected.length === 0 && fixed.length === 0) {
    return {
      tree: { full_product_names: [{ name: PLACEHOLDER_NAME, product_id: PLACEHOLDER_ID }] },
      knownAffected: placeholder === 'known_affected' ? [PLACEHOLDER_ID] : [],
      fixed: [],
      underInvestigation: placeholder === 'under_investigation' ? [PLACEHOLDER_ID] : [],
      scored: [PLACEHOLDER_ID],
    };
  }
  return {
    tree: { branches },
    knownAffected,
    fixed,
    underInvestigation: [],
    scored: knownAffected.length > 0 ? knownAffected : fixed,
  };
}
