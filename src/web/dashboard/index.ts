import type { Router } from 'express';
import type { DashboardDeps } from './deps.js';

export type { DashboardDeps } from './deps.js';

/** The shop owner's pages and the Evotor webhooks, mounted after the accounts routes. */
export function dashboardRouters(_deps: DashboardDeps): Router[] {
  return [];
}
