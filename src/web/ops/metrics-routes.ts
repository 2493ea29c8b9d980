import { Router, type Request, type RequestHandler } from 'express';
import type { Metrics } from '../../infrastructure/metrics/metrics.js';

/**
 * The route pattern a request matched (`/catalog/stores/:id/toggle`), never the raw URL: ids in
 * labels would make one time series per product. Requests no route took are `unmatched`;
 * middleware that answered by itself (static files, Swagger UI assets) counts under its mount
 * path.
 */
export function routeLabel(req: Request): string {
  if (req.route) {
    const path: unknown = (req.route as { path: unknown }).path;
    return `${req.baseUrl}${typeof path === 'string' ? path : String(path)}` || '/';
  }
  return req.baseUrl ? `${req.baseUrl}/*` : 'unmatched';
}

/** Times every request; mount it first (WebAppOptions.before) so that /health counts too. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeHttp(req.method, routeLabel(req), res.statusCode, seconds);
    });
    next();
  };
}

/** `GET /metrics`: the Prometheus exposition text. nginx keeps it off the public site. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.expose();
    res.status(200).set('Cache-Control', 'no-store').type(contentType).send(body);
  });
  return router;
}
