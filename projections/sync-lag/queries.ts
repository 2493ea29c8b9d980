import { QueryTypes, type Sequelize } from 'sequelize';

/** Users whose changes are meant to reach VK: the sync is on, confirmed and pushing. */
const ACTIVE = `JOIN sync_configs s ON s.user_id = p.user_id
   AND s.is_enabled = 1 AND s.confirmed_at IS NOT NULL AND s.mirror_to_vk = 1`;

export interface VkLag {
  /** the oldest Evotor change not yet in VK; null when VK has everything */
  oldestChangeAt: Date | null;
  /** products with a change waiting */
  products: number;
}

/** One user's lag (for /sync); nothing waits for a user whose sync does not push. */
export async function userVkLag(sequelize: Sequelize, userId: string): Promise<VkLag> {
  const [row] = await sequelize.query<{ oldest: Date | null; products: number | string }>(
    `SELECT MIN(p.changed_at) AS oldest, COUNT(*) AS products
       FROM sync_lag_pending p ${ACTIVE}
      WHERE p.user_id = ?`,
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  return { oldestChangeAt: row?.oldest ?? null, products: Number(row?.products ?? 0) };
}

/** Across users (for /metrics): the worst lag and how many users have one. */
export async function fleetVkLag(
  sequelize: Sequelize,
): Promise<{ oldestChangeAt: Date | null; users: number }> {
  const [row] = await sequelize.query<{ oldest: Date | null; users: number | string }>(
    `SELECT MIN(p.changed_at) AS oldest, COUNT(DISTINCT p.user_id) AS users
       FROM sync_lag_pending p ${ACTIVE}`,
    { type: QueryTypes.SELECT },
  );
  return { oldestChangeAt: row?.oldest ?? null, users: Number(row?.users ?? 0) };
}
