import { describe, expect, it } from 'vitest';
import { compareWithReference } from './compare.js';
import { RunQueue } from './run-queue.js';
import type { RunRecord } from './types.js';

function until(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

describe('run queue', () => {
  it('runs at most maxRunning at once, in order', async () => {
    const q = new RunQueue(2);
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    const mk = (id: string) => ({
      id,
      windowId: 'w',
      start: async (signal: AbortSignal) => {
        order.push(id);
        peak = Math.max(peak, ++inFlight);
        await until(signal, 20);
        inFlight--;
      },
    });
    const states = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => q.enqueue(mk(id))));
    expect(states).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('cancels every queued and running run of a closing window, and only those', async () => {
    const q = new RunQueue(2);
    const mk = (id: string, windowId: string) => ({ id, windowId, start: (s: AbortSignal) => until(s, 5000) });
    const r1 = q.enqueue(mk('r1', 'closing'));
    const r2 = q.enqueue(mk('r2', 'other'));
    const r3 = q.enqueue(mk('r3', 'closing'));
    expect([q.state('r1'), q.state('r2'), q.state('r3')]).toEqual(['running', 'running', 'queued']);
    expect(q.cancelWindow('closing')).toBe(2);
    expect(await r1).toBe('cancelled');
    expect(await r3).toBe('cancelled');
    expect(q.state('r2')).toBe('running');
    q.cancel('r2');
    expect(await r2).toBe('cancelled');
  });

  it('marks a run that throws as errored', async () => {
    const q = new RunQueue(1);
    expect(await q.enqueue({ id: 'x', windowId: 'w', start: async () => Promise.reject(new Error('boom')) })).toBe(
      'errored',
    );
  });
});

describe('comparison with a reference model', () => {
  const rec = (model: string, acc: number, se: number): RunRecord => ({
    runId: model,
    task: 't',
    taskVersion: 1,
    model,
    status: 'success',
    createdAt: '',
    startedAt: '',
    epochs: 1,
    limits: {},
    solver: { name: 's' },
    scorers: [{ name: 'choice' }],
    sampleIds: [],
    results: [
      {
        scorer: 'choice',
        scoredSamples: 20,
        metrics: {
          accuracy: { name: 'accuracy', value: acc },
          mean: { name: 'mean', value: acc },
          stderr: { name: 'stderr', value: se },
        },
      },
    ],
  });

  it('gives the difference and a 95% interval from both standard errors', () => {
    const [c] = compareWithReference(rec('new', 0.8, 0.03), rec('ref', 0.6, 0.04));
    expect(c!.difference).toBeCloseTo(0.2);
    expect(c!.stderr).toBeCloseTo(0.05);
    expect(c!.ci95[0]).toBeCloseTo(0.102);
    expect(c!.ci95[1]).toBeCloseTo(0.298);
    expect(() => compareWithReference(rec('a', 1, 0), { ...rec('b', 1, 0), task: 'u' })).toThrow(/different tasks/);
    // small samples: the interval stays inside [-1, 1]
    const [wide] = compareWithReference(rec('new', 1, 0.3), rec('ref', 0.25, 0.25));
    expect(wide!.ci95[1]).toBe(1);
    expect(wide!.ci95[0]).toBeCloseTo(0.75 - 1.96 * Math.sqrt(0.3 ** 2 + 0.25 ** 2));
  });
});
