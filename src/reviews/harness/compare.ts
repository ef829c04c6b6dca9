/**
 * Comparison with reference models run the same way (same task, same scorer): the difference in accuracy with a
 * normal-approximation 95% interval from the two standard errors. Independent samples are assumed; with the same
 * dataset a paired analysis would be tighter, so this interval is conservative. A difference of two accuracies lies in
 * [-1, 1], so the interval is clipped to it (the normal approximation would otherwise run past it on small samples).
 */
import type { RunRecord } from './types.js';

export interface Comparison {
  scorer: string;
  model: string;
  reference: string;
  accuracy: number;
  referenceAccuracy: number;
  difference: number;
  stderr: number;
  ci95: [number, number];
}

export function compareWithReference(run: RunRecord, reference: RunRecord): Comparison[] {
  if (run.task !== reference.task)
    throw new Error(`runs of different tasks (${run.task}, ${reference.task}) cannot be compared`);
  return (run.results ?? []).flatMap((r) => {
    const ref = reference.results?.find((x) => x.scorer === r.scorer);
    if (!ref) return [];
    const difference = r.metrics.accuracy.value - ref.metrics.accuracy.value;
    const stderr = Math.sqrt(r.metrics.stderr.value ** 2 + ref.metrics.stderr.value ** 2);
    return [
      {
        scorer: r.scorer,
        model: run.model,
        reference: reference.model,
        accuracy: r.metrics.accuracy.value,
        referenceAccuracy: ref.metrics.accuracy.value,
        difference,
        stderr,
        ci95: [Math.max(-1, difference - 1.96 * stderr), Math.min(1, difference + 1.96 * stderr)] as [number, number],
      },
    ];
  });
}
