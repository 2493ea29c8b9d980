import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import {
  CONFIGURABLE_FIELDS,
  ruleKey,
  SYNC_TASKS,
  type ConfigurableField,
  type FieldOwner,
  type FilterEntityType,
  type FilterMode,
  type SyncConfigEvent,
  type SyncTask,
} from './events.js';
import { compileScope } from './filters.js';
import { formatPriceMultiplier, parsePriceMultiplier } from './price-multiplier.js';
import { checkRunInterval } from './run-interval.js';
import {
  checkFixedAmount,
  STOCK_SOURCES,
  UNAVAILABLE_MODES,
  type StockSource,
  type UnavailableMode,
} from './stock.js';
import {
  evolveSyncConfig,
  filterRules,
  initialSyncConfigState,
  type SyncConfigState,
} from './state.js';

export type SyncConfigCommand =
  | { type: 'EnableSync'; userId: string }
  | { type: 'DisableSync'; userId: string }
  /**
   * `storeIds`: the stores the user's Evotor account has now (from the store list), passed in
   * because `decide` does no lookups.
   */
  | { type: 'ConfirmSync'; userId: string; storeIds: string[] }
  | { type: 'SetPriceMultiplier'; userId: string; multiplier: string }
  | { type: 'ToggleSyncTask'; userId: string; task: SyncTask; enabled: boolean }
  | {
      type: 'SetFilterRule';
      userId: string;
      entityType: FilterEntityType;
      entityId: string;
      entityName: string;
      mode: FilterMode;
      parentEntityId: string | null;
    }
  | { type: 'ClearFilterRule'; userId: string; entityType: FilterEntityType; entityId: string }
  | { type: 'SetFieldOwnership'; userId: string; field: ConfigurableField; owner: FieldOwner }
  /** `fixedAmount` null: the configured default; kept when the source is `evotor` */
  | { type: 'SetStockSource'; userId: string; source: StockSource; fixedAmount: number | null }
  | { type: 'SetUnavailableItemsMode'; userId: string; mode: UnavailableMode }
  | { type: 'SetRunInterval'; userId: string; seconds: number | null };

/**
 * Confirming starts the sync, so it is refused while the master switch is off, and unless at
 * least one of the user's stores passes the store filter: with no store rules that is any
 * store; in whitelist mode an included one; in blacklist mode one not excluded. The plan's
 * "at least one store is configured" thus means "something could actually be published".
 */
function confirm(
  command: Extract<SyncConfigCommand, { type: 'ConfirmSync' }>,
  state: SyncConfigState,
  ctx: DecideContext,
): SyncConfigEvent[] {
  if (!state.enabled) {
    throw new DomainError('sync_not_enabled', 'Сначала включите синхронизацию.');
  }
  const scope = compileScope(filterRules(state));
  if (!command.storeIds.some((id) => scope.store(id))) {
    throw new DomainError(
      'no_store_in_scope',
      'Ни один магазин не выбран для синхронизации: настройте фильтры магазинов.',
    );
  }
  if (state.confirmedAt !== null) return [];
  return [
    { type: 'SyncConfirmed', data: { userId: command.userId, confirmedAt: ctx.now.toISOString() } },
  ];
}

export function decideSyncConfig(
  command: SyncConfigCommand,
  state: SyncConfigState,
  ctx: DecideContext,
): SyncConfigEvent[] {
  const { userId } = command;
  switch (command.type) {
    case 'EnableSync':
      return state.enabled ? [] : [{ type: 'SyncEnabled', data: { userId } }];
    case 'DisableSync':
      return state.enabled ? [{ type: 'SyncDisabled', data: { userId } }] : [];
    case 'ConfirmSync':
      return confirm(command, state, ctx);
    case 'SetPriceMultiplier': {
      const to = formatPriceMultiplier(parsePriceMultiplier(command.multiplier));
      if (to === state.priceMultiplier) return [];
      return [
        { type: 'PriceMultiplierChanged', data: { userId, from: state.priceMultiplier, to } },
      ];
    }
    case 'ToggleSyncTask': {
      if (!SYNC_TASKS.includes(command.task)) {
        throw new DomainError(
          'unknown_task',
          `Неизвестная задача: ${String(command.task)}.`,
          'task',
        );
      }
      if (state.tasks[command.task] === command.enabled) return [];
      return [
        { type: 'SyncTaskToggled', data: { userId, task: command.task, enabled: command.enabled } },
      ];
    }
    case 'SetFilterRule': {
      const { entityType, entityId, entityName, mode, parentEntityId } = command;
      if (entityId.trim() === '') {
        throw new DomainError('filter_entity_missing', 'Не указан объект фильтра.', 'entityId');
      }
      const rule = { entityType, entityId, entityName, mode, parentEntityId };
      const current = state.rules.get(ruleKey(entityType, entityId));
      if (
        current &&
        current.mode === mode &&
        current.entityName === entityName &&
        current.parentEntityId === parentEntityId
      ) {
        return [];
      }
      return [{ type: 'SyncFilterRuleSet', data: { userId, rule } }];
    }
    case 'ClearFilterRule': {
      const { entityType, entityId } = command;
      if (!state.rules.has(ruleKey(entityType, entityId))) return [];
      return [{ type: 'SyncFilterRuleCleared', data: { userId, entityType, entityId } }];
    }
    case 'SetFieldOwnership': {
      const { field, owner } = command;
      if (!CONFIGURABLE_FIELDS.includes(field) || (owner !== 'evosync' && owner !== 'vk')) {
        throw new DomainError('unknown_field', `Этим полем нельзя управлять: ${String(field)}.`);
      }
      if (state.ownership[field] === owner) return [];
      return [{ type: 'FieldOwnershipChanged', data: { userId, field, owner } }];
    }
    case 'SetStockSource': {
      const { source, fixedAmount } = command;
      if (!STOCK_SOURCES.includes(source)) {
        throw new DomainError(
          'unknown_stock_source',
          'Выберите, откуда брать остатки.',
          'stockSource',
        );
      }
      checkFixedAmount(fixedAmount);
      const current = state.stock;
      if (current.source === source && current.fixedAmount === fixedAmount) return [];
      return [{ type: 'StockSourceChanged', data: { userId, source, fixedAmount } }];
    }
    case 'SetUnavailableItemsMode': {
      if (!UNAVAILABLE_MODES.includes(command.mode)) {
        throw new DomainError(
          'unknown_unavailable_mode',
          'Выберите, как показывать товары, которые нельзя купить.',
          'unavailableItems',
        );
      }
      if (state.stock.unavailable === command.mode) return [];
      return [{ type: 'UnavailableItemsModeChanged', data: { userId, mode: command.mode } }];
    }
    case 'SetRunInterval': {
      checkRunInterval(command.seconds);
      if (state.runIntervalSeconds === command.seconds) return [];
      return [{ type: 'RunIntervalChanged', data: { userId, seconds: command.seconds } }];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export const syncConfigDecider: Decider<SyncConfigCommand, SyncConfigEvent, SyncConfigState> = {
  initialState: initialSyncConfigState,
  evolve: evolveSyncConfig,
  decide: decideSyncConfig,
};
