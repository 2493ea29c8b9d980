import type { Router } from 'express';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import {
  createConnections,
  defineConnectionHealthJob,
  EvotorConnection,
  scheduleConnectionHealth,
  VkConnection,
  type Connections,
} from '../../application/connections/index.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { connectedUsers } from './queries.js';
import { connectionRoutes } from './routes.js';

export function connectionsFor(deps: DashboardDeps): Connections {
  return createConnections(
    {
      store: deps.eventStore,
      commands: deps.commands,
      cipher: deps.cipher,
      readModel: deps.readModel,
      settings: deps.config,
      ...(deps.apiLog ? { apiLog: deps.apiLog } : {}),
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
    connectionRoutes({ connections, sequelize: deps.sequelize }),
  ];
}

/**
 * For the worker (wiring it there is one call): defines `connection-health` and runs it every
 * `everyMinutes` for every shop owner with a saved connection.
 */
export async function startConnectionHealth(
  deps: Pick<
    DashboardDeps,
    'config' | 'eventStore' | 'commands' | 'cipher' | 'scheduler' | 'sequelize' | 'logger'
  > & { apiLog?: ApiRequestLog },
  everyMinutes = 15,
): Promise<void> {
  const connectionDeps = {
    store: deps.eventStore,
    commands: deps.commands,
    cipher: deps.cipher,
    // The job reads nothing back, so it never waits for a projection.
    readModel: { waitFor: async () => {} },
    settings: deps.config,
    ...(deps.apiLog ? { apiLog: deps.apiLog } : {}),
  };
  defineConnectionHealthJob({
    scheduler: deps.scheduler,
    evotor: new EvotorConnection(connectionDeps),
    vk: new VkConnection(connectionDeps),
    connectedUsers: () => connectedUsers(deps.sequelize),
    logger: deps.logger,
  });
  await scheduleConnectionHealth(deps.scheduler, everyMinutes);
}
