import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Sequelize } from 'sequelize';
import { EVOTOR_ERRORS, WebhookError } from '../../application/connections/index.js';
import type {
  EvotorNotifications,
  LinkedEvotorUsers,
} from '../../application/connections/evotor-notifications.js';
import {
  normalizeReceipt,
  normalizeV1Catalog,
  normalizeV1Store,
} from '../../infrastructure/evotor/normalize.js';
import { EVOTOR_NOTIFICATION_PATHS } from '../../infrastructure/evotor/webhooks.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import { jsonBody, perMinute, sendErrors, unreadableBody, validateJson } from './routes.js';
import { v1ProductsSchema, v1StoresSchema, v2ReceiptSchema } from './schemas.js';

export interface NotificationRoutesDeps {
  notifications: EvotorNotifications;
  logger: Logger;
  /** per IP per minute; a register's edits and sales come in bursts */
  limitPerMinute?: number;
}

/**
 * The token from `Authorization`: Evotor's pages disagree (`Bearer <token>` in the callbacks'
 * OpenAPI, the bare token in the example calls), so both are accepted.
 */
export function notificationToken(req: Request): string | null {
  const header = (req.get('authorization') ?? '').trim();
  const token = header.replace(/^Bearer\s+/i, '').trim();
  return token === '' ? null : token;
}

/** The linked Evotor users, from the connections read table. */
export function linkedEvotorUsers(sequelize: Sequelize): LinkedEvotorUsers {
  return async () => {
    const [rows] = await sequelize.query(
      'SELECT user_id, evotor_user_id FROM evotor_connections WHERE evotor_user_id IS NOT NULL',
    );
    return (rows as Array<{ user_id: string; evotor_user_id: string }>).map((r) => ({
      userId: r.user_id,
      evotorUserId: r.evotor_user_id,
    }));
  };
}

/** Evotor's data notifications: products, stores and receipts, as commands. */
export function notificationRoutes(deps: NotificationRoutesDeps): Router {
  const router = Router();
  const guard: RequestHandler[] = [
    perMinute(deps.limitPerMinute ?? 1200),
    // A whole catalog may come at once (an import at the register): 10,000 products ≈ 5 MB.
    express.text({ type: () => true, limit: '20mb' }),
  ];

  const route = (
    method: 'post' | 'put',
    path: string,
    handle: (token: string, body: unknown, req: Request) => Promise<number>,
  ) => {
    router[method](path, ...guard, async (req: Request, res: Response) => {
      try {
        const token = notificationToken(req);
        if (!token) throw new WebhookError(401, EVOTOR_ERRORS.badCloudToken, 'unauthorized');
        await handle(token, jsonBody(req), req);
        res.status(200).end();
      } catch (error) {
        if (error instanceof WebhookError) return sendErrors(res, error);
        // No body, no token in the log: only where it failed.
        deps.logger.error({ err: error, path }, 'Evotor notification failed');
        res.status(500).json({ errors: [{ code: 500, reason: 'internal error' }] });
      }
    });
  };

  const { notifications } = deps;
  route('post', EVOTOR_NOTIFICATION_PATHS.products, (token, body, req) => {
    const items = validateJson(v1ProductsSchema, body);
    const storeId = String(req.params.storeUuid);
    return notifications.productsNotified(token, storeId, normalizeV1Catalog(items), body);
  });
  route('put', EVOTOR_NOTIFICATION_PATHS.stores, (token, body) =>
    notifications.storesNotified(token, validateJson(v1StoresSchema, body).map(normalizeV1Store)),
  );
  route('post', EVOTOR_NOTIFICATION_PATHS.receipts, (token, body) =>
    notifications.receiptNotified(token, normalizeReceipt(validateJson(v2ReceiptSchema, body))),
  );

  router.use(Object.values(EVOTOR_NOTIFICATION_PATHS), unreadableBody);
  return router;
}
