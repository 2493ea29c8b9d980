import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import {
  SYNC_CONFIG_EVENT_TYPES,
  SYNC_TASKS,
  type SyncConfigEvent,
  type SyncTask,
} from '../../src/domain/sync-config/events.js';
import {
  evolveSyncConfig,
  initialSyncConfigState,
  syncStatus,
  type SyncConfigState,
} from '../../src/domain/sync-config/state.js';
import {
  foldRows,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';

const configs: KeyedTable = {
  table: 'sync_configs',
  key: ['user_id'],
  columns: [
    'is_enabled',
    'confirmed_at',
    'price_multiplier',
    // the task names are the column names, as on the old /sync page
    ...SYNC_TASKS,
    'status',
    'revision',
    'updated_at',
  ],
};

const filters: KeyedTable = {
  table: 'sync_filters',
  key: ['user_id', 'entity_type', 'entity_id'],
  columns: ['entity_name', 'filter_mode', 'parent_entity_id', 'created_at', 'cleared'],
};

/**
 * The row holds everything of the domain state but the rules (those are `sync_filters`), so the
 * domain's own evolve and `syncStatus` compute the next row: the status rule lives in one place.
 */
function stateOf(row: Row | null): SyncConfigState {
  const initial = initialSyncConfigState();
  if (!row) return initial;
  const tasks = Object.fromEntries(SYNC_TASKS.map((t) => [t, Number(row[t] ?? 1) === 1])) as Record<
    SyncTask,
    boolean
  >;
  return {
    ...initial,
    enabled: Number(row.is_enabled) === 1,
    confirmedAt: row.confirmed_at == null ? null : String(sqlTime(row.confirmed_at)),
    priceMultiplier: String(row.price_multiplier ?? initial.priceMultiplier),
    tasks,
  };
}

function rowOf(state: SyncConfigState, event: RecordedEvent): Row {
  const row: Row = {
    is_enabled: state.enabled ? 1 : 0,
    confirmed_at: sqlTime(state.confirmedAt),
    price_multiplier: state.priceMultiplier,
    status: syncStatus(state),
    revision: event.revision,
    updated_at: sqlTime(event.created),
  };
  for (const t of SYNC_TASKS) row[t] = state.tasks[t] ? 1 : 0;
  return row;
}

/** Every event of the stream moves the config row, so its `revision` is the stream's. */
function configChange(event: RecordedEvent): RowChange {
  const e = event as unknown as SyncConfigEvent;
  return {
    key: [e.data.userId],
    revision: event.revision,
    apply: (row) => rowOf(evolveSyncConfig(stateOf(row), e), event),
  };
}

function filterChange(event: RecordedEvent): RowChange | null {
  const e = event as unknown as SyncConfigEvent;
  switch (e.type) {
    case 'SyncFilterRuleSet': {
      const { rule } = e.data;
      return {
        key: [e.data.userId, rule.entityType, rule.entityId],
        revision: event.revision,
        apply: (row) => ({
          entity_name: rule.entityName,
          filter_mode: rule.mode,
          parent_entity_id: rule.parentEntityId,
          // a rule edited in place keeps its age; a new or re-set one starts now
          created_at:
            row && Number(row.cleared) === 0 ? sqlTime(row.created_at) : sqlTime(event.created),
          cleared: 0,
        }),
      };
    }
    case 'SyncFilterRuleCleared':
      return {
        key: [e.data.userId, e.data.entityType, e.data.entityId],
        revision: event.revision,
        apply: (row) => (row ? { ...row, created_at: sqlTime(row.created_at), cleared: 1 } : null),
      };
    case 'SyncEnabled':
    case 'SyncDisabled':
    case 'SyncConfirmed':
    case 'PriceMultiplierChanged':
    case 'SyncTaskToggled':
    case 'FieldOwnershipChanged':
    case 'StockSourceChanged':
    case 'UnavailableItemsModeChanged':
    case 'RunIntervalChanged':
      return null;
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

export const syncConfigs: Projection = {
  name: 'sync-configs',
  version: 1,
  eventTypes: SYNC_CONFIG_EVENT_TYPES,
  tables: ['sync_configs', 'sync_filters'],
  async handle(events, tx) {
    await foldRows(tx, configs, events.map(configChange));
    await foldRows(
      tx,
      filters,
      events.map(filterChange).filter((c): c is RowChange => c !== null),
    );
  },
};
