/**
 * The review scheduler, started by the module's start(): closes due windows by themselves (../window.scheduler.ts),
 * records reminders 7 days and 1 day before a window closes, marks grants whose validity ran out as expired, and
 * purges the data of ended windows whose retention period has passed.
 * The clock is injected; tests drive it with fake timers or call tick().
 */
import { startWindowScheduler } from '../window.scheduler.js';
import type { ReviewService } from './review.service.js';

export interface ReviewScheduler {
  /** One pass: reminders, lapsed grants, retention, then due windows. Returns how many windows it closed. */
  tick(): Promise<number>;
  stop(): void;
}

export function startReviewScheduler(
  reviews: ReviewService,
  clock: () => Date,
  opts: { intervalMs?: number; onError?: (e: unknown) => void } = {},
): ReviewScheduler {
  const intervalMs = opts.intervalMs ?? 60_000;
  const windows = startWindowScheduler<string>({
    clock: { now: clock },
    listOpen: () => reviews.windows.listOpen(),
    onDue: async (id, ev) => {
      await reviews.windows.expire(id, ev.at);
    },
    onError: (_id, e) => opts.onError?.(e),
    intervalMs,
  });
  const sweep = async () => {
    const now = clock();
    await reviews.windows.remind(now);
    await reviews.grants.expireLapsed(now);
    await reviews.windows.purgeExpiredData(now);
  };
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep()
      .catch((e) => opts.onError?.(e))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  timer.unref?.();
  return {
    async tick() {
      await sweep();
      return windows.tick();
    },
    stop() {
      windows.stop();
      clearInterval(timer);
    },
  };
}
