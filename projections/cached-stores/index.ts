import type { Projection } from '../../src/application/projections/projection.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { StoresEvent } from '../../src/domain/catalog/events.js';
import {
  foldRows,
  type KeyedTable,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';

const table: KeyedTable = {
  table: 'cached_stores',
  key: ['user_id', 'store_id'],
  columns: ['name', 'address', 'access', 'lost'],
};

function change(event: RecordedEvent): RowChange {
  const e = event as unknown as StoresEvent;
  const storeId = e.type === 'StoreDiscovered' ? e.data.store.id : e.data.storeId;
  const at = (apply: RowChange['apply']): RowChange => ({
    key: [e.data.userId, storeId],
    revision: event.revision,
    apply,
  });
  switch (e.type) {
    case 'StoreDiscovered':
      // A store found again after being lost keeps the access it had.
      return at((row) => ({
        name: e.data.store.name,
        address: e.data.store.address,
        access: row?.access ?? 'ok',
        lost: 0,
      }));
    case 'StoreRenamed':
      return at((row) => (row ? { ...row, name: e.data.to } : null));
    case 'StoreLost':
      return at((row) => (row ? { ...row, lost: 1 } : null));
    case 'StoreAccessChanged':
      return at((row) => (row ? { ...row, access: e.data.access } : null));
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

export const cachedStores: Projection = {
  name: 'cached-stores',
  version: 1,
  eventTypes: ['StoreDiscovered', 'StoreRenamed', 'StoreLost', 'StoreAccessChanged'],
  tables: ['cached_stores'],
  async handle(events, tx) {
    await foldRows(tx, table, events.map(change));
  },
};
