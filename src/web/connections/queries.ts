import { QueryTypes, type Sequelize } from 'sequelize';

export interface EvotorConnectionRow {
  evotor_user_id: string | null;
  linked_via: string | null;
  has_token: number;
  healthy: number | null;
  health_reason: string | null;
  updated_at: Date | null;
}

export interface VkConnectionRow {
  connected: number;
  vk_user_id: number | null;
  vk_user_name: string | null;
  group_id: number | null;
  group_name: string | null;
  token_kind: string | null;
  healthy: number | null;
  health_reason: string | null;
  updated_at: Date | null;
}

export async function connectionRows(sequelize: Sequelize, userId: string) {
  const [evotor] = await sequelize.query<EvotorConnectionRow>(
    'SELECT evotor_user_id, linked_via, has_token, healthy, health_reason, updated_at FROM evotor_connections WHERE user_id = ?',
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  const [vk] = await sequelize.query<VkConnectionRow>(
    'SELECT connected, vk_user_id, vk_user_name, group_id, group_name, token_kind, healthy, health_reason, updated_at FROM vk_connections WHERE user_id = ?',
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  return { evotor: evotor ?? null, vk: vk?.connected ? vk : null };
}

/**
 * Who the health job checks: active shop owners (role `user`; admin and system accounts with
 * tokens cost API calls for nothing, as the old system learned) with a token or a community.
 */
