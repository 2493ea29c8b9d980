import { Router } from 'express';
import type { Metrics } from '../../infrastructure/metrics/metrics.js';
import { docsRoutes } from './docs-routes.js';
import { metricsRoutes } from './metrics-routes.js';
import { openApiDocument, type OpenApiDocument } from './openapi.js';

export { httpMetrics, metricsRoutes, routeLabel } from './metrics-routes.js';
export { OPS_HTML_PAGES, openApiDocument, type OpenApiDocument } from './openapi.js';
export { listJsonRoutes, listRoutes, undocumentedRoutes } from './route-coverage.js';

export interface OpsRoutesDeps {
  /** `GET /metrics` is served when given */
  metrics?: Metrics;
  document?: OpenApiDocument;
}

/**
 * The operations endpoints of the web process: metrics and the API docs. `/health` is built
 * into createWebApp. Request timing is separate (`httpMetrics`, mounted first).
 */
export function opsRoutes(deps: OpsRoutesDeps = {}): Router {
  const router = Router();
  if (deps.metrics) router.use(metricsRoutes(deps.metrics));
  router.use(docsRoutes(deps.document ?? openApiDocument));
  return router;
}
