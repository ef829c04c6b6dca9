import { describe, expect, it } from 'vitest';
import { groupByKeys, pairwise } from '../../bench/triage/metrics.js';
import { corpus, runBench } from '../../bench/triage/run.js';
import { TriageEngine, titleKeys } from '../../src/vulnerabilities/triage/engine.js';
import {
  extractFeatures,
  packageKey,
  productName,
  type TriageDoc,
  titleWords,
} from '../../src/vulnerabilities/triage/features.js';
import { estimateJaccard, MinHasher } from '../../src/vulnerabilities/triage/minhash.js';
import { rangesOverlap, type StoredDoc, scorePair } from '../../src/vulnerabilities/triage/score.js';

const base =
  'A heap buffer overflow in the image decoder of libfoo lets a remote attacker crash the process or execute code ' +
  'when a crafted PNG file with an oversized IHDR chunk is parsed by decode_png_chunk in src/png/decoder.c. The ' +
  'length field is trusted before the allocation and the copy loop writes past the end of the row buffer. Found ' +
  'by fuzzing the public parse entry point with a corpus of malformed images; a proof of concept file is attached.';

function doc(id: string, description: string, extra: Partial<TriageDoc> = {}): TriageDoc {
  return { id, title: 'Heap overflow in libfoo PNG decoder', description, ...extra };
}

describe('features', () => {
  it('keeps paths, endpoints, stack frames and code identifiers apart from the text, and masks identifiers', () => {
    const f = extractFeatures(
      doc(
        'x',
        'See CVE-2024-1234. POST /api/v1/upload crashes in parse_header().\n  at readChunk (src/png/decoder.js:10:3)\n' +
          '  File "lib/hmac.py", line 3, in compare_digest',
      ),
    );
    expect(f.mentionedIds).toEqual(['CVE-2024-1234']);
    expect(f.shingles.join(' ')).not.toContain('2024');
    expect(f.paths).toEqual(expect.arrayContaining(['post /api/v1/upload', 'src/png/decoder.js', 'lib/hmac.py']));
    expect(f.frames).toEqual(expect.arrayContaining(['readchunk@decoder.js', 'compare_digest@hmac.py']));
    expect(f.code).toContain('parse_header');
  });
});

describe('package and title features', () => {
  it('files Go standard-library packages under stdlib and reduces packages to plain product names', () => {
    expect(packageKey({ ecosystem: 'Go', name: 'crypto/tls' })).toBe('golang/stdlib');
    expect(packageKey({ ecosystem: 'Go', name: 'github.com/quic-go/quic-go' })).toBe(
      'golang/github.com/quic-go/quic-go',
    );
    expect(productName('golang/github.com/argoproj/argo-cd/v2')).toBe('argo-cd');
    expect(productName('maven/org.apache.logging.log4j:log4j-core')).toBe('log4j-core');
    expect(productName('generic/vault enterprise')).toBe('vault-enterprise');
    // Julia's binary wrappers and Rust's C bindings stand for the upstream product; underscores compare as dashes
    expect(productName('julia/wasmtime_jll')).toBe('wasmtime');
    expect(productName('julia/nats_server_jll')).toBe('nats-server');
    expect(productName('cargo/libgit2-sys')).toBe('libgit2');
    expect(productName('pypi/sys')).toBe('sys');
    expect(titleKeys(['a', 'b', 'c'])).toEqual([]);
    // two titles differing by one word on each side share a key; titles differing by two words on one side do not
    const k = (t: string) => new Set(titleKeys(titleWords(t)));
    const shares = (x: string, y: string) => [...k(x)].some((key) => k(y).has(key));
    expect(shares('Wasmtime panics when allocating a table', 'Wasmtime panic when allocating a table')).toBe(true);
    expect(shares('Wasmtime panics when allocating a table', 'Wasmtime leaks memory when freeing a module')).toBe(
      false,
    );
    expect(titleWords('Nuclei Template Signature Verification Bypass in github.com/projectdiscovery/nuclei')).toEqual([
      'nuclei',
      'template',
      'signature',
      'verification',
      'bypass',
    ]);
  });

  const stored = (d: TriageDoc): StoredDoc => {
    const f = extractFeatures(d);
    return {
      id: d.id,
      clusterId: '',
      f,
      textHashes: new Uint32Array(),
      codeSet: new Set(),
      sig: new Uint32Array(),
      submitter: d.submitter,
    };
  };
  const kinds = (a: TriageDoc, b: TriageDoc) =>
    scorePair(stored(a), stored(b), () => 1, 40).evidence.map((e) => e.kind);

  it('gives product, title and package-named evidence, and none between unrelated packages', () => {
    const goRecord: TriageDoc = {
      id: 'go',
      title: 'Nuclei Template Signature Verification Bypass in github.com/projectdiscovery/nuclei/v3',
      description: 'Template signatures are not checked.',
      affected: [{ ecosystem: 'Go', name: 'github.com/projectdiscovery/nuclei/v3' }],
    };
    const cveRecord: TriageDoc = {
      id: 'cve',
      title: 'Nuclei template signature verification bypass',
      description: 'A flaw in the verification system lets unsigned templates run.',
      affected: [{ product: 'nuclei' }],
    };
    expect(kinds(goRecord, cveRecord)).toEqual(expect.arrayContaining(['product', 'title']));
    const other: TriageDoc = {
      ...cveRecord,
      id: 'other',
      title: 'Path traversal in the file server',
      affected: [{ product: 'fileserve' }],
    };
    expect(kinds(goRecord, other)).not.toContain('product');
    expect(kinds(goRecord, other)).not.toContain('title');
    const backdoorA: TriageDoc = {
      id: 'a',
      submitter: 's',
      title: '',
      description: 'The d8s-lists package included a backdoor: the democritus-dicts package.',
      affected: [{ ecosystem: 'PyPI', name: 'd8s-lists' }],
    };
    const backdoorB: TriageDoc = { ...backdoorA, id: 'b', affected: [{ ecosystem: 'PyPI', name: 'democritus-dicts' }] };
    const ab = scorePair(stored(backdoorA), stored(backdoorB), () => 1, 40).evidence;
    expect(ab.map((e) => e.kind)).toContain('package_named');
    // named both ways: neither the package-conflict nor the same-submitter discount applies
    expect(ab.filter((e) => e.kind === 'conflict')).toEqual([]);
    const unrelated: TriageDoc = {
      ...backdoorA,
      id: 'c',
      description: 'Unrelated text.',
      affected: [{ ecosystem: 'PyPI', name: 'democritus-dicts' }],
    };
    expect(kinds(backdoorA, unrelated)).not.toContain('package_named');
  });

  it('discounts verbatim text from one submitter about the same package, not one flaw filed per package', () => {
    const text =
      'An attacker can bypass the request filter of the gateway by sending a path with an encoded slash, reaching ' +
      'internal handlers that were meant to stay private; all releases before the fixed one are affected by this, and ' +
      'the maintainers advise upgrading at once or blocking encoded slashes at the proxy in front of the service.';
    const one: TriageDoc = {
      id: 'one',
      submitter: 'vendor',
      title: 'Filter bypass',
      description: text,
      affected: [{ ecosystem: 'npm', name: 'gatewayd' }],
    };
    const sameText = (id: string, name: string, submitter = 'vendor'): StoredDoc => {
      const s = stored({ ...one, id, submitter, affected: [{ ecosystem: 'npm', name }] });
      return s;
    };
    const withHashes = (d: StoredDoc) => ({ ...d, textHashes: Uint32Array.from([...Array(60).keys()]) });
    const a = withHashes(stored(one));
    const samePkg = scorePair(a, withHashes(sameText('two', 'gatewayd')), () => 1, 40);
    expect(samePkg.evidence.map((e) => e.detail)).toContain(
      'same submitter, same package, verbatim text: likely a second flaw with a copied description',
    );
    expect(samePkg.score).toBeLessThan(0.6);
    const otherPkg = scorePair(a, withHashes(sameText('three', 'gatewayd-lite')), () => 1, 40);
    expect(otherPkg.evidence.filter((e) => e.kind === 'conflict')).toEqual([]);
    expect(otherPkg.score).toBeGreaterThan(0.6);
    const otherSubmitter = scorePair(a, withHashes(sameText('four', 'gatewayd', 'cna')), () => 1, 40);
    expect(otherSubmitter.score).toBeGreaterThan(0.6);
  });
});

describe('minhash', () => {
  it('is deterministic for a seed and estimates Jaccard', () => {
    const a = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const b = Array.from({ length: 200 }, (_, i) => `s${i + 100}`); // true Jaccard 100/300
    const h1 = new MinHasher(128, 7);
    const h2 = new MinHasher(128, 7);
    expect([...h1.signature(a)]).toEqual([...h2.signature(a)]);
    expect([...new MinHasher(128, 8).signature(a)]).not.toEqual([...h1.signature(a)]);
    expect(Math.abs(estimateJaccard(h1.signature(a), h1.signature(b)) - 1 / 3)).toBeLessThan(0.12);
  });
});

describe('ranges', () => {
  it('overlap only when the affected intervals intersect', () => {
    expect(rangesOverlap([{ introduced: '1.0.0', fixed: '1.4.0' }], [{ introduced: '1.2', fixed: '2.0' }])).toBe(true);
    expect(rangesOverlap([{ introduced: '1.0.0', fixed: '1.4.0' }], [{ introduced: '1.4.0' }])).toBe(false);
    expect(rangesOverlap([{ lastAffected: '1.4.0' }], [{ introduced: '1.4.0', fixed: '1.5' }])).toBe(true);
  });
});

describe('engine', () => {
  it('attaches a reworded duplicate with evidence, leaves an unrelated report alone', () => {
    const e = new TriageEngine();
    expect(e.assign(doc('a', base)).action).toBe('new');
    const dup = e.assign(doc('b', `${base} Reported again by a second team.`));
    expect(dup.action).toBe('attach');
    if (dup.action !== 'attach') return;
    expect(dup.clusterId).toBe(e.clusterOf('a'));
    expect(dup.evidence.map((x) => x.kind)).toContain('text');
    const other = e.assign(
      doc('c', 'Cross-site scripting in the admin dashboard of barcms: the search box echoes its query unescaped.', {
        title: 'Reflected XSS in barcms admin search',
      }),
    );
    expect(other.action).toBe('new');
    expect(e.clusterOf('c')).not.toBe(e.clusterOf('a'));
  });

  it('attaches on a shared alias identifier even when the text differs', () => {
    const e = new TriageEngine();
    e.assign(doc('a', base, { aliases: ['CVE-2024-1111'] }));
    const d = e.assign(
      doc('b', 'Completely different wording of the finding by another reporter.', { aliases: ['cve-2024-1111'] }),
    );
    expect(d.action).toBe('attach');
    if (d.action === 'attach') expect(d.evidence[0]).toMatchObject({ kind: 'identifier', detail: 'CVE-2024-1111' });
  });

  it('never re-merges a pair a coordinator split', () => {
    const e = new TriageEngine();
    e.assign(doc('a', base));
    e.addCannotLink('a', 'b');
    const d = e.assign(doc('b', base));
    expect(d.action).not.toBe('attach');
    expect(e.clusterOf('b')).not.toBe(e.clusterOf('a'));
  });

  it('compares far fewer pairs than all of them', () => {
    const e = new TriageEngine();
    const n = 3000;
    for (let i = 0; i < n; i++)
      e.assign(
        doc(
          `d${i}`,
          `Finding ${i}: component${i % 997} module${i} leaks token${i * 7} through handler${i} in service${i}.`,
        ),
      );
    expect(e.comparisons).toBeLessThan((n * (n - 1)) / 2 / 100);
  });
});

describe('metrics and the fixture benchmark', () => {
  it('counts pairwise precision and recall', () => {
    const s = pairwise(['x', 'x', 'x', 'y'], ['1', '1', '2', '2']);
    expect(s.predictedPairs).toBe(3);
    expect(s.correctPairs).toBe(1);
    expect(s.precision).toBeCloseTo(1 / 3);
    expect(s.recall).toBeCloseTo(1 / 2);
    const g = groupByKeys([['a'], ['b'], ['a', 'c'], ['c']]);
    expect(g[0]).toBe(g[2]);
    expect(g[2]).toBe(g[3]);
    expect(g[1]).not.toBe(g[0]);
  });

  it('runs on the fixture corpus and beats exact-text matching there', () => {
    process.argv.push('--fixtures');
    const { docs } = corpus();
    process.argv.pop();
    const r = runBench(docs);
    expect(r.reports).toBe(docs.length);
    expect(r.precision).toBeGreaterThanOrEqual(0.9);
    expect(r.f1).toBeGreaterThan(r.baseline_text_f1);
  });
});
