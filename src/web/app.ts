import express, {
  type ErrorRequestHandler,
  type Express,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HealthCheck } from '../application/ports/health.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { healthRoutes } from './health/health-routes.js';
import { viewFormat } from './shared/format.js';
import { pageNumbers } from './shared/pager.js';
import { eventLabel } from './shared/event-labels.js';
import { actorLabel, roleTitle } from './shared/roles.js';

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
  /** the zone pages show times in (IANA name); Moscow when not set */
  timeZone?: string;
}

const ERROR_TITLES: Record<number, string> = {
  400: 'Неверный запрос',
  403: 'Нет доступа',
  404: 'Страница не найдена',
  413: 'Слишком большой запрос',
  500: 'Ошибка на сервере',
};

/**
 * An error page inside the site's layout, with the menu of whoever asks (the user and the
 * CSRF token are in the response's locals by now). Should the layout itself fail, a plain
 * text answer still goes out.
 */
function renderError(res: Response, status: number, title: string, message: string): void {
  res.status(status).render('error', { title, status, message }, (error, html) => {
    if (error) res.type('text/plain; charset=utf-8').send(`${title}. ${message}`);
    else res.type('html').send(html);
  });
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
  // What every view formats with: one style of numbers and one labelled time zone.
  app.locals.format = viewFormat(options.timeZone);
  app.locals.pageNumbers = pageNumbers;
  app.locals.roleTitle = roleTitle;
  app.locals.eventLabel = eventLabel;
  app.locals.actorLabel = actorLabel;

  for (const handler of options.before ?? []) app.use(handler);
  app.use(healthRoutes(options.healthChecks));
  options.configure?.(app);
  for (const router of options.routers ?? []) app.use(router);

  app.use((req, res) => {
    if (req.accepts(['html', 'json']) === 'json') {
      res.status(404).json({ error: 'not_found', message: 'Нет такой страницы' });
    } else {
      renderError(
        res,
        404,
        'Страница не найдена',
        'Такой страницы нет. Проверьте адрес или начните с главной.',
      );
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
    else renderError(res, status, ERROR_TITLES[status] ?? 'Ошибка', message);
  };
  app.use(onError);
  return app;
}
