/**
 * The run API end to end on a listening app: start, list, get (scores, usage, comparison with a reference run),
 * samples (transcripts only with the raw-transcript scope), Inspect EvalLog export, cancel; runs cancelled when the
 * window closes or is withdrawn; queued and interrupted runs picked up again after a restart; who must NOT see runs.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

// The machine running the tests may be shared and slow: a run of 20 samples can take a while.
vi.setConfig({ testTimeout: 120_000 });

import { RunService } from '../../src/reviews/runs/run.service.js';
import { describeBackends } from '../backends.js';
import { answerKey, oracle, switchable } from '../scripted-model/personas.js';
import type { Persona } from '../scripted-model/server.js';
import {
  accuracy,
  findingBody,
  type Live,
  personas,
  personaWindow,
  type RunBody,
  runAndWait,
  startLive,
} from './runs-fixture.js';
import { grantBody } from './window-fixtures.js';

const until = async (fn: () => Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describeBackends('review runs API', (backend) => {
  let live: Live;
  // Answers while open; when closed, hangs (a model mid-answer when the process stops or the window ends).
  const gate = switchable(oracle(answerKey()));
  const counting: Persona = (req) => gate(req);
  beforeAll(async () => {
    live = await startLive(backend, { personas: personas({ gated: counting }) });
  }, 180_000);
  afterAll(() => live?.close(), 60_000);

  const get = <T = RunBody>(url: string, token: string | null) => live.t.req<T>('GET', url, { token });
  const audit = async (objectId: string, action: string) => live.t.services.audit.list({ objectId, action, limit: 20 });
  const status = async (base: string, id: string) => (await get(`${base}/runs/${id}`, live.w.agency.token)).body.status;

  it('a reviewer runs a task; scores, usage, samples and an Inspect EvalLog come back; the developer sees scores only', async () => {
    const win = await personaWindow(live, 'oracle');
    const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge', limit: 5, epochs: 2 });
    expect(run).toMatchObject({ status: 'success', task: 'cyber-knowledge', epochs: 2, limit: 5, attempts: 1 });
    expect(accuracy(run!)).toBe(1);
    expect((run!.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
    expect(run!.progress).toEqual({ samples: 10, done: 10, errored: 0 });

    const list = await get<{ items: RunBody[] }>(`${win.base}/runs`, live.w.agency.token);
    expect(list.body.items.map((r) => r.id)).toEqual([run!.id]);

    const raw = await get<{ transcripts: boolean; items: Array<{ messages?: unknown[]; sampleId: string }> }>(
      `${win.base}/runs/${run!.id}/samples`,
      live.w.agency.token,
    );
    expect(raw.body.transcripts).toBe(true);
    expect(raw.body.items).toHaveLength(10);
    expect(raw.body.items[0]!.messages!.length).toBeGreaterThanOrEqual(2);

    const log = await get<Record<string, unknown> & { samples?: unknown[]; results: { total_samples: number } }>(
      `${win.base}/runs/${run!.id}/evallog`,
      live.w.agency.token,
    );
    expect(log.body).toMatchObject({
      version: 2,
      status: 'success',
      eval: { task: 'cyber-knowledge', run_id: run!.id },
    });
    expect(log.body.samples).toHaveLength(10);
    expect(log.body.results.total_samples).toBe(10);

    // The developer: results yes, transcripts no (no raw-transcript scope), EvalLog without samples.
    const dev = live.w.dev.token;
    expect((await get(`${win.base}/runs/${run!.id}`, dev)).body.results[0]?.metrics.accuracy.value).toBe(1);
    const devSamples = await get<{ transcripts: boolean; items: Record<string, unknown>[] }>(
      `${win.base}/runs/${run!.id}/samples`,
      dev,
    );
    expect(devSamples.body.transcripts).toBe(false);
    expect(devSamples.body.items).toHaveLength(10);
    for (const s of devSamples.body.items) {
      expect(s).not.toHaveProperty('messages');
      expect(s).not.toHaveProperty('output');
      expect(s).not.toHaveProperty('input');
      expect(s.scores).toEqual({ choice: 'C' });
    }
    expect(JSON.stringify(devSamples.body)).not.toContain('ANSWER:');
    const devLog = await get<Record<string, unknown>>(`${win.base}/runs/${run!.id}/evallog`, dev);
    expect(devLog.status).toBe(200);
    expect(devLog.body).not.toHaveProperty('samples');
    expect(JSON.stringify(devLog.body)).not.toContain('ANSWER:');

    // A reviewer whose grant is aggregates-only sees scores, not transcripts.
    const g2 = await live.t.req<{ id: string }>('POST', `${win.base}/grants`, {
      token: dev,
      body: grantBody(live.w.otherAgency.orgId, {
        rawTranscripts: false,
        budget: { requests: 10, tokens: 10_000, seconds: 60 },
      }),
    });
    expect(g2.status, g2.raw).toBe(201);
    const agg = await get<{ transcripts: boolean; items: Record<string, unknown>[] }>(
      `${win.base}/runs/${run!.id}/samples`,
      live.w.otherAgency.token,
    );
    expect(agg.body.transcripts).toBe(false);
    expect(agg.body.items[0]).not.toHaveProperty('messages');
    // Reading transcripts is audited; reading aggregates is not a transcript read.
    const reads = await audit(run!.id, 'review_run.read_transcripts');
    expect(reads.map((e) => e.actorOrgId)).toEqual([live.w.agency.orgId]);
  });

  it('who must NOT see runs: other organisations and a partner without a grant get 404, anonymous 401', async () => {
    const win = await personaWindow(live, 'oracle');
    const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge', limit: 2 });
    const outsider = await live.t.org('Outsider Inc', 'researcher');
    for (const token of [outsider.token, live.w.partner.token, live.w.otherAgency.token]) {
      for (const path of ['', `/${run!.id}`, `/${run!.id}/samples`, `/${run!.id}/evallog`]) {
        const r = await get(`${win.base}/runs${path}`, token);
        expect(r.status, `${path}: ${r.raw}`).toBe(404);
        expect(r.raw).not.toContain('ANSWER');
      }
      const start = await live.t.req('POST', `${win.base}/runs`, { token, body: { suite: 'cyber-knowledge' } });
      expect(start.status).toBe(404);
      const cancel = await live.t.req('POST', `${win.base}/runs/${run!.id}/cancel`, { token });
      expect(cancel.status).toBe(404);
    }
    expect((await get(`${win.base}/runs/${run!.id}`, null)).status).toBe(401);
    // A run id from another window is not found through this one.
    const other = await personaWindow(live, 'oracle');
    expect((await get(`${other.base}/runs/${run!.id}`, live.w.agency.token)).status).toBe(404);
  });

  it('bad input is refused with the field named; only reviewers start runs', async () => {
    const win = await personaWindow(live, 'oracle');
    const post = (body: unknown, token = live.w.agency.token) =>
      live.t.req<{ issues?: { path: string }[] }>('POST', `${win.base}/runs`, { token, body });
    const cases: [unknown, string][] = [
      [{ suite: 'nope' }, 'suite'],
      [{ suite: 'cyber-knowledge', epochs: 0 }, 'epochs'],
      [{ suite: 'cyber-knowledge', variant: 'secret' }, 'variant'],
      [{ suite: 'cyber-knowledge', grantId: 'not-mine' }, 'grantId'],
      [{ suite: 'cyber-knowledge', limit: -1 }, 'limit'],
      [{ suite: 'cyber-knowledge', extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      if (field) expect(r.body.issues?.map((i) => i.path)).toContain(field);
    }
    expect((await post({ suite: 'cyber-knowledge' }, live.w.dev.token)).status).toBe(403);
    expect((await get<{ items: unknown[] }>(`${win.base}/runs`, live.w.agency.token)).body.items).toEqual([]);
  });

  it('compares a run with the reference run of the same task', async () => {
    // production = oracle, reduced-safeguards = guesser (the reference).
    const win = await personaWindow(live, 'oracle', { reference: 'guesser' });
    const [ref] = await runAndWait(live, win, {
      suite: 'cyber-knowledge',
      variant: 'reduced-safeguards',
      reference: true,
    });
    expect(ref!.reference).toBe(true);
    expect(accuracy(ref!)).toBeCloseTo(0.4, 5);
    const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge' });
    const c = run!.comparison as { referenceRunId: string; scores: { difference: number; ci95: number[] }[] };
    expect(c.referenceRunId).toBe(ref!.id);
    expect(c.scores[0]!.difference).toBeCloseTo(0.6, 5);
    expect(c.scores[0]!.ci95[0]).toBeLessThan(0.6);
    expect(ref).not.toHaveProperty('comparison');
  });

  it('a reviewer cancels a running run; closing the window cancels its runs; so does withdrawal', async () => {
    for (const end of ['cancel', 'close', 'withdraw'] as const) {
      const win = await personaWindow(live, 'hang');
      const r = await live.t.req<{ runs: RunBody[] }>('POST', `${win.base}/runs`, {
        token: live.w.agency.token,
        body: { suite: 'cyber-knowledge' },
      });
      const id = r.body.runs[0]!.id;
      await until(async () => (await status(win.base, id)) === 'running');
      if (end === 'cancel') {
        const c = await live.t.req<RunBody>('POST', `${win.base}/runs/${id}/cancel`, { token: live.w.agency.token });
        expect(c.status, c.raw).toBe(200);
        expect(c.body.status).toBe('cancelled');
        expect(await audit(id, 'review_run.cancel')).toHaveLength(1);
      } else {
        const e = await live.t.req('POST', `${win.base}/${end}`, { token: live.w.dev.token });
        expect(e.status, e.raw).toBe(200);
        const [entry] = await audit(win.id, 'review_run.cancel_window');
        expect(JSON.parse(entry!.details)).toMatchObject({ runs: [id] });
      }
      await live.t.services.reviewRuns.settledRun(id);
      // Ended at once (the hanging model calls were aborted) and stays cancelled.
      const after = await get(`${win.base}/runs/${id}`, live.w.agency.token);
      expect(after.status).toBe(200);
      expect(after.body.status).toBe('cancelled');
      if (end !== 'cancel') {
        // No new runs in an ended window.
        const again = await live.t.req('POST', `${win.base}/runs`, {
          token: live.w.agency.token,
          body: { suite: 'cyber-knowledge' },
        });
        expect(again.status).toBe(409);
      }
    }
  });

  it('runs survive a restart: a queued run and a run interrupted mid-way are picked up again', async () => {
    const win = await personaWindow(live, 'gated');
    const key = answerKey();
    const o = oracle(key);
    // Let 6 requests through, then hang: the run is mid-way when the process stops.
    let allowed = 6;
    gate.set((req) => (allowed-- > 0 ? o(req) : { hang: true }));
    const r = await live.t.req<{ runs: RunBody[] }>('POST', `${win.base}/runs`, {
      token: live.w.agency.token,
      body: { suite: 'cyber-knowledge' },
    });
    const id = r.body.runs[0]!.id;
    const stored = async () =>
      (await get<{ items: unknown[] }>(`${win.base}/runs/${id}/samples`, live.w.agency.token)).body.items.length;
    await until(async () => (await stored()) >= 6);
    await live.stopRuns(); // the process stops
    expect(await status(win.base, id)).toBe('running'); // left as it was, to be resumed
    const before = await get<{ items: Array<{ sampleId: string; completedAt: string }> }>(
      `${win.base}/runs/${id}/samples`,
      live.w.agency.token,
    );
    expect(before.body.items).toHaveLength(6);
    // Another run queued while nothing executes.
    const q = await live.t.req<{ runs: RunBody[] }>('POST', `${win.base}/runs`, {
      token: live.w.agency.token,
      body: { suite: 'ctf-weak-token' },
    });
    const queuedId = q.body.runs[0]!.id;
    expect(await status(win.base, queuedId)).toBe('queued');

    // Restart: a new run service over the same database picks both up.
    gate.set(o);
    const s = live.t.services;
    const again = new RunService(s.db, s.audit, s.reviews, s.clock, { ...s.reviewRuns.opts });
    const stop = await again.resume();
    try {
      await again.settledRun(id);
      await again.settledRun(queuedId);
      const done = await get(`${win.base}/runs/${id}`, live.w.agency.token);
      expect(done.body).toMatchObject({ status: 'success', attempts: 2 });
      expect(done.body.progress).toEqual({ samples: 20, done: 20, errored: 0 });
      expect(accuracy(done.body)).toBe(1);
      expect((await get(`${win.base}/runs/${queuedId}`, live.w.agency.token)).body.status).toBe('success');
      // The 6 samples done before the stop were kept as they were, and only the other 14 went to the model.
      const after = await get<{ items: Array<{ sampleId: string; completedAt: string }> }>(
        `${win.base}/runs/${id}/samples`,
        live.w.agency.token,
      );
      expect(after.body.items).toHaveLength(20);
      for (const b of before.body.items)
        expect(after.body.items.find((x) => x.sampleId === b.sampleId)?.completedAt).toBe(b.completedAt);
    } finally {
      await stop();
      await live.t.services.reviewRuns.resume(); // this process executes runs again
    }
  });

  it('two nodes on one database: a run held by one node is not run by the other', async () => {
    const win = await personaWindow(live, 'gated');
    gate.set(() => ({ hang: true }));
    const r = await live.t.req<{ runs: RunBody[] }>('POST', `${win.base}/runs`, {
      token: live.w.agency.token,
      body: { suite: 'cyber-knowledge' },
    });
    const id = r.body.runs[0]!.id;
    await until(async () => (await status(win.base, id)) === 'running');
    const s = live.t.services;
    const other = new RunService(s.db, s.audit, s.reviews, s.clock, { ...s.reviewRuns.opts });
    const stop = await other.resume();
    try {
      await other.settledRun(id); // it tried and did not get the run
      const row = await s.db.kysely
        .selectFrom('review_runs')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'running', attempts: 1, lease_owner: s.reviewRuns.node });
      expect(Date.parse(row.lease_until!)).toBeGreaterThan(Date.now());
    } finally {
      await stop();
      await live.t.req('POST', `${win.base}/runs/${id}/cancel`, { token: live.w.agency.token });
      await s.reviewRuns.settledRun(id);
      gate.set(oracle(answerKey()));
    }
  });

  it('withdrawal under terms that say purge deletes per-sample results and findings; under keep they stay', async () => {
    for (const onWithdrawal of ['purge', 'keep'] as const) {
      const win = await personaWindow(live, 'oracle', { terms: { onWithdrawal } });
      const [run] = await runAndWait(live, win, { suite: 'cyber-knowledge', limit: 2 });
      expect(run!.status, String(run!.error)).toBe('success');
      const f = await live.t.req<{ id: string }>('POST', `${win.base}/findings`, {
        token: live.w.agency.token,
        body: findingBody(run!.id, { title: 'A finding to be purged or kept' }),
      });
      expect(f.status, f.raw).toBe(201);
      expect((await live.t.req('POST', `${win.base}/withdraw`, { token: live.w.dev.token })).status).toBe(200);
      const db = live.t.services.db.kysely;
      const samples = await db.selectFrom('review_samples').select('run_id').where('run_id', '=', run!.id).execute();
      const findings = await db.selectFrom('review_findings').select('id').where('window_id', '=', win.id).execute();
      if (onWithdrawal === 'purge') {
        expect(samples).toEqual([]);
        expect(findings).toEqual([]);
        // The oldest entry is this process's service (the restart tests above left other services listening).
        const entry = (await audit(win.id, 'review_run.purge')).at(-1);
        expect(JSON.parse(entry!.details)).toEqual({ runs: 1, samples: 2 });
      } else {
        expect(samples).toHaveLength(2);
        expect(findings).toHaveLength(1);
        expect(await audit(win.id, 'review_run.purge')).toEqual([]);
      }
    }
  });
});
