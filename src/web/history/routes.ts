import { Router } from 'express';
import { QueryTypes } from 'sequelize';
import {
  applyPriceMultiplier,
  DEFAULT_PRICE_MULTIPLIER,
} from '../../domain/sync-config/price-multiplier.js';
import { requirePermission } from '../auth/current-user.js';
import type { DashboardDeps } from '../dashboard/deps.js';
import { productTimeline, rubles } from './timeline.js';
import { scoped } from '../scoped.js';
import { vkItemError } from '../shared/owner-errors.js';
import { pageFormat } from '../shared/format.js';

/** Newest entries shown; a product changed daily for years still renders as one page. */
const MAX_ENTRIES = 300;

const ITEM_STATES: Record<string, string> = {
  pending: 'создаётся',
  active: 'показан',
  hidden: 'скрыт',
  deleted: 'удалён',
};

/**
 * Answers "why does VK show this price": the product's timeline across Evotor, the VK pushes and
 * the multiplier, with the price EvoSync wants now next to the one it last pushed.
 */
export function historyRoutes({ sequelize, eventStore }: DashboardDeps): Router {
  const r = Router();
  const select = <T extends object>(sql: string, replacements: unknown[]) =>
    sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

  r.get(
    '/catalog/stores/:storeId/products/:productId/history',
    requirePermission('sync.use'),
    async (req, res) => {
      const userId = req.currentUser!.id;
      const storeId = String(req.params.storeId);
      const productId = String(req.params.productId);
      const [product] = await select<{ name: string; price_kopecks: number; removed: number }>(
        `SELECT name, price_kopecks, removed FROM cached_products
          WHERE user_id = ? AND store_id = ? AND product_id = ?`,
        [userId, storeId, productId],
      );
      if (!product) {
        return res.status(404).render('error', {
          title: 'Не найдено',
          status: 404,
          message: 'Такого товара нет в ваших магазинах.',
        });
      }
      const [[config], [vk]] = await Promise.all([
        select<{ price_multiplier: string }>(
          'SELECT price_multiplier FROM sync_configs WHERE user_id = ?',
          [userId],
        ),
        select<{ token_kind: string | null }>(
          'SELECT token_kind FROM vk_connections WHERE user_id = ?',
          [userId],
        ),
      ]);
      const tokenKind = vk?.token_kind ?? null;
      const [item] = await select<{
        item_id: number | null;
        state: string;
        price_kopecks: number | null;
        last_error: string | null;
      }>(
        'SELECT item_id, state, price_kopecks, last_error FROM vk_mirror_items WHERE user_id = ? AND product_id = ?',
        [userId, productId],
      );
      const [inVk] = item?.item_id
        ? await select<{ price_kopecks: number; title: string }>(
            'SELECT price_kopecks, title FROM vk_cached_products WHERE user_id = ? AND item_id = ? AND gone = 0',
            [userId, item.item_id],
          )
        : [];

      const timeline = await productTimeline(
        eventStore,
        userId,
        storeId,
        productId,
        tokenKind,
        pageFormat(res).timeZone,
      );
      const lastPush = timeline.findLast((e) => e.pushedPriceKopecks !== null) ?? null;
      const multiplier = config?.price_multiplier ?? DEFAULT_PRICE_MULTIPLIER;
      const evotorPrice = Number(product.price_kopecks);
      const desired = applyPriceMultiplier(evotorPrice, multiplier);
      const pushedPrice =
        lastPush?.pushedPriceKopecks ??
        (item?.price_kopecks != null ? Number(item.price_kopecks) : null);

      res.render('history/show', {
        title: `История: ${product.name}`,
        product: { ...product, removed: Number(product.removed) === 1, storeId, productId },
        price: {
          evotor: rubles(evotorPrice),
          multiplier,
          desired: rubles(desired),
          pushed: pushedPrice === null ? null : rubles(pushedPrice),
          pushedAt: lastPush?.at ?? null,
          inVk: inVk ? rubles(Number(inVk.price_kopecks)) : null,
          upToDate: pushedPrice === desired,
        },
        item: item
          ? {
              ...item,
              stateLabel: ITEM_STATES[item.state] ?? item.state,
              error: vkItemError(item.last_error, tokenKind),
            }
          : null,
        entries: timeline.slice(-MAX_ENTRIES),
        omitted: Math.max(0, timeline.length - MAX_ENTRIES),
      });
    },
  );
  return scoped('/catalog', r);
}
