import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { SimulatorAdminError, type EvotorSimulatorState, type Fault } from './state.js';

/**
 * `/__admin/…`: the same operations as the in-process `admin` object, as JSON over HTTP, for
 * the demo and for tests that drive the simulator from another process.
 */
export function adminRoutes(state: EvotorSimulatorState): Router {
  const router = Router();
  router.use(express.json({ limit: '10mb' }));
  const body = (req: Request) => (req.body ?? {}) as Record<string, never>;
  const p = (req: Request, name: string) => String(req.params[name]);

  router.post('/users', (req, res) => {
    res.status(201).json(state.createUser(body(req)));
  });
  router.post('/users/:userId/tokens', (req, res) => {
    res.status(201).json({ token: state.createToken(p(req, 'userId'), body(req).token) });
  });
  router.delete('/tokens/:token', (req, res) => {
    state.revokeToken(p(req, 'token'));
    res.status(204).end();
  });
  router.post('/users/:userId/seed', (req, res) => {
    res.status(201).json(state.seedCatalog(p(req, 'userId'), body(req)));
  });
  router.get('/users/:userId/stores', (req, res) => {
    res.json(
      state.storesOf(p(req, 'userId')).map((s) => ({
        ...s.store,
        paymentRequired: s.paymentRequired,
        groups: s.groups.size,
        products: s.products.size,
      })),
    );
  });
  router.post('/users/:userId/stores', (req, res) => {
    res.status(201).json(state.addStore(p(req, 'userId'), body(req)));
  });

  router.patch('/stores/:storeId', (req, res) => {
    res.json(state.changeStore(p(req, 'storeId'), body(req)));
  });
  router.delete('/stores/:storeId', (req, res) => {
    state.removeStore(p(req, 'storeId'));
    res.status(204).end();
  });

  for (const kind of ['groups', 'products'] as const) {
    router.get(`/stores/:storeId/${kind}`, (req, res) => {
      const id = p(req, 'storeId');
      res.json(kind === 'groups' ? state.groups(id) : state.products(id));
    });
    router.post(`/stores/:storeId/${kind}`, (req, res) => {
      const id = p(req, 'storeId');
      const fields = (req.body ?? {}) as { name?: unknown };
      if (typeof fields.name !== 'string') throw new SimulatorAdminError(400, 'name is required');
      const named = fields as { name: string };
      res
        .status(201)
        .json(kind === 'groups' ? state.addGroup(id, named) : state.addProduct(id, named));
    });
    router.patch(`/stores/:storeId/${kind}/:id`, (req, res) => {
      const [store, id] = [p(req, 'storeId'), p(req, 'id')];
      res.json(
        kind === 'groups'
          ? state.changeGroup(store, id, body(req))
          : state.changeProduct(store, id, body(req)),
      );
    });
    router.delete(`/stores/:storeId/${kind}/:id`, (req, res) => {
      const [store, id] = [p(req, 'storeId'), p(req, 'id')];
      if (kind === 'groups') state.removeGroup(store, id);
      else state.removeProduct(store, id);
      res.status(204).end();
    });
  }

  router.put('/stores/:storeId/products/:id/image', (req, res) => {
    const { png: _png, ...image } = state.setProductImage(
      p(req, 'storeId'),
      p(req, 'id'),
      body(req),
    );
    res.json(image);
  });
  router.delete('/stores/:storeId/products/:id/image', (req, res) => {
    state.removeProductImage(p(req, 'storeId'), p(req, 'id'));
    res.status(204).end();
  });
  // Where and with which token the cloud sends the app its data notifications.
  router.put('/app', (req, res) => {
    const { baseUrl } = body(req) as { baseUrl?: unknown };
    if (typeof baseUrl !== 'string') throw new SimulatorAdminError(400, 'baseUrl is required');
    state.notifier.baseUrl = baseUrl;
    res.json({ baseUrl });
  });
  router.put('/users/:userId/app-token', (req, res) => {
    const { token } = body(req) as { token?: unknown };
    if (typeof token !== 'string') throw new SimulatorAdminError(400, 'token is required');
    state.notifier.appTokens.set(p(req, 'userId'), token);
    res.status(204).end();
  });
  router.get('/notifications', (_req, res) => {
    res.json({ count: state.notifier.log.length, notifications: state.notifier.log });
  });
  router.post('/stores/:storeId/receipts', (req, res) => {
    const { type, items } = body(req) as { type?: unknown; items?: unknown };
    if (!Array.isArray(items)) throw new SimulatorAdminError(400, 'items are required');
    if (type !== undefined && type !== 'SELL' && type !== 'PAYBACK')
      throw new SimulatorAdminError(400, 'type is SELL or PAYBACK');
    const lines = items as Array<{ id: string; quantity: number }>;
    res.status(201).json(state.closeReceipt(p(req, 'storeId'), { type, items: lines }));
  });

  router.get('/settings', (_req, res) => {
    res.json({ pageSize: state.pageSize, rateLimit: state.rateLimit });
  });
  router.put('/settings', (req, res) => {
    const { pageSize, rateLimit } = body(req) as {
      pageSize?: number;
      rateLimit?: { limit: number; windowMs: number } | null;
    };
    if (pageSize !== undefined) state.setPageSize(pageSize);
    if (rateLimit !== undefined) state.setRateLimit(rateLimit);
    res.json({ pageSize: state.pageSize, rateLimit: state.rateLimit });
  });

  router.get('/faults', (_req, res) => {
    res.json(
      state.faults.map((f) => ({
        id: f.id,
        ...f.fault,
        path: f.pattern.source,
        remaining: f.remaining,
      })),
    );
  });
  router.post('/faults', (req, res) => {
    res.status(201).json({ id: state.addFault(body(req) as unknown as Fault) });
  });
  router.delete('/faults', (_req, res) => {
    state.clearFaults();
    res.status(204).end();
  });

  router.get('/requests', (req, res) => {
    const path = typeof req.query.path === 'string' ? req.query.path : undefined;
    const status = req.query.status === undefined ? undefined : Number(req.query.status);
    const requests = state.requests({ path, status });
    res.json({ count: requests.length, requests });
  });
  router.delete('/requests', (_req, res) => {
    state.clearRequests();
    res.status(204).end();
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SimulatorAdminError)
      return res.status(err.status).json({ error: err.message });
    if (err instanceof SyntaxError || err instanceof TypeError || err instanceof RangeError) {
      return res.status(400).json({ error: err.message });
    }
    next(err);
  });
  return router;
}
