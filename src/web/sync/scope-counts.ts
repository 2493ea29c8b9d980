import { QueryTypes, type Sequelize } from 'sequelize';
import { compileScope, groupAncestors } from '../../domain/sync-config/filters.js';
import { rulesOf } from '../catalog/queries.js';

export interface ScopeCounts {
  stores: { inScope: number; total: number };
  groups: { inScope: number; total: number };
  products: { inScope: number; total: number };
}

/**
 * How much of the catalog the filters let through, asked of the domain's own scope (as the push
 * and the catalog pages ask it), over the catalog read tables.
 */
export async function loadScopeCounts(sequelize: Sequelize, userId: string): Promise<ScopeCounts> {
  const q = <T extends object>(sql: string) =>
    sequelize.query<T>(sql, { replacements: [userId], type: QueryTypes.SELECT });
  const [rules, stores, groups, products] = await Promise.all([
    rulesOf(sequelize, userId),
    q<{ store_id: string }>('SELECT store_id FROM cached_stores WHERE user_id = ? AND lost = 0'),
    q<{ store_id: string; group_id: string; parent_id: string | null }>(
      'SELECT store_id, group_id, parent_id FROM cached_groups WHERE user_id = ? AND removed = 0',
    ),
    q<{ store_id: string; group_id: string | null; product_id: string }>(
      'SELECT store_id, group_id, product_id FROM cached_products WHERE user_id = ? AND removed = 0',
    ),
  ]);
  const scope = compileScope(rules);
  const live = new Set(stores.map((s) => s.store_id));
  const parents = new Map(groups.map((g) => [`${g.store_id}\u0001${g.group_id}`, g.parent_id]));
  const ancestors = (storeId: string, groupId: string | null) =>
    groupAncestors(groupId, (id) => parents.get(`${storeId}\u0001${id}`));
  const inLiveStore = <T extends { store_id: string }>(rows: T[]) =>
    rows.filter((r) => live.has(r.store_id));
  const liveGroups = inLiveStore(groups);
  const liveProducts = inLiveStore(products);
  return {
    stores: { inScope: stores.filter((s) => scope.store(s.store_id)).length, total: stores.length },
    groups: {
      inScope: liveGroups.filter((g) =>
        scope.group(g.store_id, g.group_id, ancestors(g.store_id, g.group_id)),
      ).length,
      total: liveGroups.length,
    },
    products: {
      inScope: liveProducts.filter((p) =>
        scope.product({
          storeId: p.store_id,
          groupId: p.group_id,
          groupAncestors: ancestors(p.store_id, p.group_id),
          productId: p.product_id,
        }),
      ).length,
      total: liveProducts.length,
    },
  };
}
