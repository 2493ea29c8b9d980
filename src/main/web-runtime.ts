import type { Express, Router } from 'express';
import type { Mailer } from '../application/ports/mail.js';
import { createMailer } from '../infrastructure/mail/mailers.js';
import { projectionLagCheck } from '../infrastructure/projections/lag-health.js';
import { createWebApp } from '../web/app.js';
import { adminProjectionsRoutes } from '../web/admin/projections-routes.js';
import { accountsModule, type AccountsModule } from '../web/accounts/module.js';
import { dashboardRouters } from '../web/dashboard/index.js';
import { httpMetrics, opsRoutes } from '../web/ops/index.js';
import { CheckpointWaiter } from '../../projections/read-model-waiters.js';
import type { Container } from './container.js';
import { workerProjections } from './worker-runtime.js';

export interface WebRuntime {
  app: Express;
  accounts: AccountsModule;
}

/** Paths that authenticate on their own (Evotor's Bearer secret) and take no CSRF token. */
const CSRF_EXEMPT = /^\/(user\/(create|verify|token)|api\/v1\/)/;

/** The web process's Express app, built from the container: every page, route and check. */
export async function buildWebApp(
  c: Container,
  options: {
    routers?: (accounts: AccountsModule) => Router[];
    /** tests read the confirmation links from a console mailer's outbox */
    mailer?: Mailer;
  } = {},
): Promise<WebRuntime> {
  const accounts = accountsModule({
    config: c.config,
    logger: c.logger,
    sequelize: c.sequelize,
    eventStore: c.eventStore,
    commands: c.commands,
    mail: options.mailer ?? createMailer(c.config, c.logger),
    cipher: c.cipher,
    csrfExempt: (path) => CSRF_EXEMPT.test(path),
    scheduler: c.scheduler,
  });
  await accounts.start();
  const projectionNames = workerProjections(c).map((p) => p.name);
  const app = createWebApp({
    logger: c.logger,
    healthChecks: [
      ...c.healthChecks,
      projectionLagCheck(c.sequelize, c.eventStore, () => projectionNames),
    ],
    trustProxy: c.config.NODE_ENV === 'production',
    before: [httpMetrics(c.metrics)],
    configure: (express) => accounts.configure(express),
    routers: [
      opsRoutes({ metrics: c.metrics }),
      ...accounts.routers,
      ...dashboardRouters({
        config: c.config,
        logger: c.logger,
        sequelize: c.sequelize,
        eventStore: c.eventStore,
        commands: c.commands,
        cipher: c.cipher,
        scheduler: c.scheduler,
        apiLog: c.apiLog,
        readModel: new CheckpointWaiter(c.sequelize, []),
        accounts: accounts.accounts,
      }),
      adminProjectionsRoutes({
        sequelize: c.sequelize,
        store: c.eventStore,
        names: () => projectionNames,
      }),
      ...(options.routers?.(accounts) ?? []),
    ],
  });
  return { app, accounts };
}
