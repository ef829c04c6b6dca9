/**
 * Server-side request forgery guard for webhook URLs. A subscriber chooses the URL, and the server makes the request
 * from inside the operator's network, so by default every address that is not a public unicast address is refused:
 * loopback, private (RFC 1918, unique local), link-local (incl. cloud metadata 169.254.169.254), carrier-grade NAT,
 * documentation, benchmarking, multicast, reserved, and IPv6 forms that embed such an IPv4 address.
 * The check runs when a subscription is saved (literal addresses and the host's DNS answers) and again at every
 * delivery, inside the socket's DNS lookup, so the address that is checked is the address that is connected to
 * (a DNS answer that changes after the check cannot slip through).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** The IPv4 address embedded in an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::/96) address. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** True when the address is not a public unicast address. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true;
}

/** A URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Why this webhook URL is refused, or null when it may be used. Checks the form always; with allowPrivate false also
 * the literal address, `localhost` names and what the host name resolves to now.
 */
export async function refuseUrl(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs are allowed';
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (allowPrivate) return null;
  const host = hostOf(url).toLowerCase();
  if (isIP(host)) return isBlockedAddress(host) ? `${host} is a private, loopback or reserved address` : null;
  if (host === 'localhost' || host.endsWith('.localhost')) return 'localhost is not allowed';
  let answers: LookupAddress[];
  try {
    answers = await dnsLookupAsync(host, { all: true, verbatim: true });
  } catch {
    return `${host} does not resolve`;
  }
  const bad = answers.find((a) => isBlockedAddress(a.address));
  return bad ? `${host} resolves to ${bad.address}, a private, loopback or reserved address` : null;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup replacement for http.request that refuses blocked addresses (used when allowPrivate is false). */
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number }, cb: LookupCallback): void {
  const opts: LookupAllOptions = { all: true, verbatim: true, ...(options.family ? { family: options.family } : {}) };
  dnsLookup(hostname, opts, (err, addresses) => {
    if (err) return cb(err, []);
    const bad = addresses.find((a) => isBlockedAddress(a.address));
    if (bad) {
      const e: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${bad.address}, a private, loopback or reserved address`,
      );
      e.code = 'EADDRBLOCKED';
      return cb(e, []);
    }
    const first = addresses[0];
    if (!first) return cb(Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND' }), []);
    if (options.all) return cb(null, addresses);
    cb(null, first.address, first.family);
  });
}
