/**
 * One HTTP POST of a webhook body. No redirects are followed (a redirect could point inside the network); the response
 * body is read up to 64 KiB and dropped; every outcome is a result, never a throw.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, hostOf, isBlockedAddress } from './address-guard.js';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

export type Sender = (
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: SendOptions,
) => Promise<SendResult>;

const MAX_RESPONSE_BYTES = 64 * 1024;

export const sendWebhook: Sender = (rawUrl, headers, body, opts) => {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): SendResult => ({
    ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    latencyMs: Math.round(performance.now() - started),
    error,
  });
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.resolve(done(null, 'not a valid URL'));
  }
  const host = hostOf(url);
  if (!opts.allowPrivate && isIP(host) && isBlockedAddress(host))
    return Promise.resolve(done(null, `${host} is a private, loopback or reserved address`));
  const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!lib) return Promise.resolve(done(null, 'only http and https URLs are allowed'));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup as never }),
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const status = res.statusCode ?? null;
        const end = () =>
          finish(done(status, status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}`));
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(done(null, `no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (e) => finish(done(null, e.message || String(e))));
    req.end(body);
  });
};
