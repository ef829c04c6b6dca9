/**
 * The CLI speaks to the REST API in both modes, so both take exactly the same path through validation, the access
 * rule and the audit log: against a server (--server URL --token T) with fetch, or on the local database through
 * the in-process app (Fastify inject). Locally, without --token, the CLI acts as the console operator: the first
 * coordinator admin (whoever can open the database file can already do everything).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config.js';
import { buildApp } from '../http/app.js';
import { openRuntime, type Runtime } from '../main.js';

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** A body sent as is (a document upload), not as JSON: its media type. */
export interface RawBody {
  contentType: string;
}

export interface ApiClient {
  /** With `raw`, `body` (string, Buffer or a Readable stream) is sent unchanged with that media type. */
  request(method: string, path: string, body?: unknown, raw?: RawBody): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ClientOptions {
  server?: string;
  token?: string;
  database?: string;
}

export async function connectClient(opts: ClientOptions): Promise<ApiClient> {
  const token = opts.token ?? process.env.CLEARINGHOUSE_TOKEN;
  if (opts.server) return remoteClient(opts.server, token);
  const config = loadConfig(process.env, { database: opts.database });
  const runtime = await openRuntime(config);
  if (runtime.bootstrapSecret)
    process.stderr.write(`First start: coordinator admin token (shown once): ${runtime.bootstrapSecret}\n`);
  const console = token ? null : await runtime.services.participants.consolePrincipal();
  const app = await buildApp(runtime.services, { localCaller: console ?? undefined });
  return localClient(runtime, app, token);
}

function localClient(runtime: Runtime, app: FastifyInstance, token: string | undefined): ApiClient {
  return {
    async request(method, path, body, raw) {
      const res = await app.inject({
        method: method as 'GET',
        url: path,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(raw ? { 'content-type': raw.contentType } : {}),
        },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const text = res.body;
      const type = String(res.headers['content-type'] ?? '');
      return {
        status: res.statusCode,
        body: type.includes('json') && text ? JSON.parse(text) : text,
        headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
      };
    },
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

function remoteClient(server: string, token: string | undefined): ApiClient {
  const base = server.replace(/\/$/, '');
  return {
    async request(method, path, body, raw) {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': raw?.contentType ?? 'application/json' }),
        },
        body:
          body === undefined
            ? undefined
            : raw
              ? body instanceof Readable
                ? (Readable.toWeb(body) as ReadableStream<Uint8Array>)
                : (body as string | Uint8Array)
              : JSON.stringify(body),
        // A streamed body (an upload read from disk as it is sent) needs half-duplex.
        ...(raw && body instanceof Readable ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return {
        status: res.status,
        body: type.includes('json') && text ? JSON.parse(text) : text,
        headers: Object.fromEntries(res.headers.entries()),
      };
    },
    async close() {},
  };
}
