import type { CapabilityModule } from '../module.js';
import type { Services } from '../services.js';
import * as migration090 from './migrations/090-portal.js';
import { registerPortalCli } from './portal.cli.js';
import { registerPortalRoutes } from './portal.routes.js';
import { DEFAULT_PORTAL_OPTIONS, PortalService } from './portal.service.js';
import { registerStatic } from './static.js';
import { registerStatisticsRoutes } from './statistics.js';

declare module '../services.js' {
  interface Services {
    portal: PortalService;
  }
}

/** The portal capability: browser sessions, sign-in, invites, and the web app served at `/` (see README.md). */
const module: CapabilityModule = {
  name: 'portal',
  migrations: [['090-portal', migration090]],
  init(services: Services) {
    services.portal = new PortalService(services.db, services.audit, services.participants, services.clock, {
      ...DEFAULT_PORTAL_OPTIONS,
      baseUrl: services.config.baseUrl,
    });
  },
  async routes(app, registry, services) {
    registerPortalRoutes(app, registry, services);
    registerStatisticsRoutes(app, registry, services);
    await registerStatic(app);
  },
  cli: (program) => registerPortalCli(program),
};

export default module;
