import { Router } from 'express';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Mounts a router for the requests under its prefixes only, without stripping them: its
 * routes keep their full paths (so do the route list, the metrics labels and the OpenAPI
 * check), but a request elsewhere passes it in one test instead of trying its every route.
 * The mount path is a zero-width lookahead, so Express removes nothing from the URL. Like
 * Express's own matching it ignores case and takes a trailing slash.
 */
export function scoped(prefixes: string | readonly string[], router: Router): Router {
  const list = typeof prefixes === 'string' ? [prefixes] : prefixes;
  const under = new RegExp(`^(?=(?:${list.map(escape).join('|')})(?:/|$))`, 'i');
  const outer = Router();
  outer.use(under, router);
  return outer;
}
