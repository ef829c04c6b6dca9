/**
 * Who sees exposure data: an organisation sees its own assets, inventories and findings and nobody else's; a
 * coordinator sees every organisation's on request and, by default, aggregates by sector without component lists;
 * anonymous callers get 401 everywhere; the export bundle carries the organisation's assets, SBOM history and findings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp, type TestOrg } from '../harness.js';
import { advisoryBody, cdx, findings, publish, upload } from './helpers.js';

describeBackends('exposure: access', (backend) => {
  let t: TestApp;
  let a: TestOrg;
  let b: TestOrg;
  let advisory: string;
  beforeAll(async () => {
    t = await startTestApp(backend);
    a = await t.org('Bank Alpha', 'infrastructure_operator', 'financial_services');
    b = await t.org('Utility Beta', 'infrastructure_operator', 'energy');
    advisory = await publish(
      t,
      advisoryBody({
        summary: 'Remote code execution in left-padder',
        cvssVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      }),
    );
    expect(
      (await upload(t, a, 'alpha-secret-host', cdx(['pkg:npm/left-padder@1.0.0', 'pkg:npm/alpha-only@3.0.0']))).status,
    ).toBe(201);
    expect((await upload(t, b, 'beta-host', cdx(['pkg:npm/left-padder@0.1.0']))).status).toBe(201);
  });
  afterAll(() => t.close());

  it("organisation B never sees A's assets, inventories or findings", async () => {
    const fb = await findings(t, b.token);
    expect(fb).toHaveLength(1);
    expect(JSON.stringify(fb)).not.toContain('alpha');
    const fa = await findings(t, a.token);
    expect(fa).toHaveLength(1);
    expect((await t.req('GET', `/api/v1/findings/${fa[0]!.id}`, { token: b.token })).status).toBe(404);
    expect((await t.req('GET', `/api/v1/findings?org=${a.orgId}`, { token: b.token })).status).toBe(403);
    expect((await t.req('GET', '/api/v1/assets/alpha-secret-host', { token: b.token })).status).toBe(404);
    const assets = await t.req<{ items: { name: string }[] }>('GET', '/api/v1/assets', { token: b.token });
    expect(assets.body.items.map((x) => x.name)).toEqual(['beta-host']);
    expect((await t.req('GET', '/api/v1/assets?org=*', { token: b.token })).status).toBe(403);
    const summary = await t.req('GET', '/api/v1/exposure', { token: b.token });
    expect(summary.status).toBe(200);
    expect(JSON.stringify(summary.body)).not.toContain('alpha');
    expect((await t.req('GET', `/api/v1/exposure?org=${a.orgId}`, { token: b.token })).status).toBe(403);
  });

  it('a viewer of the same organisation reads them', async () => {
    const viewer = await t.member(a, 'viewer');
    expect((await findings(t, viewer.token)).map((f) => f.asset.name)).toEqual(['alpha-secret-host']);
  });

  it('anonymous callers get 401 on every exposure route', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/assets'],
      ['GET', '/api/v1/assets/alpha-secret-host'],
      ['PUT', '/api/v1/assets/alpha-secret-host'],
      ['GET', '/api/v1/findings'],
      ['GET', '/api/v1/findings/anything'],
      ['GET', '/api/v1/exposure'],
    ] as const) {
      const res = await t.req(method, url, method === 'PUT' ? { body: { criticality: 'high' } } : {});
      expect(res.status, `${method} ${url}`).toBe(401);
    }
    expect((await upload(t, '', 'alpha-secret-host', cdx([]))).status).toBe(401);
  });

  it('the organisation summary counts by priority with the top findings', async () => {
    const s = await t.req<{
      scope: string;
      open: number;
      byPriority: Record<string, number>;
      top: { component: { name: string } }[];
    }>('GET', '/api/v1/exposure', { token: a.token });
    expect(s.status).toBe(200);
    expect(s.body.scope).toBe('organisation');
    expect(s.body.open).toBe(1);
    expect(Object.values(s.body.byPriority).reduce((x, y) => x + y, 0)).toBe(1);
    expect(s.body.top.map((f) => f.component.name)).toEqual(['left-padder']);
  });

  it('coordinators: aggregates by sector without component lists; one organisation in full on request', async () => {
    const s = await t.req<{ scope: string; sectors: { sector: string; organisations: number; open: number }[] }>(
      'GET',
      '/api/v1/exposure',
      { token: t.adminToken },
    );
    expect(s.status).toBe(200);
    expect(s.body.scope).toBe('sectors');
    expect(s.body.sectors.map((x) => [x.sector, x.organisations, x.open])).toEqual([
      ['energy', 1, 1],
      ['financial_services', 1, 1],
    ]);
    expect(s.raw).not.toContain('left-padder');
    expect(s.raw).not.toContain('alpha-secret-host');
    const one = await t.req<{ top: unknown[] }>('GET', `/api/v1/exposure?org=${a.orgId}`, { token: t.adminToken });
    expect(one.status).toBe(200);
    expect(one.raw).toContain('alpha-secret-host');
    const all = await findings(t, t.adminToken);
    expect(all).toHaveLength(2);
  });

  it('a not_affected VEX statement takes the finding out of status=open and the open counts (still listed under all)', async () => {
    await upload(t, a, 'vex-host', cdx(['pkg:npm/left-padder@0.5.0']));
    const [f] = await findings(t, a.token, 'asset=vex-host&status=open');
    const openBefore = (await t.req<{ open: number }>('GET', '/api/v1/exposure', { token: a.token })).body.open;
    const vex = await t.req('POST', `/api/v1/findings/${f!.id}/vex`, {
      token: a.token,
      body: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
    });
    expect(vex.status, vex.raw).toBe(201);
    expect(await findings(t, a.token, 'asset=vex-host&status=open')).toEqual([]);
    expect((await findings(t, a.token, 'asset=vex-host&status=all')).map((x) => x.id)).toEqual([f!.id]);
    expect((await t.req<{ open: number }>('GET', '/api/v1/exposure', { token: a.token })).body.open).toBe(
      openBefore - 1,
    );
  });

  it("the organisation's export bundle has its assets, SBOM history and findings, and nothing of others", async () => {
    await upload(t, a, 'alpha-secret-host', cdx(['pkg:npm/left-padder@1.0.1']));
    const res = await t.req<Record<string, unknown[]>>('GET', `/api/v1/organisations/${a.orgId}/export`, {
      token: a.token,
    });
    expect(res.status, res.raw).toBe(200);
    expect(res.body.exposureAssets!.map((x) => (x as { name: string }).name).sort()).toEqual([
      'alpha-secret-host',
      'vex-host',
    ]);
    expect(res.body.exposureInventories).toHaveLength(3);
    expect(String((res.body.exposureInventories![0] as { document: string }).document)).toContain('alpha-only');
    expect(res.body.exposureFindings!.map((f) => (f as { advisory_ids: string[] }).advisory_ids)).toEqual([
      [advisory],
      [advisory],
    ]);
    expect(res.raw).not.toContain('beta-host');
  });
});
