import type { CapabilityModule } from '../module.js';
import type { Services } from '../services.js';
import { registerExposureCli } from './exposure.cli.js';
import { registerExposureRoutes } from './exposure.routes.js';
import { BUS_CHANNEL, type BusPort, ExposureService } from './exposure.service.js';
import type { OutboxPort } from './findings.sync.js';
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

/** The notify module's services, when present (it comes before this module in MODULES). */
interface NotifyServices {
  outbox?: OutboxPort;
  bus?: BusPort & {
    subscribe(channel: string, handler: (message: Record<string, unknown>) => void | Promise<void>): () => void;
  };
}

/** The exposure capability's wiring: migrations, services, routes and CLI commands (see src/module.ts). */
const module: CapabilityModule = {
  name: 'exposure',
  migrations: [
    ['040-exposure', migration040],
    ['045-exposure-vex', migration045],
  ],
  init(services: Services) {
    const notify = services as unknown as NotifyServices;
    services.exposure = new ExposureService(services.db, services.audit, services.clock, {
      outbox: () => notify.outbox,
      bus: () => notify.bus,
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
    const bus = (services as unknown as NotifyServices).bus;
    const unsubscribe = bus?.subscribe(BUS_CHANNEL, (m) => exposure.applyRemote(m));
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
      unsubscribe?.();
    };
  },
};

export default module;
