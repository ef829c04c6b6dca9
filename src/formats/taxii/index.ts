/**
 * The TAXII 2.1 server's wiring, used by the formats module (src/formats/module.ts): its migration, its service
 * (services.taxii, kept in step with every advisory change inside the writing transaction) and its routes.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteRegistry } from '../../http/route.js';
import type { Services } from '../../services.js';
import * as migration065 from './migrations/065-taxii.js';
import * as migration095 from './migrations/095-taxii-visibility.js';
import { TAXII_PATHS, TAXII_SECURITY_SCHEMES } from './taxii.openapi.js';
import { registerTaxiiRoutes } from './taxii.routes.js';
import { TaxiiService } from './taxii.service.js';

declare module '../../services.js' {
  interface Services {
    taxii: TaxiiService;
  }
}

export const taxiiMigrations: [string, typeof migration065][] = [
  ['065-taxii', migration065],
  ['095-taxii-visibility', migration095],
];

export function initTaxii(services: Services): void {
  services.taxii = new TaxiiService(
    services.db,
    services.audit,
    services.participants,
    services.advisories,
    services.reports,
    services.clock,
  );
  services.advisories.onChange((tx, change) => services.taxii.onAdvisoryChange(tx, change));
}

/** The routes, and their description in the served OpenAPI document (they are outside the RouteRegistry). */
export async function registerTaxii(app: FastifyInstance, services: Services, registry: RouteRegistry): Promise<void> {
  await registerTaxiiRoutes(app, services);
  registry.document(TAXII_PATHS, TAXII_SECURITY_SCHEMES);
}

/** `serve`: record the object versions of advisories written before (the backfill) without waiting for a reader. */
export function startTaxii(services: Services): () => Promise<void> {
  let stopped = false;
  const run = (async () => {
    try {
      while (!stopped && (await services.taxii.catchUp(1000)) > 0);
    } catch {
      // Readers catch up too; a failure here (e.g. the database closing at shutdown) loses nothing.
    }
  })();
  return async () => {
    stopped = true;
    await run;
  };
}
