import { QueryTypes, type Sequelize } from 'sequelize';
import { STATUS_LABELS } from '../sync/page.js';
import { loadSyncConfigView } from '../sync/queries.js';
import { loadMirrorStatus, loadOwnerFailures } from '../sync/runs.js';
import { connectionError, vkKeyName, type OwnerError } from '../shared/owner-errors.js';

const select = <T extends object>(sequelize: Sequelize, sql: string, replacements: unknown[]) =>
  sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

export interface ShopConnection {
  connected: boolean;
  /** null: never checked */
  healthy: boolean | null;
  /** the service's own words (admins see them) */
  raw: string | null;
  /** what the owner is told about a refused connection */
  problem: OwnerError | null;
  details: string;
  updatedAt: Date | null;
}

const health = (v: unknown) => (v === null || v === undefined ? null : Number(v) === 1);
const when = (v: unknown) => (v ? new Date(v as string) : null);

async function connections(sequelize: Sequelize, userId: string) {
  const [[evotor], [vk]] = await Promise.all([
    select<Record<string, unknown>>(
      sequelize,
      `SELECT has_token, evotor_user_id, linked_via, healthy, health_reason, updated_at
         FROM evotor_connections WHERE user_id = ?`,
      [userId],
    ),
    select<Record<string, unknown>>(
      sequelize,
      `SELECT connected, vk_user_name, group_id, group_name, token_kind, healthy, health_reason,
              updated_at FROM vk_connections WHERE user_id = ?`,
      [userId],
    ),
  ]);
  const evotorHealthy = health(evotor?.healthy);
  const vkHealthy = health(vk?.healthy);
  const tokenKind = (vk?.token_kind as string | null) ?? null;
  const evotorView: ShopConnection = {
    connected: Number(evotor?.has_token ?? 0) === 1,
    healthy: evotorHealthy,
    raw: (evotor?.health_reason as string | null) ?? null,
    problem:
      evotorHealthy === false
        ? connectionError('evotor', evotor?.health_reason as string | null)
        : null,
    details: evotor?.evotor_user_id ? `пользователь Эвотор ${String(evotor.evotor_user_id)}` : '',
    updatedAt: when(evotor?.updated_at),
  };
  const vkView: ShopConnection = {
    connected: Number(vk?.connected ?? 0) === 1,
    healthy: vkHealthy,
    raw: (vk?.health_reason as string | null) ?? null,
    problem:
      vkHealthy === false
        ? connectionError('vk', vk?.health_reason as string | null, tokenKind)
        : null,
    details: vk?.group_id
      ? `сообщество «${String(vk.group_name ?? '')}» (${String(vk.group_id)}), ${vkKeyName(tokenKind)}${vk.vk_user_name ? `, ${String(vk.vk_user_name)}` : ''}`
      : '',
    updatedAt: when(vk?.updated_at),
  };
  return { evotor: evotorView, vk: vkView, vkTokenKind: tokenKind };
}

async function counts(sequelize: Sequelize, userId: string) {
  const [row] = await select<Record<string, number | string>>(
    sequelize,
    `SELECT (SELECT COUNT(*) FROM cached_stores WHERE user_id = ? AND lost = 0) AS stores,
            (SELECT COUNT(*) FROM cached_products WHERE user_id = ? AND removed = 0) AS products,
            (SELECT COUNT(*) FROM vk_mirror_items WHERE user_id = ? AND state = 'active') AS in_vk,
            (SELECT COUNT(*) FROM vk_mirror_items WHERE user_id = ? AND last_error IS NOT NULL)
              AS failing`,
    [userId, userId, userId, userId],
  );
  const n = (k: string) => Number(row?.[k] ?? 0);
  return { stores: n('stores'), products: n('products'), inVk: n('in_vk'), failing: n('failing') };
}

/**
 * The shop behind an account, for the admin's user page: connections with their raw refusal
 * and what the owner is told, the sync settings and push state, counts, and recent VK failures
 * both as VK wrote them and as the owner reads them.
 */
export async function loadShop(sequelize: Sequelize, userId: string) {
  const conn = await connections(sequelize, userId);
  const [config, mirror, failures, totals] = await Promise.all([
    loadSyncConfigView(sequelize, userId),
    loadMirrorStatus(sequelize, userId),
    loadOwnerFailures(sequelize, userId, conn.vkTokenKind, 10),
    counts(sequelize, userId),
  ]);
  return {
    connections: conn,
    config,
    statusLabel: STATUS_LABELS[config.status],
    mirror,
    counts: totals,
    failures: failures.map((f) => ({ at: f.at, owner: f.owner })),
  };
}

export type ShopView = Awaited<ReturnType<typeof loadShop>>;
