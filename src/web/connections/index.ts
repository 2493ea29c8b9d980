import type { Router } from 'express';
import { createConnections, type Connections } from '../../application/connections/index.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { linkedEvotorUsers, notificationRoutes } from '../webhooks/notification-routes.js';
import { EvotorNotifications } from '../../application/connections/evotor-notifications.js';
import { connectionRoutes } from './routes.js';
import { connectionAdapters } from '../../infrastructure/connections/index.js';

export function connectionsFor(deps: DashboardDeps): Connections {
  return createConnections(
    {
      store: deps.eventStore,
      commands: deps.commands,
      cipher: deps.cipher,
      readModel: deps.readModel,
      settings: deps.config,
      ...(deps.apiLog ? { apiLog: deps.apiLog } : {}),
      ...connectionAdapters(deps.config, deps.sequelize, deps.apiLog),
    },
    deps.accounts,
  );
}

/** The connections page and the Evotor webhooks (which link Evotor users to accounts). */
export function connectionsRouters(deps: DashboardDeps): Router[] {
  const connections = connectionsFor(deps);
  return [
    webhookRoutes({
      webhooks: connections.webhooks,
      secret: deps.config.EVOTOR_WEBHOOK_SECRET,
      logger: deps.logger,
    }),
    notificationRoutes({
      notifications: new EvotorNotifications({
        store: deps.eventStore,
        commands: deps.commands,
        settings: deps.config,
        linkedUsers: linkedEvotorUsers(deps.sequelize),
      }),
      logger: deps.logger,
    }),
    connectionRoutes({ connections, sequelize: deps.sequelize }),
  ];
}
