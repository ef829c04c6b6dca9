/**
 * A real clearinghouse for the browser tests: a temporary SQLite file, the demo data, a browser password for each
 * demo organisation's admin, the built web app, listening on 127.0.0.1 on a free port.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { seedDemo } from '../../src/demo/seed.js';
import { buildApp } from '../../src/http/app.js';
import { openRuntime, type Runtime } from '../../src/main.js';
import { projectRoot } from '../../src/paths.js';
import { seedDemoSignIns } from '../../src/portal/demo.js';
import { webRoot } from '../../src/portal/static.js';
import { personas } from '../reviews/runs-fixture.js';
import { type ScriptedModelServer, startScriptedModel } from '../scripted-model/server.js';

export interface PortalServer {
  url: string;
  runtime: Runtime;
  app: FastifyInstance;
  /** Demo API tokens by organisation kind (operators: "infrastructure_operator:<sector>"). */
  tokens: Record<string, { token: string; orgId: string; organisation: string }>;
  /** Demo sign-ins by email. */
  passwords: Record<string, string>;
  api<T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown): Promise<T>;
  /** A scripted OpenAI-compatible model server (personas of test/scripted-model) a review window can point at. */
  model: ScriptedModelServer;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** Builds web/ into dist/web unless the build is newer than every source file. */
export function ensureWebBuilt(): void {
  const root = projectRoot();
  const index = join(webRoot(), 'index.html');
  const sources = Math.max(
    newest(join(root, 'web', 'src')),
    newest(join(root, 'web', 'index.html')),
    newest(join(root, 'web', 'vite.config.ts')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'],
    {
      cwd: root,
      stdio: 'pipe',
    },
  );
}

export async function startPortalServer(): Promise<PortalServer> {
  ensureWebBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'portal-test-'));
  const model = await startScriptedModel(personas());
  // The review runner reaches the gateway over HTTP at the base URL, so the port is chosen before the server starts.
  const port = await freePort();
  const config = {
    ...loadConfig({
      CLEARINGHOUSE_LOG_LEVEL: 'silent',
      CLEARINGHOUSE_RATE_LIMIT_PER_MINUTE: '100000',
    }),
    databaseUrl: `sqlite:${join(dir, 'portal.db')}`,
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    secretsKey: randomBytes(32).toString('base64'),
    judge: { baseURL: model.baseURL, apiKey: 'judge-key', model: 'judge' },
  };
  // The browser tests' webhook receiver listens on 127.0.0.1.
  config.webhooks = { ...config.webhooks, allowPrivate: true };
  const runtime = await openRuntime(config);
  const s = runtime.services;
  const demo = await seedDemo(s, await s.participants.consolePrincipal());
  const passwords: Record<string, string> = {};
  for (const d of await seedDemoSignIns(s)) passwords[d.email] = d.password;
  const tokens: PortalServer['tokens'] = {};
  for (const t of demo) {
    const org = await s.participants.findOrgByName(t.organisation);
    const key = t.kind === 'infrastructure_operator' ? `${t.kind}:${org?.sector}` : t.kind;
    tokens[key] = { token: t.token, orgId: t.orgId, organisation: t.organisation };
  }
  const app = await buildApp(s);
  const address = await app.listen({ host: '127.0.0.1', port });
  s.portal.options.baseUrl = address;
  s.reviewRuns.opts.model = { timeoutMs: 15_000, retry: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 20 } };
  const stopRuns = await s.reviewRuns.resume();
  const api: PortalServer['api'] = async (method, path, token, body) => {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    return (res.body ? JSON.parse(res.body) : null) as never;
  };
  return {
    url: address,
    runtime,
    app,
    tokens,
    passwords,
    api,
    model,
    async close() {
      await stopRuns();
      await model.close();
      app.server.closeAllConnections();
      await app.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
