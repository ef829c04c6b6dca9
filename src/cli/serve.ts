/** `clearinghouse serve [--demo]`: migrate, bootstrap, optionally seed the demo, listen. */
import { loadConfig } from '../config.js';
import { isEmptyForDemo, seedDemo } from '../demo/seed.js';
import { createHttpApp, openRuntime } from '../main.js';
import { MODULES } from '../modules.js';
import { seedDemoSignIns } from '../portal/demo.js';

export async function serveCommand(opts: {
  demo?: boolean;
  host?: string;
  port?: number;
  database?: string;
}): Promise<void> {
  const config = loadConfig(process.env, { database: opts.database, host: opts.host, port: opts.port });
  const runtime = await openRuntime(config);
  const s = runtime.services;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`clearinghouse: database ${s.db.location}`);
  if (runtime.bootstrapSecret)
    out(`First start: coordinator admin token (shown once, keep it safe):\n  ${runtime.bootstrapSecret}`);
  if (opts.demo) {
    if (await isEmptyForDemo(s)) {
      const tokens = await seedDemo(s, await s.participants.consolePrincipal());
      out('');
      out('*** DEMO DATA: organisations named "Demo ..." with real public advisories; not for production ***');
      out('Sign-in tokens for the demo organisations (Authorization: Bearer TOKEN):');
      for (const t of tokens) out(`  ${t.organisation.padEnd(28)} ${t.kind.padEnd(24)} ${t.token}`);
      out('Browser sign-ins for the demo (demo passwords, made now; open the address below):');
      for (const d of await seedDemoSignIns(s))
        out(`  ${d.organisation.padEnd(28)} ${d.kind.padEnd(24)} ${d.email.padEnd(28)} ${d.password}`);
      out('');
    } else out('clearinghouse: --demo: the database is not empty, no demo data added');
  }
  const app = await createHttpApp(runtime, { logger: true });
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops) await stop();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  const address = await app.listen({ host: config.host, port: config.port });
  for (const m of MODULES) {
    const stop = m.start?.(s);
    if (stop) stops.push(stop);
  }
  out(`clearinghouse: serving on ${address} (API ${address}/api/v1, reference ${address}/api/v1/docs)`);
}
