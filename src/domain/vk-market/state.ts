import { applyChanges } from '../catalog/diff.js';
import type { VkAlbum, VkItem, VkMarketEvent } from './events.js';

export interface VkMarketState {
  albums: ReadonlyMap<number, VkAlbum>;
  items: ReadonlyMap<number, VkItem>;
  /** when the last recorded fetch began (epoch ms); null before the first marked fetch */
  fetchedAt: number | null;
}

export const initialVkMarketState = (): VkMarketState => ({
  albums: new Map(),
  items: new Map(),
  fetchedAt: null,
});

/** In place, as in catalog/state.ts: a fold owns its state, and a copy per event is quadratic. */
function withEntry<V>(map: ReadonlyMap<number, V>, id: number, value: V | undefined) {
  const owned = map as Map<number, V>;
  if (value === undefined) owned.delete(id);
  else owned.set(id, value);
  return owned;
}

export function evolveVkMarket(state: VkMarketState, event: VkMarketEvent): VkMarketState {
  switch (event.type) {
    case 'VkAlbumObserved':
      return { ...state, albums: withEntry(state.albums, event.data.album.id, event.data.album) };
    case 'VkAlbumChanged': {
      const album = state.albums.get(event.data.albumId);
      if (!album) return state;
      const changed = applyChanges(album, event.data.changes);
      return { ...state, albums: withEntry(state.albums, album.id, changed) };
    }
    case 'VkAlbumDisappeared':
      return { ...state, albums: withEntry(state.albums, event.data.albumId, undefined) };
    case 'VkItemObserved':
      return { ...state, items: withEntry(state.items, event.data.item.id, event.data.item) };
    case 'VkItemsObserved': {
      let items = state.items;
      for (const item of event.data.items) items = withEntry(items, item.id, item);
      return { ...state, items };
    }
    case 'VkItemChanged': {
      const item = state.items.get(event.data.itemId);
      if (!item) return state;
      const changed = applyChanges(item, event.data.changes);
      return { ...state, items: withEntry(state.items, item.id, changed) };
    }
    case 'VkItemDisappeared':
      return { ...state, items: withEntry(state.items, event.data.itemId, undefined) };
    case 'VkMarketFetched':
      return { ...state, fetchedAt: Date.parse(event.data.startedAt) };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/** The observed item carrying a SKU, for adopting an item whose creation outcome was lost. */
export function findItemBySku(state: VkMarketState, sku: string): VkItem | undefined {
  for (const item of state.items.values()) if (item.sku === sku && !item.deleted) return item;
  return undefined;
}
