import { Router, type NextFunction, type Request, type Response } from 'express';
import { EVOTOR_V2_MEDIA_TYPE } from '../../infrastructure/evotor/types.js';
import { imageItem, imagePng } from './images.js';
import type { EvotorSimulatorState, SimStore } from './state.js';

/** Evotor's error envelope of the v2 API. */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  violations: Array<{ reason: string; subject: string }> = [],
): void {
  res.status(status).type(EVOTOR_V2_MEDIA_TYPE).json({ code, message, violations });
}

/**
 * Accept negotiation. Evotor's v2 media type is required; `*\/*` and a missing header are
 * let through as well (curl and generic HTTP tools send those), anything else is 406.
 */
export function acceptable(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .some((type) => type === EVOTOR_V2_MEDIA_TYPE || type === '*/*');
}

function tokenOf(req: Request): string | null {
  const x = req.get('x-authorization');
  if (x) return x.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  return bearer?.[1]?.trim() ?? null;
}

interface Window {
  started: number;
  count: number;
}

/** Auth, Accept, per-token rate limit; leaves the user id in `res.locals.userId`. */
export function apiGate(state: EvotorSimulatorState) {
  const windows = new Map<string, Window>();
  return (req: Request, res: Response, next: NextFunction) => {
    const token = tokenOf(req);
    const userId = token ? state.tokens.get(token) : undefined;
    if (!userId) return sendError(res, 401, 'UNAUTHORIZED', 'Invalid or missing token');
    res.locals.userId = userId;
    if (!acceptable(req.get('accept'))) {
      return sendError(res, 406, 'NOT_ACCEPTABLE', `Accept must be ${EVOTOR_V2_MEDIA_TYPE}`);
    }
    const limit = state.rateLimit;
    if (limit) {
      const now = Date.now();
      let w = windows.get(token!);
      if (!w || now - w.started >= limit.windowMs)
        windows.set(token!, (w = { started: now, count: 0 }));
      w.count++;
      const resetSeconds = Math.max(1, Math.ceil((w.started + limit.windowMs - now) / 1000));
      res.set('X-RateLimit-Limit', String(limit.limit));
      res.set('X-RateLimit-Remaining', String(Math.max(0, limit.limit - w.count)));
      res.set('X-RateLimit-Reset', String(resetSeconds));
      if (w.count > limit.limit)
        return sendError(res, 429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded');
    }
    next();
  };
}

/** Cursor = the last id of the previous page, so removals between pages skip nothing. */
function page<T extends { id: string }>(req: Request, res: Response, all: T[], size: number) {
  const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  let start = 0;
  if (cursor) {
    let after: string;
    try {
      after = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!after.startsWith('after:')) throw new Error('bad cursor');
    } catch {
      return sendError(res, 400, 'BAD_REQUEST', 'Invalid cursor', [
        { reason: 'invalid', subject: 'cursor' },
      ]);
    }
    const lastId = after.slice('after:'.length);
    start = sorted.findIndex((item) => item.id > lastId);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + size);
  const last = items[items.length - 1];
  const more = start + size < sorted.length && last;
  res.type(EVOTOR_V2_MEDIA_TYPE).json({
    items,
    paging: more ? { next_cursor: Buffer.from(`after:${last.id}`).toString('base64url') } : {},
  });
}

export function apiRoutes(state: EvotorSimulatorState): Router {
  const router = Router();

  const ownStore = (req: Request, res: Response): SimStore | null => {
    const sim = state.stores.get(String(req.params.storeId));
    if (!sim || sim.store.user_id !== res.locals.userId) {
      sendError(res, 404, 'NOT_FOUND', 'Store not found');
      return null;
    }
    if (sim.paymentRequired) {
      sendError(res, 402, 'PAYMENT_REQUIRED', 'Application is not paid for this store');
      return null;
    }
    return sim;
  };

  router.get('/stores', (req, res) => {
    const stores = state.storesOf(String(res.locals.userId)).map((s) => s.store);
    page(req, res, stores, state.pageSize);
  });

  router.get('/stores/:storeId', (req, res) => {
    const sim = state.stores.get(req.params.storeId);
    if (!sim || sim.store.user_id !== res.locals.userId) {
      return sendError(res, 404, 'NOT_FOUND', 'Store not found');
    }
    res.type(EVOTOR_V2_MEDIA_TYPE).json(sim.store);
  });

  router.get('/stores/:storeId/product-groups', (req, res) => {
    const sim = ownStore(req, res);
    if (sim) page(req, res, [...sim.groups.values()], state.pageSize);
  });

  router.get('/stores/:storeId/products', (req, res) => {
    const sim = ownStore(req, res);
    if (sim) page(req, res, [...sim.products.values()], state.pageSize);
  });

  router.get('/stores/:storeId/products/:productId', (req, res) => {
    const sim = ownStore(req, res);
    if (!sim) return;
    const product = sim.products.get(req.params.productId);
    if (!product) return sendError(res, 404, 'NOT_FOUND', 'Product not found');
    res.type(EVOTOR_V2_MEDIA_TYPE).json(product);
  });

  router.get('/stores/:storeId/products/:productId/images', async (req, res) => {
    const sim = ownStore(req, res);
    if (!sim) return;
    if (!sim.products.has(req.params.productId))
      return sendError(res, 404, 'NOT_FOUND', 'Product not found');
    const image = sim.images.get(req.params.productId);
    const origin = `${req.protocol}://${req.get('host')}`;
    const items = image ? [await imageItem(image, sim.store.id, origin)] : [];
    page(req, res, items, state.pageSize);
  });

  router.get('/stores/:storeId/products/:productId/images/:imageId', async (req, res) => {
    const sim = ownStore(req, res);
    if (!sim) return;
    const image = sim.images.get(req.params.productId);
    if (!image || image.id !== req.params.imageId)
      return sendError(res, 404, 'NOT_FOUND', 'Image not found');
    res
      .type(EVOTOR_V2_MEDIA_TYPE)
      .json(await imageItem(image, sim.store.id, `${req.protocol}://${req.get('host')}`));
  });

  router.get('/stores/:storeId/product-groups/:groupId', (req, res) => {
    const sim = ownStore(req, res);
    if (!sim) return;
    const group = sim.groups.get(req.params.groupId);
    if (!group) return sendError(res, 404, 'NOT_FOUND', 'Product group not found');
    res.type(EVOTOR_V2_MEDIA_TYPE).json(group);
  });

  // EvoSync only reads; writes answer as a real server would to an app without write scope.
  router.all('/stores/*rest', (req, res, next) => {
    if (req.method === 'GET') return next();
    sendError(res, 403, 'FORBIDDEN', 'Missing scope for this operation');
  });

  return router;
}

/**
 * The image files the lists' `url`s point to. Evotor's documentation does not say whether its
 * image URLs need the token; these do not (a link to a file store), and EvoSync sends the token
 * only to the API's own origin anyway.
 */
export function imageFileRoutes(state: EvotorSimulatorState): Router {
  const router = Router();
  router.get('/images/:storeId/:file', async (req, res) => {
    const sim = state.stores.get(req.params.storeId);
    const id = req.params.file.replace(/\.png$/, '');
    const image = sim && [...sim.images.values()].find((i) => i.id === id);
    if (!image) return sendError(res, 404, 'NOT_FOUND', 'Image not found');
    res.type('image/png').send(await imagePng(image));
  });
  return router;
}
