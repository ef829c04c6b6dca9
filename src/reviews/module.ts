import type { CapabilityModule } from '../module.js';
import type { Services } from '../services.js';
import * as migration080 from './migrations/080-reviews.js';
import * as migration084 from './migrations/084-review-retention.js';
import * as migration085 from './migrations/085-review-gateway-rate.js';
import { registerReviewCli } from './review.cli.js';
import { initReviewRuns, registerRunsAndFindingRoutes, runsMigration } from './runs/wiring.js';
import { registerRunsCli } from './runs.cli.js';
import { Gateway, registerGatewayRoutes } from './windows/gateway.js';
import { GATEWAY_PATHS, GATEWAY_SECURITY_SCHEMES } from './windows/gateway.openapi.js';
import { GrantService } from './windows/grant.service.js';
import { ReviewService } from './windows/review.service.js';
import { startReviewScheduler } from './windows/scheduler.js';
import { SecretBox } from './windows/secrets.js';
import { TermsService } from './windows/terms.service.js';
import { WindowService } from './windows/window.service.js';
import { registerWindowRoutes } from './windows/windows.routes.js';

declare module '../services.js' {
  interface Services {
    reviews: ReviewService;
  }
}

/** The reviews capability's wiring: migrations, services, routes, CLI commands and the scheduler (see src/module.ts). */
const module: CapabilityModule = {
  name: 'reviews',
  migrations: [
    ['080-reviews', migration080],
    runsMigration,
    ['084-review-retention', migration084],
    ['085-review-gateway-rate', migration085],
  ],
  init(services: Services) {
    const gatewayBaseURL = `${services.config.baseUrl}/gateway/v1`;
    const secrets = SecretBox.fromConfig(services.config);
    const windows = new WindowService(services.db, services.audit, services.attachments, secrets, services.clock, {
      maxWindowDays: services.config.reviewMaxDays ?? 30,
      gatewayBaseURL,
      // Reminders and window ends become outbox events when the notify capability is present.
      outbox: () => (services as Partial<Services>).outbox,
    });
    const grants = new GrantService(windows, gatewayBaseURL);
    const gateway = new Gateway(services.db, secrets, services.clock);
    services.reviews = new ReviewService(windows, new TermsService(windows), grants, gateway);
    initReviewRuns(services, services.reviews);
    services.participants.registerExporter((q, orgId) => windows.exportFor(q, orgId));
  },
  async routes(app, registry, services) {
    registerWindowRoutes(app, registry, services);
    await registerGatewayRoutes(app, services.reviews.gateway);
    registry.document(GATEWAY_PATHS, GATEWAY_SECURITY_SCHEMES); // served outside the registry, documented in it
    registerRunsAndFindingRoutes(app, registry, services);
  },
  cli: (program) => {
    registerRunsCli(registerReviewCli(program));
  },
  start(services) {
    const scheduler = startReviewScheduler(services.reviews, services.clock);
    const runs = services.reviewRuns.resume(); // queued and interrupted runs start again
    return async () => {
      scheduler.stop();
      await (await runs)();
    };
  },
};

export default module;
