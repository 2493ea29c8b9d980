import {
  CONFIGURABLE_FIELDS,
  ruleKey,
  SYNC_TASKS,
  type ConfigurableField,
  type FieldOwner,
  type SyncConfigEvent,
  type SyncFilterRule,
  type SyncTask,
} from './events.js';
import { DEFAULT_PRICE_MULTIPLIER } from './price-multiplier.js';
import { DEFAULT_STOCK_POLICY, type StockPolicy } from './stock.js';

export interface SyncConfigState {
  enabled: boolean;
  /** ISO time of the last confirmation; survives DisableSync as `confirmed_at` did */
  confirmedAt: string | null;
  /** canonical decimal string, see price-multiplier.ts */
  priceMultiplier: string;
  tasks: Readonly<Record<SyncTask, boolean>>;
  /** by `entityType:entityId`: one rule per entity, as the old unique constraint had it */
  rules: ReadonlyMap<string, SyncFilterRule>;
  /** who owns the fields the owner may leave to VK; EvoSync owns all of them by default */
  ownership: Readonly<Record<ConfigurableField, FieldOwner>>;
  /** streams older than the setting fold to the default: stock from Evotor, «нет в наличии» */
  stock: Readonly<StockPolicy>;
  /** seconds between periodic runs; null: the configured default */
  runIntervalSeconds: number | null;
}

export const initialSyncConfigState = (): SyncConfigState => ({
  enabled: false,
  confirmedAt: null,
  priceMultiplier: DEFAULT_PRICE_MULTIPLIER,
  tasks: Object.fromEntries(SYNC_TASKS.map((t) => [t, true])) as Record<SyncTask, boolean>,
  rules: new Map(),
  ownership: Object.fromEntries(CONFIGURABLE_FIELDS.map((f) => [f, 'evosync'])) as Record<
    ConfigurableField,
    FieldOwner
  >,
  stock: DEFAULT_STOCK_POLICY,
  runIntervalSeconds: null,
});

export function evolveSyncConfig(state: SyncConfigState, event: SyncConfigEvent): SyncConfigState {
  switch (event.type) {
    case 'SyncEnabled':
      return { ...state, enabled: true };
    case 'SyncDisabled':
      return { ...state, enabled: false };
    case 'SyncConfirmed':
      return { ...state, confirmedAt: event.data.confirmedAt };
    case 'PriceMultiplierChanged':
      return { ...state, priceMultiplier: event.data.to };
    case 'SyncTaskToggled':
      return { ...state, tasks: { ...state.tasks, [event.data.task]: event.data.enabled } };
    case 'SyncFilterRuleSet': {
      const rules = new Map(state.rules);
      rules.set(ruleKey(event.data.rule.entityType, event.data.rule.entityId), event.data.rule);
      return { ...state, rules };
    }
    case 'SyncFilterRuleCleared': {
      const rules = new Map(state.rules);
      rules.delete(ruleKey(event.data.entityType, event.data.entityId));
      return { ...state, rules };
    }
    case 'FieldOwnershipChanged':
      return { ...state, ownership: { ...state.ownership, [event.data.field]: event.data.owner } };
    case 'StockSourceChanged': {
      const { source, fixedAmount } = event.data;
      return { ...state, stock: { ...state.stock, source, fixedAmount } };
    }
    case 'UnavailableItemsModeChanged':
      return { ...state, stock: { ...state.stock, unavailable: event.data.mode } };
    case 'RunIntervalChanged':
      return { ...state, runIntervalSeconds: event.data.seconds };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/**
 * The plan's three states. Sync runs only when `active`: the master switch is on and the user
 * confirmed at some point. A disabled config reads as `not_configured` (nothing will run);
 * switching it back on goes straight to `active` when it had been confirmed before, as the old
 * `is_enabled AND confirmed_at IS NOT NULL` check did.
 */
export type SyncStatus = 'not_configured' | 'awaiting_confirmation' | 'active';

export function syncStatus(state: SyncConfigState): SyncStatus {
  if (!state.enabled) return 'not_configured';
  return state.confirmedAt === null ? 'awaiting_confirmation' : 'active';
}

/** Whether the periodic pipeline should run a task for this user. */
export function taskRuns(state: SyncConfigState, task: SyncTask): boolean {
  return syncStatus(state) === 'active' && state.tasks[task];
}

export const filterRules = (state: SyncConfigState): SyncFilterRule[] => [...state.rules.values()];
