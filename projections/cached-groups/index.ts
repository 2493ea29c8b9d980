import type { Projection } from '../../src/application/projections/projection.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { StoreCatalogEvent } from '../../src/domain/catalog/events.js';
import {
  foldRows,
  type KeyedTable,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';

const table: KeyedTable = {
  table: 'cached_groups',
  key: ['user_id', 'store_id', 'group_id'],
  columns: ['parent_id', 'name', 'removed'],
};

function change(event: RecordedEvent): RowChange | null {
  const e = event as unknown as StoreCatalogEvent;
  const at = (groupId: string, apply: RowChange['apply']): RowChange => ({
    key: [e.data.userId, e.data.storeId, groupId],
    revision: event.revision,
    apply,
  });
  switch (e.type) {
    case 'GroupAdded':
      return at(e.data.group.id, () => ({
        parent_id: e.data.group.parentId,
        name: e.data.group.name,
        removed: 0,
      }));
    case 'GroupChanged':
      return at(e.data.groupId, (row) => {
        if (!row) return null;
        const next = { ...row };
        for (const c of e.data.changes) {
          if (c.field === 'name') next.name = String(c.to ?? '');
          if (c.field === 'parentId') next.parent_id = c.to == null ? null : String(c.to);
        }
        return next;
      });
    case 'GroupRemoved':
      return at(e.data.groupId, (row) => (row ? { ...row, removed: 1 } : null));
    case 'ProductAdded':
    case 'ProductChanged':
    case 'ProductRemoved':
    case 'CatalogFetched':
    case 'CatalogNotified':
    case 'ReceiptRecorded':
      return null;
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

export const cachedGroups: Projection = {
  name: 'cached-groups',
  version: 1,
  eventTypes: ['GroupAdded', 'GroupChanged', 'GroupRemoved'],
  tables: ['cached_groups'],
  async handle(events, tx) {
    await foldRows(
      tx,
      table,
      events.map(change).filter((c): c is RowChange => c !== null),
    );
  },
};
