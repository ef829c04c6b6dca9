/**
 * The batch write path of ImportService (stored state and KEV facts read once per batch): it gives the outcomes the
 * record-by-record path gives, also when one source key occurs twice in a batch, and applies stored KEV facts.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../../../test/backends.js';
import { startTestApp, type TestApp } from '../../../test/harness.js';
import type { Caller } from '../../participants/principal.js';
import type { InputRecord } from './import.service.js';

const SAMPLE = resolve(import.meta.dirname, '../../../fixtures/osv/valid-sample.jsonl');
const records = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown> & { id: string; modified: string; aliases?: string[] });

describeBackends('import batches', (backend) => {
  let t: TestApp;
  let caller: Caller;
  beforeAll(async () => {
    t = await startTestApp(backend);
    caller = await t.services.participants.authenticate(t.adminToken);
  });
  afterAll(async () => t?.close());

  const run = (recs: Record<string, unknown>[]) =>
    t.services.imports.importRecords(
      caller,
      'osv',
      recs.map((value, i): InputRecord => ({ ref: `r${i}`, value })),
    );
  const stored = async (upstreamId: string) => {
    const rows = await t.services.db.kysely
      .selectFrom('advisories')
      .select(['document', 'version'])
      .where('source_key', '=', `osv:${upstreamId}`)
      .execute();
    expect(rows).toHaveLength(1);
    return { ...(JSON.parse(rows[0]!.document) as { modified: string; kev: unknown }), version: rows[0]!.version };
  };

  it('created, then unchanged, then updated only where modified or withdrawn moved', async () => {
    const few = records.slice(0, 6);
    expect(await run(few)).toMatchObject({ records: 6, created: 6, unchanged: 0, updated: 0 });
    const next = few.map((r, i) =>
      i === 1 ? { ...r, modified: '2030-01-01T00:00:00Z' } : i === 2 ? { ...r, withdrawn: '2030-01-02T00:00:00Z' } : r,
    );
    expect(await run(next)).toMatchObject({ records: 6, created: 0, unchanged: 4, updated: 2 });
    expect((await stored(few[1]!.id)).modified).toBe('2030-01-01T00:00:00Z');
    expect(await run(next)).toMatchObject({ created: 0, unchanged: 6, updated: 0 });
  });

  it('one source key twice in a batch: applied in order, as record by record', async () => {
    const r = records[10]!;
    await run([r]);
    const before = (await stored(r.id)).modified;
    const newer = { ...r, modified: '2031-05-05T00:00:00Z' };
    // stored = r; the batch moves it to newer, then back to r's modified: both are updates, the last one wins.
    expect(await run([newer, r])).toMatchObject({ records: 2, created: 0, updated: 2, unchanged: 0 });
    const last = await stored(r.id);
    expect(last.modified).toBe(before);
    expect(last.version).toBe(3);
  });

  it('stored KEV facts reach the records of a batch that carry the CVE', async () => {
    // Records 6..11 are not used above; 8 carries a CVE alias.
    const withCve = records[8]!;
    const cve = withCve.aliases!.find((a) => /^CVE-/.test(a))!;
    const facts = {
      cveId: cve,
      dateAdded: '2024-01-02',
      dueDate: '2024-01-23',
      knownRansomwareCampaignUse: 'Unknown',
      requiredAction: 'Apply the update.',
    };
    await t.services.db.kysely
      .insertInto('kev_entries')
      .values({
        cve_id: cve,
        facts: JSON.stringify(facts),
        date_added: facts.dateAdded,
        imported_at: '2024-01-02T00:00:00Z',
      })
      .execute();
    const others = [records[7]!, records[9]!, records[11]!];
    expect(await run([...others, withCve])).toMatchObject({ created: 4 });
    expect((await stored(withCve.id)).kev).toEqual(facts);
    for (const o of others) expect((await stored(o.id)).kev).toBeNull();
  });
});
