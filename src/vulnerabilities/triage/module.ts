import type { CapabilityModule } from '../../module.js';
import type { Services } from '../../services.js';
import * as migration030 from './migrations/030-triage.js';
import * as migration031 from './migrations/031-triage-advisories.js';
import { registerTriageCli } from './triage.cli.js';
import { registerTriageRoutes } from './triage.routes.js';
import { TriageService } from './triage.service.js';

declare module '../../services.js' {
  interface Services {
    triage: TriageService;
  }
}

/**
 * How often `serve` clusters newly submitted reports by itself. With the warm engine an idle pass is one indexed query
 * (reports without a cluster), and a pass costs O(new reports), so a report is clustered within about this long.
 */
export const AUTO_PASS_MS = 2_000;

/** The triage capability's wiring: migrations, services, routes and CLI commands (see src/module.ts). */
const module: CapabilityModule = {
  name: 'triage',
  migrations: [
    ['030-triage', migration030],
    ['031-triage-advisories', migration031],
  ],
  init(services: Services) {
    services.triage = new TriageService(services.db, services.audit, services.reports, services.clock);
  },
  routes: (app, registry, services) => registerTriageRoutes(app, registry, services),
  cli: (program) => registerTriageCli(program),
  start(services) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      services.triage
        .run('system')
        .catch(() => undefined)
        .finally(() => {
          running = false;
        });
    }, AUTO_PASS_MS);
    timer.unref();
    return async () => clearInterval(timer);
  },
};

export default module;
