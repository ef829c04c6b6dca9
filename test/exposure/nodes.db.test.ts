/**
 * Two nodes on one PostgreSQL database (two runtimes with their own pools, buses and indexes, as two server processes
 * have): an SBOM uploaded on one and an advisory published, updated and withdrawn on the other reach both indexes over
 * the change bus, and each node's index agrees with the stored findings. On SQLite there is one node: nothing to do.
 * (test/notify/two-servers.db.test.ts runs the same path with two real `serve` processes.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { openDb } from '../../src/db/connect.js';
import { buildApp } from '../../src/http/app.js';
import { openRuntime, type Runtime } from '../../src/main.js';
import { MODULES } from '../../src/modules.js';
import { describeBackends, PG_URL } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { waitFor } from '../notify/wait.js';
import { advisoryBody, cdx, publish, upload } from './helpers.js';

describeBackends('exposure: two nodes keep their indexes current', (backend) => {
  if (backend !== 'postgres') {
    it('SQLite runs one node', () => {
      expect(backend).toBe('sqlite');
    });
    return;
  }
  let a: TestApp;
  let b: Runtime;
  let org: TestOrg;
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    a = await startTestApp(backend);
    const dbB = openDb(PG_URL, { schema: a.db.schema, poolSize: 2 });
    b = await openRuntime({ ...a.runtime.services.config } as Config, { db: dbB });
    for (const s of [a.services, b.services]) {
      await s.bus.start();
      await s.exposure.ensureLoaded();
      const stop = MODULES.find((m) => m.name === 'exposure')?.start?.(s);
      if (stop) stops.push(stop);
    }
    org = await a.org('Two Node Operator', 'infrastructure_operator', 'energy');
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await a.services.bus.stop();
    await b.services.bus.stop();
    await b.close();
    await a.close();
  });

  it('an upload on A reaches B; an advisory change on B reaches A; both agree with the database', async () => {
    const up = await upload(a, org, 'edge', cdx(['pkg:npm/two-node-lib@1.0.0']));
    expect(up.status, up.raw).toBe(201);
    const assetId = (up.body as { inventory: { id: string } }).inventory.id;
    await waitFor(() => [...b.services.exposure.index.assetInventories().values()].includes(assetId), 'asset on B');

    // Publish on node B (its services, its transaction): B stores the finding; A's index learns the advisory.
    const appB = await buildApp(b.services);
    const res = await appB.inject({
      method: 'POST',
      url: '/api/v1/advisories',
      headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify(
        advisoryBody({
          summary: 'Flaw in two-node-lib',
          affected: [{ package: { ecosystem: 'npm', name: 'two-node-lib' }, versions: ['1.0.0'] }],
        }),
      ),
    });
    await appB.close();
    expect(res.statusCode, res.body).toBe(201);
    const adv = JSON.parse(res.body) as { id: string };
    await waitFor(() => a.services.exposure.index.advisory(adv.id) !== undefined, 'advisory on A');
    const seen = await a.req<{ items: { advisoryId: string }[] }>('GET', '/api/v1/findings', { token: org.token });
    expect(seen.body.items.map((f) => f.advisoryId)).toEqual([adv.id]);
    const desired = (i: TestApp['services']['exposure']) =>
      [...i.index.assetInventories().keys()].flatMap((id) => i.index.desired(id).map((d) => d.advisoryIds.join()));
    expect(desired(a.services.exposure)).toEqual([adv.id]);
    expect(desired(b.services.exposure)).toEqual([adv.id]);

    // Withdrawn on A: B's index drops it too.
    const w = await a.req('POST', `/api/v1/advisories/${adv.id}/withdraw`, {
      token: a.adminToken,
      body: { reason: 'duplicate' },
    });
    expect(w.status).toBe(200);
    await waitFor(() => b.services.exposure.index.advisory(adv.id)?.withdrawn === true, 'withdrawal on B');
    expect(desired(b.services.exposure)).toEqual([]);
    expect(await publish(a, advisoryBody({ summary: 'Unrelated flaw elsewhere' }))).toMatch(/^CH-/);
  });
});
