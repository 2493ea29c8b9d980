import express, {
  type ErrorRequestHandler,
  type Express,
  type RequestHandler,
  type Router,
} from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthCheck } from '../application/ports/health.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { healthRoutes } from './health/health-routes.js';

export const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

export interface WebAppOptions {
  logger: Logger;
  healthChecks: HealthCheck[];
  /** routers of the feature modules, mounted in order after the built-in ones */
  routers?: Router[];
  /** runs after the built-in middleware and before the routers (sessions, auth, CSRF …) */
  configure?: (app: Express) => void;
  trustProxy?: boolean;
  /** runs first, before /health too: request metrics must see every request */
  before?: RequestHandler[];
}

/** The Express 5 app. Everything it needs comes in through options: no globals. */
export function createWebApp(options: WebAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', 1);
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  // Compiled templates (and their includes) are kept: compiling per request cost more than the
  // database work of a page. A template edit needs a restart, in development too.
  app.set('view cache', true);

  for (const handler of options.before ?? []) app.use(handler);
  app.use(healthRoutes(options.healthChecks));
  options.configure?.(app);
  for (const router of options.routers ?? []) app.use(router);

  app.use((req, res) => {
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(404).json({ error: 'not_found', message: 'Нет такой страницы' });
    } else {
      res.status(404).type('text/plain; charset=utf-8').send('Страница не найдена');
    }
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status =
      typeof error === 'object' && error && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    if (status >= 500) options.logger.error({ err: error, path: req.path }, 'request failed');
    if (res.headersSent) return;
    const message = status >= 500 ? 'Внутренняя ошибка сервера' : String((error as Error).message);
    if (req.accepts(['html', 'json']) === 'json')
      res.status(status).json({ error: 'error', message });
    else res.status(status).type('text/plain; charset=utf-8').send(message);
  };
  app.use(onError);
  return app;
}
