import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection } from '../../src/application/projections/projection.js';
import type {
  VkAlbum,
  VkAvailability,
  VkItem,
  VkMarketEvent,
} from '../../src/domain/vk-market/events.js';
import {
  evolveVkMarket,
  initialVkMarketState,
  type VkMarketState,
} from '../../src/domain/vk-market/state.js';
import {
  foldRows,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';

const albums: KeyedTable = {
  table: 'vk_cached_albums',
  key: ['user_id', 'album_id'],
  columns: ['title', 'gone'],
};

const items: KeyedTable = {
  table: 'vk_cached_products',
  key: ['user_id', 'item_id'],
  columns: [
    'title',
    'description',
    'price_kopecks',
    'availability',
    'sku',
    'stock_amount',
    'album_ids',
    'deleted',
    'gone',
  ],
  // folded back from the row: kept whole (the column is sized for it)
  whole: ['album_ids'],
};

const albumOf = (row: Row, id: number): VkAlbum => ({ id, title: String(row.title ?? '') });

const itemOf = (row: Row, id: number): VkItem => ({
  id,
  title: String(row.title ?? ''),
  description: String(row.description ?? ''),
  priceKopecks: Number(row.price_kopecks ?? 0),
  availability: Number(row.availability ?? 0) as VkAvailability,
  sku: String(row.sku ?? ''),
  stockAmount: Number(row.stock_amount ?? 0),
  albumIds: JSON.parse(String(row.album_ids ?? '[]')) as number[],
  deleted: Number(row.deleted) === 1,
});

const albumRow = (album: VkAlbum): Row => ({ title: album.title, gone: 0 });

const itemRow = (item: VkItem): Row => ({
  title: item.title,
  description: item.description,
  price_kopecks: item.priceKopecks,
  availability: item.availability,
  sku: item.sku,
  stock_amount: item.stockAmount,
  album_ids: JSON.stringify(item.albumIds),
  deleted: item.deleted ? 1 : 0,
  gone: 0,
});

/**
 * The domain's evolve decides what an event does to the one album or item it names: the row
 * becomes a one-entry state (empty when gone, as the domain forgets what disappeared), and
 * whatever the entry is afterwards becomes the row again. Gone entries keep their last fields.
 */
function throughDomain(row: Row | null, e: VkMarketEvent, id: number, kind: 'album' | 'item') {
  const state: VkMarketState = initialVkMarketState();
  if (row && Number(row.gone) === 0) {
    if (kind === 'album') (state.albums as Map<number, VkAlbum>).set(id, albumOf(row, id));
    else (state.items as Map<number, VkItem>).set(id, itemOf(row, id));
  }
  const next = evolveVkMarket(state, e);
  const entry = kind === 'album' ? next.albums.get(id) : next.items.get(id);
  if (entry) return kind === 'album' ? albumRow(entry as VkAlbum) : itemRow(entry as VkItem);
  return row && Number(row.gone) === 0 ? { ...row, gone: 1 } : null;
}

function changes(event: RecordedEvent): { table: KeyedTable; change: RowChange }[] {
  const e = event as unknown as VkMarketEvent;
  const on = (table: KeyedTable, id: number, kind: 'album' | 'item', one = e) => ({
    table,
    change: {
      key: [e.data.userId, id],
      revision: event.revision,
      apply: (row: Row | null) => throughDomain(row, one, id, kind),
    },
  });
  switch (e.type) {
    case 'VkAlbumObserved':
      return [on(albums, e.data.album.id, 'album')];
    case 'VkAlbumChanged':
    case 'VkAlbumDisappeared':
      return [on(albums, e.data.albumId, 'album')];
    case 'VkItemObserved':
      return [on(items, e.data.item.id, 'item')];
    // Each row goes through the domain with its own item alone, not with the whole batch.
    case 'VkItemsObserved':
      return e.data.items.map((item) =>
        on(items, item.id, 'item', {
          type: 'VkItemObserved',
          data: { userId: e.data.userId, item },
        }),
      );
    case 'VkItemChanged':
    case 'VkItemDisappeared':
      return [on(items, e.data.itemId, 'item')];
    case 'VkMarketFetched':
      return [];
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

export const vkCatalog: Projection = {
  name: 'vk-catalog',
  version: 1,
  eventTypes: [
    'VkAlbumObserved',
    'VkAlbumChanged',
    'VkAlbumDisappeared',
    'VkItemObserved',
    'VkItemsObserved',
    'VkItemChanged',
    'VkItemDisappeared',
  ],
  tables: ['vk_cached_albums', 'vk_cached_products'],
  async handle(events, tx) {
    const all = events.flatMap(changes);
    for (const table of [albums, items]) {
      await foldRows(
        tx,
        table,
        all.filter((c) => c.table === table).map((c) => c.change),
      );
    }
  },
};
