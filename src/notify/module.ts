import type { CapabilityModule } from '../module.js';
import { loadSecretsKey } from '../secrets.js';
import type { Services } from '../services.js';
import { ChangeBus } from './bus.js';
import { Dispatcher } from './dispatcher.js';
import * as migration015 from './migrations/015-notify.js';
import { OutboxService } from './outbox.js';
import { SecretBox } from './secret-box.js';
import { registerWebhookCli } from './webhook.cli.js';
import { registerWebhookRoutes } from './webhook.routes.js';
import { WebhookService } from './webhook.service.js';

declare module '../services.js' {
  interface Services {
    /** Events for webhooks, written in the producer's transaction. */
    outbox: OutboxService;
    /** Messages to the other server processes on the same PostgreSQL database (delivered at commit). */
    bus: ChangeBus;
    webhooks: WebhookService;
    webhookDispatcher: Dispatcher;
  }
}

const logError = (what: string) => (e: unknown) => {
  process.stderr.write(`clearinghouse: ${what}: ${e instanceof Error ? e.message : String(e)}\n`);
};

/** Notifications: the outbox, webhook subscriptions and their dispatcher, the cross-node change bus. */
const module: CapabilityModule = {
  name: 'notify',
  migrations: [['015-notify', migration015]],
  init(services: Services) {
    const cfg = services.config.webhooks;
    const secrets = new SecretBox(cfg.secretKey ?? (() => loadSecretsKey(services.config)));
    services.bus = new ChangeBus(services.db, services.config.databaseUrl, logError('change bus'));
    services.webhooks = new WebhookService(services.db, services.audit, services.clock, cfg, secrets);
    services.webhookDispatcher = new Dispatcher(services.db, services.clock, cfg, secrets, services.bus.nodeId, {
      beforeRun: async () => {
        await services.webhooks.disableWithdrawn();
        await services.webhooks.purgeOld();
      },
      onError: logError('webhook dispatcher'),
    });
    services.webhooks.dispatcher = services.webhookDispatcher;
    // New deliveries: wake this node's loop shortly after (the producer's transaction has usually committed by then).
    services.outbox = new OutboxService(services.clock, () => {
      setTimeout(() => services.webhookDispatcher.wake(), 25).unref();
    });
    services.participants.registerExporter((q, orgId) => services.webhooks.exportFor(q, orgId));
  },
  routes: (app, registry, services) => registerWebhookRoutes(app, registry, services),
  cli: (program) => registerWebhookCli(program),
  start(services) {
    const stopDispatcher = services.webhookDispatcher.start();
    services.bus.start().catch(logError('change bus'));
    return async () => {
      await stopDispatcher();
      await services.bus.stop();
    };
  },
};

export default module;
