import { Router } from 'express';
import { runHealthChecks, type HealthCheck } from '../../application/ports/health.js';

/** `GET /health`: JSON with every dependency's state; 503 when a required one is down. */
export function healthRoutes(checks: HealthCheck[]): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const report = await runHealthChecks(checks);
    res
      .status(report.ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: report.ok ? 'ok' : 'unhealthy', time: new Date().toISOString(), ...report });
  });
  return router;
}
