/**
 * The user's sync configuration (stream `sync-config-{userId}`): the master switch, the
 * explicit confirmation, the price multiplier, the per-task switches, the filter rules of
 * the sync-configuration plan (see filters.ts for what the rules mean), the stock policy
 * (stock.ts) and how often the periodic run fetches (run-interval.ts).
 */
import type { StockSource, UnavailableMode } from './stock.js';

/** The three steps of the old pipeline, each of which the old /sync page could switch off. */
export const SYNC_TASKS = ['refresh_catalog', 'refresh_vk_catalog', 'mirror_to_vk'] as const;
export type SyncTask = (typeof SYNC_TASKS)[number];

/**
 * Fields of a VK item the owner may leave to VK (edited there by hand, never overwritten). Name,
 * price, availability and album are always EvoSync's: they are what the sync is for.
 */
export const CONFIGURABLE_FIELDS = ['description', 'photos'] as const;
export type ConfigurableField = (typeof CONFIGURABLE_FIELDS)[number];
export type FieldOwner = 'evosync' | 'vk';

export type FilterEntityType = 'store' | 'group' | 'product';
export type FilterMode = 'include' | 'exclude';

export interface SyncFilterRule {
  entityType: FilterEntityType;
  /** Evotor id */
  entityId: string;
  /** the name when the rule was set, for display only */
  entityName: string;
  mode: FilterMode;
  /** the store of a group, the group of a product; display and grouping only */
  parentEntityId: string | null;
}

export type SyncConfigEvent =
  | { type: 'SyncEnabled'; data: { userId: string } }
  | { type: 'SyncDisabled'; data: { userId: string } }
  | { type: 'SyncConfirmed'; data: { userId: string; confirmedAt: string } }
  /** multipliers as canonical decimal strings ("1.15"): exact and readable in the audit log */
  | { type: 'PriceMultiplierChanged'; data: { userId: string; from: string; to: string } }
  | { type: 'SyncTaskToggled'; data: { userId: string; task: SyncTask; enabled: boolean } }
  | { type: 'SyncFilterRuleSet'; data: { userId: string; rule: SyncFilterRule } }
  | {
      type: 'SyncFilterRuleCleared';
      data: { userId: string; entityType: FilterEntityType; entityId: string };
    }
  | {
      type: 'FieldOwnershipChanged';
      data: { userId: string; field: ConfigurableField; owner: FieldOwner };
    }
  /** `fixedAmount` null: the configured default stock (VK_STOCK_AMOUNT) */
  | {
      type: 'StockSourceChanged';
      data: { userId: string; source: StockSource; fixedAmount: number | null };
    }
  | { type: 'UnavailableItemsModeChanged'; data: { userId: string; mode: UnavailableMode } }
  /** `seconds` null: back to the configured default */
  | { type: 'RunIntervalChanged'; data: { userId: string; seconds: number | null } };

/** Every sync-config event type; the record makes the compiler ask for a new one. */
const SYNC_CONFIG_TYPES: Record<SyncConfigEvent['type'], true> = {
  SyncEnabled: true,
  SyncDisabled: true,
  SyncConfirmed: true,
  PriceMultiplierChanged: true,
  SyncTaskToggled: true,
  SyncFilterRuleSet: true,
  SyncFilterRuleCleared: true,
  FieldOwnershipChanged: true,
  StockSourceChanged: true,
  UnavailableItemsModeChanged: true,
  RunIntervalChanged: true,
};
export const SYNC_CONFIG_EVENT_TYPES = Object.keys(SYNC_CONFIG_TYPES) as Array<
  SyncConfigEvent['type']
>;

export const syncConfigStream = (userId: string) => `sync-config-${userId}`;

export const ruleKey = (entityType: FilterEntityType, entityId: string) =>
  `${entityType}:${entityId}`;
