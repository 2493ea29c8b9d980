import type { Router } from 'express';
import type { DashboardDeps } from './deps.js';
import { syncRoutes } from '../sync/routes.js';
import { vkCatalogRoutes } from '../vk-catalog/routes.js';
import { historyRoutes } from '../history/routes.js';
import { catalogRoutes } from '../catalog/routes.js';
import { connectionsRouters } from '../connections/index.js';

export type { DashboardDeps } from './deps.js';

/** The shop owner's pages and the Evotor webhooks, mounted after the accounts routes. */
export function dashboardRouters(deps: DashboardDeps): Router[] {
  return [
    syncRoutes(deps),
    vkCatalogRoutes(deps),
    historyRoutes(deps),
    catalogRoutes(deps),
    ...connectionsRouters(deps),
  ];
}
