/**
 * The developer's endpoint is called from inside the operator's network, so an offer may not point the gateway at
 * addresses that are never a model endpoint: link-local (cloud metadata at 169.254.169.254), unspecified, multicast
 * and broadcast. Loopback and private addresses stay allowed, for endpoints run inside the operator's own network.
 * Checked when an endpoint is offered or changed: the literal address and what the host name resolves to then.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../errors.js';

const never = new BlockList();
never.addSubnet('0.0.0.0', 8, 'ipv4');
never.addSubnet('169.254.0.0', 16, 'ipv4');
never.addSubnet('224.0.0.0', 4, 'ipv4');
never.addSubnet('240.0.0.0', 4, 'ipv4');
never.addAddress('::', 'ipv6');
never.addSubnet('fe80::', 10, 'ipv6');
never.addSubnet('ff00::', 8, 'ipv6');

export function isNeverEndpoint(address: string): boolean {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return never.check(v4, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return never.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Throws a validation error naming `path` when the URL's host is, or resolves to, such an address. */
export async function checkEndpoint(raw: string, path = 'endpoint.baseUrl'): Promise<void> {
  const url = new URL(raw);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw AppError.validation([{ path, message: `the host ${host} does not resolve` }]);
    }
  }
  const bad = addresses.find(isNeverEndpoint);
  if (bad)
    throw AppError.validation([{ path, message: `the host resolves to ${bad}, which is never a model endpoint` }]);
}
