import type { CapabilityModule } from '../module.js';
import type { Services } from '../services.js';
import { registerCsafProviderRoutes } from './csaf-provider/provider.routes.js';
import { registerImportCli } from './import/import.cli.js';
import { registerImportRoutes } from './import/import.routes.js';
import { ImportService } from './import/import.service.js';
import * as migration060 from './import/migrations/060-formats.js';
import { registerExportRoutes } from './serve/export.routes.js';
import { registerOsvApiRoutes } from './serve/osv-api.routes.js';
import { initTaxii, registerTaxii, startTaxii, taxiiMigrations } from './taxii/index.js';

declare module '../services.js' {
  interface Services {
    imports: ImportService;
  }
}

/**
 * The formats capability's wiring: the pure codecs live beside it (common/, osv/, cve5/, kev/, csaf/, stix/, vex/);
 * import/ turns standard documents into advisories (CLI and POST /api/v1/imports), serve/ exports advisories in the
 * standard formats and answers the OSV query API.
 */
const module: CapabilityModule = {
  name: 'formats',
  migrations: [['060-formats', migration060], ...taxiiMigrations],
  init(services: Services) {
    services.imports = new ImportService(services.db, services.audit, services.advisories, services.clock);
    initTaxii(services);
  },
  async routes(app, registry, services) {
    registerImportRoutes(app, registry, services);
    registerExportRoutes(app, registry, services);
    registerOsvApiRoutes(app, registry, services);
    await registerTaxii(app, services, registry);
    registerCsafProviderRoutes(app, registry, services);
  },
  cli: (program) => registerImportCli(program),
  start: (services) => startTaxii(services),
};

export default module;
