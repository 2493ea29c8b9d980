import { QueryTypes, type Sequelize } from 'sequelize';
import { SYNC_TASKS, type SyncTask } from '../../domain/sync-config/events.js';
import { DEFAULT_PRICE_MULTIPLIER } from '../../domain/sync-config/price-multiplier.js';
import type { SyncStatus } from '../../domain/sync-config/state.js';

const select = <T extends object>(sequelize: Sequelize, sql: string, replacements: unknown[]) =>
  sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

export interface SyncConfigView {
  enabled: boolean;
  confirmedAt: Date | null;
  priceMultiplier: string;
  tasks: Record<SyncTask, boolean>;
  status: SyncStatus;
  /** the stream revision the form sends back; -1 before the first setting */
  revision: number;
}

/** The user's settings as the sync-configs projection has them (defaults before any event). */
export async function loadSyncConfigView(
  sequelize: Sequelize,
  userId: string,
): Promise<SyncConfigView> {
  const [row] = await select<Record<string, unknown>>(
    sequelize,
    'SELECT * FROM sync_configs WHERE user_id = ?',
    [userId],
  );
  if (!row) {
    return {
      enabled: false,
      confirmedAt: null,
      priceMultiplier: DEFAULT_PRICE_MULTIPLIER,
      tasks: Object.fromEntries(SYNC_TASKS.map((t) => [t, true])) as Record<SyncTask, boolean>,
      status: 'not_configured',
      revision: -1,
    };
  }
  return {
    enabled: Number(row.is_enabled) === 1,
    confirmedAt: row.confirmed_at ? new Date(row.confirmed_at as string) : null,
    priceMultiplier: String(row.price_multiplier),
    tasks: Object.fromEntries(SYNC_TASKS.map((t) => [t, Number(row[t]) === 1])) as Record<
      SyncTask,
      boolean
    >,
    status: String(row.status) as SyncStatus,
    revision: Number(row.revision),
  };
}

/** The stores the user's Evotor account lists now: what ConfirmSync checks the filters against. */
export async function userStoreIds(sequelize: Sequelize, userId: string): Promise<string[]> {
  const rows = await select<{ store_id: string }>(
    sequelize,
    'SELECT store_id FROM cached_stores WHERE user_id = ? AND lost = 0 ORDER BY store_id',
    [userId],
  );
  return rows.map((r) => r.store_id);
}

export interface ConnectionView {
  connected: boolean;
  /** null: never checked */
  healthy: boolean | null;
  reason: string | null;
  name: string | null;
  /** VK: how the connection signs its calls ('user' | 'community'), so messages name the right key */
  tokenKind?: string | null;
}

export async function loadConnectionViews(
  sequelize: Sequelize,
  userId: string,
): Promise<{ evotor: ConnectionView; vk: ConnectionView }> {
  const [evotor] = await select<Record<string, unknown>>(
    sequelize,
    'SELECT has_token, healthy, health_reason FROM evotor_connections WHERE user_id = ?',
    [userId],
  );
  const [vk] = await select<Record<string, unknown>>(
    sequelize,
    'SELECT connected, healthy, health_reason, group_name, token_kind FROM vk_connections WHERE user_id = ?',
    [userId],
  );
  const health = (v: unknown) => (v === null || v === undefined ? null : Number(v) === 1);
  return {
    evotor: {
      connected: Number(evotor?.has_token ?? 0) === 1,
      healthy: health(evotor?.healthy),
      reason: (evotor?.health_reason as string | null) ?? null,
      name: null,
    },
    vk: {
      connected: Number(vk?.connected ?? 0) === 1,
      healthy: health(vk?.healthy),
      reason: (vk?.health_reason as string | null) ?? null,
      name: (vk?.group_name as string | null) ?? null,
      tokenKind: (vk?.token_kind as string | null) ?? null,
    },
  };
}

export type RulesSummary = Record<
  'store' | 'group' | 'product',
  { include: number; exclude: number }
>;

export async function loadRulesSummary(
  sequelize: Sequelize,
  userId: string,
): Promise<RulesSummary> {
  const rows = await select<{ entity_type: string; filter_mode: string; n: number }>(
    sequelize,
    `SELECT entity_type, filter_mode, COUNT(*) AS n FROM sync_filters
      WHERE user_id = ? AND cleared = 0 GROUP BY entity_type, filter_mode`,
    [userId],
  );
  const summary: RulesSummary = {
    store: { include: 0, exclude: 0 },
    group: { include: 0, exclude: 0 },
    product: { include: 0, exclude: 0 },
  };
  for (const r of rows) {
    const type = summary[r.entity_type as keyof RulesSummary];
    if (type && (r.filter_mode === 'include' || r.filter_mode === 'exclude'))
      type[r.filter_mode] = Number(r.n);
  }
  return summary;
}
