import { Router, json, type Request, type Response } from 'express';
import type { VkSimAdmin } from './admin.js';

/** The admin object over HTTP (JSON), for the demo and for tests in other processes. */
export function adminRouter(admin: VkSimAdmin): Router {
  const router = Router();
  router.use(json({ limit: '1mb' }));
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
  const wrap =
    (fn: (req: Request) => unknown) =>
    (req: Request, res: Response): void => {
      try {
        res.json({ ok: true, result: fn(req) ?? null });
      } catch (e) {
        res.status(400).json({ ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    };
  const id = (req: Request) => Number(req.params.id);

  router.get(
    '/state',
    wrap(() => admin.snapshot()),
  );
  router.get(
    '/log',
    wrap(() => admin.callLog()),
  );
  router.post(
    '/log/reset',
    wrap(() => admin.resetCallLog()),
  );
  router.post(
    '/users',
    wrap((req) => admin.addUser(body(req) as never)),
  );
  router.post(
    '/communities',
    wrap((req) => admin.addCommunity(body(req) as never)),
  );
  router.post(
    '/tokens',
    wrap((req) => admin.addToken(body(req) as never)),
  );
  router.post(
    '/shops',
    wrap((req) => admin.addShop(body(req) as never)),
  );
  router.patch(
    '/items/:id',
    wrap((req) => admin.changeItem(id(req), body(req))),
  );
  router.delete(
    '/items/:id',
    wrap((req) => admin.deleteItem(id(req), req.query.hard === '1')),
  );
  router.delete(
    '/albums/:id',
    wrap((req) => admin.deleteAlbum(id(req))),
  );
  router.post(
    '/limits',
    wrap((req) => admin.setLimits(body(req))),
  );
  router.post(
    '/faults',
    wrap((req) => admin.addFault(body(req) as never)),
  );
  router.post(
    '/faults/random',
    wrap((req) => admin.setRandomFaults(body(req) as never)),
  );
  router.post(
    '/faults/http',
    wrap((req) => admin.setHttpFaults(body(req) as never)),
  );
  router.delete(
    '/faults',
    wrap(() => admin.clearFaults()),
  );
  router.post(
    '/settings',
    wrap((req) => admin.setSettings(body(req))),
  );
  router.post(
    '/oauth/app',
    wrap((req) => admin.setOAuthApp(body(req) as never)),
  );
  router.post(
    '/vk-id/app',
    wrap((req) => admin.setVkIdApp(body(req) as never)),
  );
  router.post(
    '/vk-id/revoke',
    wrap((req) => admin.revokeVkIdAccess(Number(body(req).userId))),
  );
  router.get(
    '/vk-id/log',
    wrap(() => admin.vkIdRequests()),
  );
  router.post(
    '/oauth/login-as',
    wrap((req) => admin.setLoginUser(Number(body(req).userId))),
  );
  router.post(
    '/reset',
    wrap(() => admin.reset()),
  );
  return router;
}
