/**
 * Retention of review data: after a window ends (closed, expired, or withdrawn under `keep`), its runs' per-sample
 * results, its findings and its gateway log stay until the terms' retention period has passed, and are then purged by
 * the review scheduler (fake timers drive its interval; the clock is injected), audited once. A withdrawal under
 * `purge` terms purges at once and leaves nothing for the sweep.
 */
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 });

import { startReviewScheduler } from '../../src/reviews/windows/scheduler.js';
import { describeBackends } from '../backends.js';
import { findingBody, type Live, personaWindow, runAndWait, startLive } from './runs-fixture.js';
import { DAY } from './window-fixtures.js';

describeBackends('review data retention', (backend) => {
  let live: Live;
  let now = Date.now();
  beforeAll(async () => {
    live = await startLive(backend, { clock: () => new Date(now) });
  }, 180_000);
  afterAll(() => live?.close(), 60_000);
  afterEach(() => vi.useRealTimers());

  const db = () => live.t.services.db.kysely;
  const audit = async (objectId: string, action: string) =>
    (await live.t.services.audit.list({ objectId, action, limit: 20 })).map(
      (e) => JSON.parse(e.details) as Record<string, unknown>,
    );
  /** What the window still holds: per-sample results, run records with content, findings, gateway log rows. */
  const held = async (windowId: string) => {
    const runs = await db()
      .selectFrom('review_runs')
      .select(['id', 'record'])
      .where('window_id', '=', windowId)
      .execute();
    const samples = runs.length
      ? await db()
          .selectFrom('review_samples')
          .select('run_id')
          .where(
            'run_id',
            'in',
            runs.map((r) => r.id),
          )
          .execute()
      : [];
    const findings = await db().selectFrom('review_findings').select('id').where('window_id', '=', windowId).execute();
    const log = await live.t.req<{ items: unknown[] }>('GET', `/api/v1/reviews/windows/${windowId}/gateway-log`, {
      token: live.w.dev.token,
    });
    expect(log.status, log.raw).toBe(200);
    return {
      samples: samples.length,
      records: runs.filter((r) => r.record !== null).length,
      findings: findings.length,
      gatewayLog: log.body.items.length,
    };
  };

  /** An open window with a finished run (2 samples, through the gateway) and a finding. */
  async function windowWithData(terms: Record<string, unknown>) {
    const win = await personaWindow(live, 'oracle', { terms });
    const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge', limit: 2 });
    expect(run!.status, String(run!.error)).toBe('success');
    const f = await live.t.req('POST', `${win.base}/findings`, {
      token: live.w.agency.token,
      body: findingBody(run!.id, { title: 'A finding kept for the retention period' }),
    });
    expect(f.status, f.raw).toBe(201);
    const h = await held(win.id);
    expect(h).toMatchObject({ samples: 2, records: 1, findings: 1 });
    expect(h.gatewayLog).toBeGreaterThanOrEqual(2);
    return win;
  }

  it('closed under keep: data is there the day before the retention period ends and gone the day after (fake timers)', async () => {
    const start = Date.now();
    now = start;
    const win = await windowWithData({ retentionDays: 10, onWithdrawal: 'keep' });
    // A second window with a longer retention, ended at the same time: it must stay.
    const longer = await windowWithData({ retentionDays: 30, onWithdrawal: 'keep' });
    for (const w of [win, longer])
      expect((await live.t.req('POST', `${w.base}/close`, { token: live.w.dev.token })).status).toBe(200);
    const before = await held(win.id);

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const scheduler = startReviewScheduler(live.t.services.reviews, () => new Date(now), { intervalMs: 3_600_000 });
    const passes = async (n: number) => {
      // Only the scheduler's own interval acts; each hour of fake time is one pass (a pass still running is skipped,
      // so wait for the audit or the data to settle through `vi.waitFor` where a change is expected).
      for (let i = 0; i < n; i++) await vi.advanceTimersByTimeAsync(3_600_000);
    };
    try {
      now = start + 9 * DAY; // the day before the 10 days have passed
      await passes(3);
      expect(await held(win.id)).toEqual(before);
      expect(await audit(win.id, 'review_window.retention_purge')).toEqual([]);

      now = start + 11 * DAY; // the day after
      await vi.waitFor(
        async () => {
          await passes(1);
          expect(await audit(win.id, 'review_window.retention_purge')).toHaveLength(1);
        },
        { timeout: 20_000, interval: 20 },
      );
      expect(await held(win.id)).toEqual({ samples: 0, records: 0, findings: 0, gatewayLog: 0 });
      const [entry] = await audit(win.id, 'review_window.retention_purge');
      expect(entry).toMatchObject({
        state: 'closed',
        retentionDays: 10,
        effects: ['purge_data', 'retention_expired'],
        gatewayLogPurged: before.gatewayLog,
      });
      // The runs and findings were purged through the same listeners as a withdrawal under `purge`, each audited.
      expect(await audit(win.id, 'review_run.purge')).toEqual([expect.objectContaining({ runs: 1, samples: 2 })]);
      expect(await audit(win.id, 'review_finding.purge')).toEqual([expect.objectContaining({ findings: 1 })]);
      const view = await live.t.req<{ dataPurgedAt: string | null; state: string }>('GET', win.base, {
        token: live.w.dev.token,
      });
      expect(view.body).toMatchObject({ state: 'closed', dataPurgedAt: new Date(now).toISOString() });

      // The window with 30 days of retention is untouched; more passes purge nothing twice.
      await passes(3);
      expect(await held(longer.id)).toMatchObject({ samples: 2, records: 1, findings: 1 });
      expect(await audit(longer.id, 'review_window.retention_purge')).toEqual([]);
      expect(await audit(win.id, 'review_window.retention_purge')).toHaveLength(1);
      expect(await audit(win.id, 'review_run.purge')).toHaveLength(1);
    } finally {
      scheduler.stop();
      now = Date.now();
    }
  });

  it('withdrawn under keep is kept for the period; under purge it is purged at once and the sweep leaves it alone', async () => {
    const start = Date.now();
    now = start;
    const kept = await windowWithData({ retentionDays: 5, onWithdrawal: 'keep' });
    const purged = await windowWithData({ retentionDays: 5, onWithdrawal: 'purge' });
    for (const w of [kept, purged])
      expect((await live.t.req('POST', `${w.base}/withdraw`, { token: live.w.dev.token })).status).toBe(200);
    expect(await held(kept.id)).toMatchObject({ samples: 2, records: 1, findings: 1 });
    expect(await held(purged.id)).toEqual({ samples: 0, records: 0, findings: 0, gatewayLog: 0 });
    const purgedView = await live.t.req<{ dataPurgedAt: string | null }>('GET', purged.base, {
      token: live.w.dev.token,
    });
    expect(purgedView.body.dataPurgedAt).toBe(new Date(start).toISOString());

    const scheduler = startReviewScheduler(live.t.services.reviews, () => new Date(now), { intervalMs: 3_600_000 });
    try {
      now = start + 4 * DAY;
      await scheduler.tick();
      expect(await held(kept.id)).toMatchObject({ samples: 2, records: 1, findings: 1 });
      now = start + 6 * DAY;
      await scheduler.tick();
      expect(await held(kept.id)).toEqual({ samples: 0, records: 0, findings: 0, gatewayLog: 0 });
      expect(await audit(kept.id, 'review_window.retention_purge')).toEqual([
        expect.objectContaining({ state: 'withdrawn', retentionDays: 5 }),
      ]);
      // Purged at withdrawal: one purge of runs (then), none by retention.
      expect(await audit(purged.id, 'review_window.retention_purge')).toEqual([]);
      expect(await audit(purged.id, 'review_run.purge')).toHaveLength(1);
    } finally {
      scheduler.stop();
      now = Date.now();
    }
  });
});
