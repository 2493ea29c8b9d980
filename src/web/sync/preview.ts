import { QueryTypes, type Sequelize } from 'sequelize';
import type { EventStore } from '../../application/ports/event-store.js';
import { previewPush, type PlannedOp } from '../../application/sync/preview.js';
import type { MirrorSettings } from '../../domain/mirror/desired-item.js';
import type { PlanCounts } from '../../domain/mirror/events.js';
import { plannedTotal } from '../../domain/mirror/plan.js';
import { count } from './activity.js';

export const CHANGED_SINCE_PREVIEW =
  'Каталог изменился, пока вы смотрели предварительный расчёт. Ниже — новый расчёт: ' +
  'проверьте его и подтвердите ещё раз.';

export interface PreviewView {
  counts: PlanCounts;
  total: number;
  /** «будет создано 3 997, изменено 0, скрыто 0, удалено 0» */
  sentence: string;
  stores: Array<{ storeId: string; name: string; counts: PlanCounts; href: string }>;
  fingerprint: string;
}

export const previewSentence = (c: PlanCounts) =>
  `будет создано ${count(c.create)}, изменено ${count(c.update)}, скрыто ${count(c.hide)}, удалено ${count(c.delete)}`;

const zero = (): PlanCounts => ({ create: 0, update: 0, hide: 0, delete: 0 });

/** The push's own plan, split by the store each product belongs to (from the catalog read model). */
export async function loadPreview(
  deps: { sequelize: Sequelize; eventStore: EventStore; settings: MirrorSettings },
  userId: string,
): Promise<PreviewView> {
  const [preview, products, stores] = await Promise.all([
    previewPush({ store: deps.eventStore, settings: deps.settings }, userId),
    deps.sequelize.query<{ store_id: string; product_id: string }>(
      'SELECT store_id, product_id FROM cached_products WHERE user_id = ?',
      { replacements: [userId], type: QueryTypes.SELECT },
    ),
    deps.sequelize.query<{ store_id: string; name: string }>(
      'SELECT store_id, name FROM cached_stores WHERE user_id = ? ORDER BY name, store_id',
      { replacements: [userId], type: QueryTypes.SELECT },
    ),
  ]);
  const storeOf = new Map(products.map((p) => [p.product_id, p.store_id]));
  const byStore = new Map<string, PlanCounts>();
  const add = (storeId: string, op: PlannedOp) => {
    const counts = byStore.get(storeId) ?? byStore.set(storeId, zero()).get(storeId)!;
    counts[op]++;
  };
  for (const { productId, op } of preview.ops) add(storeOf.get(productId) ?? '', op);
  const named = new Map(stores.map((s) => [s.store_id, s.name]));
  return {
    counts: preview.counts,
    total: plannedTotal(preview.counts),
    sentence: previewSentence(preview.counts),
    stores: [...byStore]
      .map(([storeId, counts]) => ({
        storeId,
        name: named.get(storeId) ?? 'Товары вне известных магазинов',
        counts,
        href: storeId ? `/catalog/stores/${encodeURIComponent(storeId)}/products` : '/catalog',
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    fingerprint: preview.fingerprint,
  };
}
