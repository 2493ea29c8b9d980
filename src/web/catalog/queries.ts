import { QueryTypes, type Sequelize } from 'sequelize';
import type {
  FilterEntityType,
  FilterMode,
  SyncFilterRule,
} from '../../domain/sync-config/events.js';
import type { GroupRow } from './scope.js';

const select = <T extends object>(sequelize: Sequelize, sql: string, replacements: unknown[]) =>
  sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

export interface StoreRow {
  store_id: string;
  name: string;
  address: string;
  access: string;
  lost: number;
}

export const storesOf = (sequelize: Sequelize, userId: string) =>
  select<StoreRow>(
    sequelize,
    `SELECT store_id, name, address, access, lost FROM cached_stores
     WHERE user_id = ? ORDER BY lost, name, store_id`,
    [userId],
  );

/** The user's store, or null: another user's store id reads as unknown (404). */
export async function storeOf(
  sequelize: Sequelize,
  userId: string,
  storeId: string,
): Promise<StoreRow | null> {
  const rows = await select<StoreRow>(
    sequelize,
    'SELECT store_id, name, address, access, lost FROM cached_stores WHERE user_id = ? AND store_id = ?',
    [userId, storeId],
  );
  return rows[0] ?? null;
}

/**
 * The store with what its pages need besides: the sync-config revision for the forms and the
 * VK community for item links. One round trip: these are read on every catalog page.
 */
export async function storeWithSettings(
  sequelize: Sequelize,
  userId: string,
  storeId: string,
): Promise<
  (StoreRow & { revision: number; vk_group_id: number | null; vk_token_kind: string | null }) | null
> {
  const rows = await select<
    StoreRow & {
      revision: number | null;
      vk_group_id: number | null;
      vk_token_kind: string | null;
    }
  >(
    sequelize,
    `SELECT s.store_id, s.name, s.address, s.access, s.lost, c.revision, v.group_id AS vk_group_id,
            v.token_kind AS vk_token_kind
     FROM cached_stores s
     LEFT JOIN sync_configs c ON c.user_id = ?
     LEFT JOIN vk_connections v ON v.user_id = ? AND v.connected = 1
     WHERE s.user_id = ? AND s.store_id = ?`,
    [userId, userId, userId, storeId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...row,
    revision: row.revision == null ? -1 : Number(row.revision),
    vk_group_id: row.vk_group_id == null ? null : Number(row.vk_group_id),
  };
}

export async function countsByStore(
  sequelize: Sequelize,
  userId: string,
): Promise<Map<string, { groups: number; products: number }>> {
  const [groups, products] = await Promise.all(
    ['cached_groups', 'cached_products'].map((table) =>
      select<{ store_id: string; n: number }>(
        sequelize,
        `SELECT store_id, COUNT(*) AS n FROM ${table} WHERE user_id = ? AND removed = 0 GROUP BY store_id`,
        [userId],
      ),
    ),
  );
  const counts = new Map<string, { groups: number; products: number }>();
  const at = (id: string) => counts.get(id) ?? counts.set(id, { groups: 0, products: 0 }).get(id)!;
  for (const g of groups!) at(g.store_id).groups = Number(g.n);
  for (const p of products!) at(p.store_id).products = Number(p.n);
  return counts;
}

export const groupsOf = (sequelize: Sequelize, userId: string, storeId: string) =>
  select<GroupRow>(
    sequelize,
    `SELECT group_id, parent_id, name FROM cached_groups
     WHERE user_id = ? AND store_id = ? AND removed = 0 ORDER BY name, group_id`,
    [userId, storeId],
  );

/** The live filter rules (cleared ones stay in the table as tombstones). */
export async function rulesOf(sequelize: Sequelize, userId: string): Promise<SyncFilterRule[]> {
  const rows = await select<{
    entity_type: FilterEntityType;
    entity_id: string;
    entity_name: string;
    filter_mode: FilterMode;
    parent_entity_id: string | null;
  }>(
    sequelize,
    `SELECT entity_type, entity_id, entity_name, filter_mode, parent_entity_id FROM sync_filters
     WHERE user_id = ? AND cleared = 0`,
    [userId],
  );
  return rows.map((r) => ({
    entityType: r.entity_type,
    entityId: r.entity_id,
    entityName: r.entity_name,
    mode: r.filter_mode,
    parentEntityId: r.parent_entity_id,
  }));
}

/** The sync-config stream's revision the forms send back (-1: no stream yet). */
export async function configRevision(sequelize: Sequelize, userId: string): Promise<number> {
  const rows = await select<{ revision: number }>(
    sequelize,
    'SELECT revision FROM sync_configs WHERE user_id = ?',
    [userId],
  );
  return rows[0] ? Number(rows[0].revision) : -1;
}

export async function groupOf(
  sequelize: Sequelize,
  userId: string,
  storeId: string,
  groupId: string,
): Promise<GroupRow | null> {
  const rows = await select<GroupRow>(
    sequelize,
    `SELECT group_id, parent_id, name FROM cached_groups
     WHERE user_id = ? AND store_id = ? AND group_id = ? AND removed = 0`,
    [userId, storeId, groupId],
  );
  return rows[0] ?? null;
}

export async function productOf(
  sequelize: Sequelize,
  userId: string,
  storeId: string,
  productId: string,
): Promise<{ product_id: string; name: string; group_id: string | null } | null> {
  const rows = await select<{ product_id: string; name: string; group_id: string | null }>(
    sequelize,
    `SELECT product_id, name, group_id FROM cached_products
     WHERE user_id = ? AND store_id = ? AND product_id = ? AND removed = 0`,
    [userId, storeId, productId],
  );
  return rows[0] ?? null;
}
