import type { CapabilityModule } from '../module.js';
import type { Services } from '../services.js';
import { registerExposureCli } from './exposure.cli.js';
import { registerExposureRoutes } from './exposure.routes.js';
import { BUS_CHANNEL, ExposureService } from './exposure.service.js';
import * as migration040 from './migrations/040-exposure.js';
import * as migration045 from './migrations/045-exposure-vex.js';
import { registerVexRoutes } from './vex.routes.js';

declare module '../services.js' {
  interface Services {
    exposure: ExposureService;
  }
}

/** How often `serve` announces newly visible findings and checks the index against the database. */
export const SWEEP_MS = 30_000;

/** The exposure capability's wiring: migrations, services, routes and CLI commands (see src/module.ts). */
const module: CapabilityModule = {
  name: 'exposure',
  migrations: [
    ['040-exposure', migration040],
    ['045-exposure-vex', migration045],
  ],
  init(services: Services) {
    // The notify module comes before this one in MODULES: its outbox and bus exist here.
    services.exposure = new ExposureService(services.db, services.audit, services.clock, {
      outbox: () => services.outbox,
      bus: () => services.bus,
      maxSbomBytes: services.config.bodyLimitBytes,
    });
    services.advisories.onChange((tx, change) => services.exposure.onAdvisoryChange(tx, change));
    services.participants.registerExporter((q, orgId) => services.exposure.exportFor(q, orgId));
  },
  async routes(app, registry, services) {
    await registerExposureRoutes(app, registry, services);
    registerVexRoutes(app, registry, services);
  },
  cli(program) {
    registerExposureCli(program);
  },
  start(services) {
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const exposure = services.exposure;
    exposure
      .ensureLoaded()
      .then((s) =>
        out(
          `exposure: matching index loaded in ${s.ms} ms (${s.advisories} advisories, ${s.assets} assets, ${s.components} components)`,
        ),
      )
      .catch((e: unknown) => out(`exposure: loading the matching index failed: ${e instanceof Error ? e.message : e}`));
    // Other nodes' changes, after their commit; after a lost connection, messages may be missing: reload.
    const unsubscribe = services.bus.subscribe(BUS_CHANNEL, (m) => exposure.applyRemote(m));
    const unresync = services.bus.onResync(() => exposure.reloadAll());
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      exposure
        .sweep()
        .then(() => exposure.checkConsistency())
        .catch(() => undefined)
        .finally(() => {
          running = false;
        });
    }, SWEEP_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      unsubscribe();
      unresync();
    };
  },
};

export default module;
