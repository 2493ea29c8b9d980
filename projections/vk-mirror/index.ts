import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type { PushedVkItem } from '../../src/domain/mirror/desired-item.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import {
  evolveMirror,
  initialMirrorState,
  type MirroredItem,
  type MirroredItemState,
} from '../../src/domain/mirror/state.js';
import {
  foldRows,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';
import { statusChange, statusTable } from './status.js';

const items: KeyedTable = {
  table: 'vk_mirror_items',
  key: ['user_id', 'product_id'],
  columns: [
    'item_id',
    'state',
    'pushed',
    'price_kopecks',
    'name',
    'pending_request_id',
    'requests',
    'last_error',
    'last_error_at',
    'updated_at',
  ],
  // the domain folds the last pushed item back from it: kept whole (the column is sized for it)
  whole: ['pushed'],
};

const albums: KeyedTable = {
  table: 'vk_mirror_albums',
  key: ['user_id', 'group_key'],
  columns: ['album_id', 'title'],
};

function itemOf(row: Row): MirroredItem {
  return {
    itemId: row.item_id == null ? null : Number(row.item_id),
    lastPushed: row.pushed == null ? null : (JSON.parse(String(row.pushed)) as PushedVkItem),
    state: String(row.state) as MirroredItemState,
    pendingRequestId: row.pending_request_id == null ? null : String(row.pending_request_id),
    requests: Number(row.requests ?? 0),
    // Not kept in the row: the row shows the item, the push folds the stream for these.
    writtenAt: null,
    albumId: null,
    albumAt: null,
    failure: null,
  };
}

function itemRow(item: MirroredItem): Row {
  return {
    item_id: item.itemId,
    state: item.state,
    pushed: item.lastPushed ? JSON.stringify(item.lastPushed) : null,
    price_kopecks: item.lastPushed?.priceKopecks ?? null,
    name: item.lastPushed?.name ?? null,
    pending_request_id: item.pendingRequestId,
    requests: item.requests,
  };
}

/**
 * The domain's evolve runs on a one-item state built from the row, so the item's state machine
 * (pending → active → hidden/deleted, adopted items of unknown content) is the domain's, not a
 * copy. A failure only notes the error on the item; the next outcome for it clears the note.
 */
function itemChange(event: RecordedEvent): RowChange | null {
  const e = event as unknown as MirrorEvent;
  if (e.type === 'VkCommandFailed') {
    const { productId } = e.data;
    if (productId === undefined) return null;
    return {
      key: [e.data.userId, productId],
      revision: event.revision,
      // no row: the failure concerns no item the mirror knows of; the status row records it
      apply: (row) =>
        row && {
          ...row,
          last_error: `${e.data.method} ${e.data.errorCode}: ${e.data.message}`,
          last_error_at: sqlTime(event.created),
          updated_at: sqlTime(event.created),
        },
    };
  }
  if (!('productId' in e.data) || e.data.productId === undefined) return null;
  const { productId } = e.data;
  const settles = e.type !== 'VkItemCreateRequested';
  return {
    key: [e.data.userId, productId],
    revision: event.revision,
    apply: (row) => {
      const state = initialMirrorState();
      if (row) (state.items as Map<string, MirroredItem>).set(productId, itemOf(row));
      const item = evolveMirror(state, e).items.get(productId);
      if (!item) return null;
      return {
        ...itemRow(item),
        last_error: settles ? null : (row?.last_error ?? null),
        last_error_at: settles ? null : sqlTime(row?.last_error_at),
        updated_at: sqlTime(event.created),
      };
    },
  };
}

function albumChange(event: RecordedEvent): RowChange | null {
  const e = event as unknown as MirrorEvent;
  if (e.type !== 'VkAlbumCreated' && e.type !== 'VkAlbumAdopted' && e.type !== 'VkAlbumRenamed')
    return null;
  return {
    key: [e.data.userId, e.data.groupKey],
    revision: event.revision,
    apply: () => ({ album_id: e.data.albumId, title: e.data.title }),
  };
}

const present = <T>(c: T | null): c is T => c !== null;

export const vkMirror: Projection = {
  name: 'vk-mirror',
  // 2: albums adopted by title (a crash after market.addAlbum) are albums too
  version: 2,
  eventTypes: [
    'VkAlbumCreated',
    'VkAlbumAdopted',
    'VkAlbumRenamed',
    'DefaultPhotoUploaded',
    'VkItemCreateRequested',
    'VkItemCreated',
    'VkItemAdopted',
    'VkItemUpdated',
    'VkItemHidden',
    'VkItemDeleted',
    'VkItemRestored',
    'VkCommandFailed',
    'VkFailureCleared',
    'VkPushPaused',
    'VkPushResumed',
  ],
  tables: ['vk_mirror_items', 'vk_mirror_albums', 'vk_mirror_status'],
  async handle(events, tx) {
    await foldRows(tx, items, events.map(itemChange).filter(present));
    await foldRows(tx, albums, events.map(albumChange).filter(present));
    await foldRows(tx, statusTable, events.map(statusChange));
  },
};
