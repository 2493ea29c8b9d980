import { createRequire } from 'node:module';
import { Router, type RequestHandler, type Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { OpenApiDocument } from './openapi.js';

const require = createRequire(import.meta.url);
const REDOC_BUNDLE = require.resolve('redoc/bundles/redoc.standalone.js');

/**
 * Both viewers load everything from this server (no CDN: production may have no way out, and
 * the CSP would refuse it anyway). They inject inline styles and ReDoc runs a worker from a
 * blob, so these pages get a CSP of their own instead of the site's stricter one.
 */
function docsCsp(res: Response): void {
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "worker-src 'self' blob:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
    ].join('; '),
  );
}

const redocPage = (title: string) => `<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} — ReDoc</title>
</head>
<body>
  <redoc spec-url="/openapi.json"></redoc>
  <script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;

/** `/openapi.json`, Swagger UI at `/docs` and ReDoc at `/redoc`. */
export function docsRoutes(document: OpenApiDocument): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  const withCsp: RequestHandler = (_req, res, next) => {
    docsCsp(res);
    next();
  };
  router.use(
    '/docs',
    withCsp,
    // serveFiles keeps the document per router; `serve` shares one global among all apps.
    swaggerUi.serveFiles(document),
    swaggerUi.setup(document, { customSiteTitle: `${document.info.title} — API` }),
  );
  router.get('/redoc/redoc.standalone.js', (_req, res) => {
    res.sendFile(REDOC_BUNDLE, { maxAge: '1d' });
  });
  router.get('/redoc', (_req, res) => {
    docsCsp(res);
    res.type('html').send(redocPage(document.info.title));
  });
  return router;
}
