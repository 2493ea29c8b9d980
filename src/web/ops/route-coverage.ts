import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  /** in OpenAPI form: `/catalog/stores/{id}` */
  path: string;
}

interface LayerLike {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  rawPath?: unknown;
  handle?: { stack?: LayerLike[] };
}

/** Express's `:param` → OpenAPI's `{param}`; a trailing slash of a mount is dropped. */
export function toOpenApiPath(path: string): string {
  const converted = path.replace(/:(\w+)/g, '{$1}').replace(/\/{2,}/g, '/');
  return converted.length > 1 ? converted.replace(/\/$/, '') : converted;
}

function join(prefix: string, path: unknown): string {
  if (typeof path !== 'string') return `${prefix}/<pattern>`;
  return path === '/' ? prefix || '/' : `${prefix}${path}`;
}

function walk(stack: LayerLike[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (!on || method === '_all') continue;
        for (const p of paths)
          out.push({ method: method.toUpperCase(), path: toOpenApiPath(join(prefix, p)) });
      }
    } else if (layer.handle?.stack) {
      // Express 5 (router 2) keeps a mount's path as `rawPath`; `/` for `app.use(router)`.
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      walk(layer.handle.stack, `${prefix}${mount}`, out);
    }
  }
}

/** Every method + path an Express 5 app routes, nested routers included, in mount order. */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk((app.router as unknown as { stack: LayerLike[] }).stack, '', out);
  return out;
}

/**
 * The routes that answer JSON (or other machine-readable text): every route except the HTML
 * pages, which are named by their OpenAPI paths or by a prefix ending in `/*`.
 */
export function listJsonRoutes(app: Express, htmlPages: readonly string[] = []): RouteEntry[] {
  const isHtml = (path: string) =>
    htmlPages.some((page) =>
      page.endsWith('/*')
        ? path === page.slice(0, -2) || path.startsWith(page.slice(0, -1))
        : path === page,
    );
  return listRoutes(app).filter((r) => !isHtml(r.path));
}

/** The routes in `routes` that the OpenAPI document does not describe. */
export function undocumentedRoutes(
  routes: readonly RouteEntry[],
  document: { paths: Record<string, Record<string, unknown>> },
): RouteEntry[] {
  return routes.filter((r) => !document.paths[r.path]?.[r.method.toLowerCase()]);
}
