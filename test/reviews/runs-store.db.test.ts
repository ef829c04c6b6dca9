/**
 * The database ResultStore (review_runs / review_samples): what the harness saves comes back the same, a sample saved
 * again replaces the stored one, and an interrupted run resumes from the database without redoing finished samples.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAIChatModel } from '../../src/reviews/harness/openai-model.js';
import { runTask } from '../../src/reviews/harness/runner.js';
import { cyberKnowledgeTask, loadCyberKnowledge } from '../../src/reviews/harness/suites/index.js';
import type { SampleResult } from '../../src/reviews/harness/types.js';
import { DbResultStore } from '../../src/reviews/runs/db-store.js';
import * as repo from '../../src/reviews/runs/runs.repository.js';
import { describeBackends } from '../backends.js';
import { startTestApp, type TestApp } from '../harness.js';
import { oracle } from '../scripted-model/personas.js';
import { type ScriptedModelServer, startScriptedModel } from '../scripted-model/server.js';

let server: ScriptedModelServer;
beforeAll(async () => {
  const mcq = loadCyberKnowledge();
  const o = oracle({ choices: mcq.samples.map((s) => ({ question: s.input, letter: String(s.target) })), ctf: [] });
  // Answers the first 5 requests, then hangs: the run is interrupted with 5 samples stored (one persona per backend).
  const stopsAfter5 = () => {
    let n = 0;
    return (req: Parameters<typeof o>[0]) => (++n <= 5 ? o(req) : { hang: true as const });
  };
  server = await startScriptedModel({
    oracle: o,
    'stops-after-5-sqlite': stopsAfter5(),
    'stops-after-5-postgres': stopsAfter5(),
  });
});
afterAll(() => server.close());

describeBackends('review runs: database result store', (backend) => {
  let t: TestApp;
  let store: DbResultStore;
  beforeAll(async () => {
    t = await startTestApp(backend);
    store = new DbResultStore(t.services.db);
  });
  afterAll(() => t.close());

  async function newRunRow(): Promise<string> {
    const id = randomUUID();
    await repo.insertRun(t.services.db.kysely, {
      id,
      window_id: 'w-1',
      grant_id: 'g-1',
      org_id: t.coordinatorOrgId,
      member_id: 'm-1',
      starter: '{}',
      suite: 'cyber-knowledge',
      task: 'cyber-knowledge',
      variant: 'production',
      reference: 0,
      status: 'queued',
      config: '{}',
      record: null,
      usage: null,
      error: null,
      attempts: 0,
      lease_owner: null,
      lease_until: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
    });
    return id;
  }

  const model = (name: string) =>
    openAIChatModel({
      baseURL: server.baseURL,
      apiKey: 'x',
      model: name,
      timeoutMs: 20_000,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 },
    });

  it('refuses a run the service did not create', async () => {
    await expect(store.getRun('nope')).resolves.toBeUndefined();
    const task = cyberKnowledgeTask();
    await expect(runTask(task, { model: model('oracle'), store, runId: 'nope' })).rejects.toThrow(/does not exist/);
  });

  it('stores a whole run: record, status, usage and every sample, read back unchanged', async () => {
    const id = await newRunRow();
    const rec = await runTask(cyberKnowledgeTask(), { model: model('oracle'), store, runId: id, concurrency: 4 });
    expect(rec.status).toBe('success');
    expect(await store.getRun(id)).toEqual(rec);
    const row = await repo.findRun(t.services.db.kysely, id);
    expect(row?.status).toBe('success');
    expect(row?.finished_at).toBe(rec.completedAt);
    expect(JSON.parse(row!.usage!)).toEqual(rec.usage);
    const samples = await store.listSamples(id);
    expect(samples).toHaveLength(20);
    expect(samples.every((s) => s.scores.choice?.value === 'C')).toBe(true);
    expect(rec.results?.[0]?.metrics.accuracy.value).toBe(1);
  });

  it('replaces a sample saved again under the same (sample, epoch), keeps numeric and string ids apart', async () => {
    const id = await newRunRow();
    const base: SampleResult = {
      sampleId: 7,
      epoch: 1,
      input: 'q',
      target: 'A',
      messages: [{ role: 'user', content: 'q' }],
      output: {
        model: 'm',
        completion: 'x',
        stop_reason: 'stop',
        usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      },
      scores: { choice: { value: 'I' } },
      usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
      retries: 0,
      startedAt: '2026-11-26T00:00:00.000Z',
      completedAt: '2026-11-26T00:00:01.000Z',
    };
    await store.saveSample(id, base);
    await store.saveSample(id, { ...base, scores: { choice: { value: 'C' } } });
    await store.saveSample(id, { ...base, sampleId: '7' });
    const samples = await store.listSamples(id);
    expect(samples).toHaveLength(2);
    expect(samples.find((s) => s.sampleId === 7)?.scores.choice?.value).toBe('C');
    expect(samples.find((s) => s.sampleId === '7')?.scores.choice?.value).toBe('I');
  });

  it('resumes an interrupted run from the database: finished samples are not asked again', async () => {
    const id = await newRunRow();
    const controller = new AbortController();
    const first = runTask(cyberKnowledgeTask(), {
      model: model(`stops-after-5-${backend}`),
      store,
      runId: id,
      concurrency: 1,
      signal: controller.signal,
      onSample: (r) => {
        if (!r.error && (server.calls.get(`stops-after-5-${backend}`) ?? 0) >= 5)
          controller.abort(new Error('process stops'));
      },
    });
    const rec1 = await first;
    expect(rec1.status).toBe('cancelled');
    const done = (await store.listSamples(id)).filter((s) => !s.error);
    expect(done.length).toBe(5);
    // A new store (as after a restart) over the same database.
    const again = new DbResultStore(t.services.db);
    const before = server.calls.get('oracle') ?? 0;
    const rec2 = await runTask(cyberKnowledgeTask(), { model: model('oracle'), store: again, runId: id });
    expect(rec2.status).toBe('success');
    expect((server.calls.get('oracle') ?? 0) - before).toBe(15);
    expect(await again.listSamples(id)).toHaveLength(20);
  });

  it('a run marked cancelled stays cancelled whatever the harness reports last', async () => {
    const id = await newRunRow();
    await repo.updateRun(t.services.db.kysely, id, { status: 'cancelled' });
    const rec = await runTask(cyberKnowledgeTask(), { model: model('oracle'), store, runId: id });
    expect(rec.status).toBe('success');
    expect((await repo.findRun(t.services.db.kysely, id))?.status).toBe('cancelled');
  });
});
