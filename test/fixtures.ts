/**
 * Data builders shared by tests and benches (no test runner imported here, so a bench may use them):
 * - `marking`: a TLP:CLEAR marking owned by one organisation, nothing shared, no embargo; `over` changes the rest
 *   (`clearMarking` of src/access/marking.ts, which the demo seed uses too).
 * - `importPackageAdvisories`: n imported advisories, each affecting its own PyPI package `pkg-<i>` (fixed in 1.0.1),
 *   every third TLP:GREEN and the others CLEAR, written in transactions of `batch`.
 * - `publishOnePerMarking`: one advisory through the API for each kind of marking, to test who sees what.
 * The advisory builders themselves are in src/formats/csaf/testing/samples.ts (`importedAdvisory`, `advisoryDoc`).
 */
import { clearMarking as marking } from '../src/access/marking.js';
import { inTx } from '../src/db/tx.js';
import { importedAdvisory, pypiAffected } from '../src/formats/csaf/testing/samples.js';
import type { Services } from '../src/services.js';
import type { TestApp, TestOrg } from './harness.js';

export { marking };

export async function importPackageAdvisories(
  s: Services,
  owner: { orgId: string; memberId: string | null },
  n: number,
  opts: { prefix: string; summary: string; source: string; batch: number },
): Promise<void> {
  for (let start = 0; start < n; start += opts.batch)
    await inTx(s.db, async (tx) => {
      for (let i = start; i < Math.min(n, start + opts.batch); i++)
        await s.advisories.importDocument(
          tx,
          owner,
          `${opts.prefix.toLowerCase()}:${i}`,
          importedAdvisory({
            aliases: [`${opts.prefix.toUpperCase()}-${i}`],
            summary: `${opts.summary} ${i}`,
            details: 'Details.',
            affected: [pypiAffected(`pkg-${i}`, '1.0.1')],
            source: { name: opts.source },
          }),
          marking(owner.orgId, { authorMemberId: owner.memberId, tlp: i % 3 === 0 ? 'GREEN' : 'CLEAR' }),
        );
    });
}

const FUTURE = '2099-01-01T00:00:00Z';

/**
 * One advisory per kind of marking, published by the coordinators through the API: clear, green, amber and strict
 * (both shared with `partner`), red (naming `partner`'s member), embargoed (CLEAR until 2099). `body` makes the
 * request body from the kind and its marking. Returns the advisory ids by kind.
 */
export async function publishOnePerMarking(
  t: TestApp,
  partner: TestOrg,
  body: (name: string, marking: Record<string, unknown>) => Record<string, unknown>,
): Promise<Record<string, string>> {
  const markings: Record<string, Record<string, unknown>> = {
    clear: { tlp: 'CLEAR' },
    green: { tlp: 'GREEN' },
    amber: { tlp: 'AMBER', sharedWithOrgIds: [partner.orgId] },
    strict: { tlp: 'AMBER+STRICT', sharedWithOrgIds: [partner.orgId] },
    red: { tlp: 'RED', namedMemberIds: [partner.memberId] },
    embargoed: { tlp: 'CLEAR', embargoUntil: FUTURE },
  };
  const ids: Record<string, string> = {};
  for (const [name, m] of Object.entries(markings)) {
    const res = await t.req<{ id: string }>('POST', '/api/v1/advisories', { token: t.adminToken, body: body(name, m) });
    if (res.status !== 201) throw new Error(res.raw);
    ids[name] = res.body.id;
  }
  return ids;
}
