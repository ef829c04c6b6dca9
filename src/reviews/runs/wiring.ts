/**
 * Runs and findings wired into the reviews module: their services (added to `Services` by declaration merging), routes
 * and migration. src/reviews/module.ts calls these; runs execute only in a process that called resume() (the server's
 * module start), so a CLI call on the local database queues a run for the next `serve`.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../../http/route.js';
import type { Services } from '../../services.js';
import { registerFindingRoutes } from '../findings/finding.routes.js';
import { FindingService } from '../findings/finding.service.js';
import { openAIChatModel } from '../harness/openai-model.js';
import type { ChatModel } from '../harness/types.js';
import * as migration081 from '../migrations/081-review-runs.js';
import type { ReviewsPort } from './contract.js';
import { registerRunRoutes } from './run.routes.js';
import { RunService, type RunServiceOptions } from './run.service.js';

declare module '../../services.js' {
  interface Services {
    reviewRuns: RunService;
    reviewFindings: FindingService;
  }
}

export const runsMigration: [string, typeof migration081] = ['081-review-runs', migration081];

/** The judge model from configuration (CLEARINGHOUSE_JUDGE_BASE_URL, _API_KEY, _MODEL), when set. */
export function configuredJudge(config: Services['config']): () => ChatModel | undefined {
  let judge: ChatModel | undefined;
  return () => {
    const c = config.judge;
    if (!judge && c) judge = openAIChatModel({ baseURL: c.baseURL, apiKey: c.apiKey, model: c.model });
    return judge;
  };
}

/** Builds the run and finding services on top of the window service (call after services.reviews exists). */
export function initReviewRuns(services: Services, reviews: ReviewsPort, opts: RunServiceOptions = {}): void {
  services.reviewRuns = new RunService(services.db, services.audit, reviews, services.clock, {
    judge: configuredJudge(services.config),
    ...opts,
  });
  services.reviewFindings = new FindingService(
    services.db,
    services.audit,
    reviews,
    services.checks,
    services.reports,
    services.clock,
    () => services.config.baseUrl,
  );
}

export function registerRunsAndFindingRoutes(app: FastifyInstance, r: RouteRegistry, s: Services): void {
  registerRunRoutes(app, r, s);
  registerFindingRoutes(app, r, s);
}
