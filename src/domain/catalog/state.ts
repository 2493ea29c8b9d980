import { applyChanges } from './diff.js';
import type {
  CatalogGroup,
  CatalogProduct,
  StoreAccess,
  StoreCatalogEvent,
  StoreInfo,
  StoresEvent,
} from './events.js';

/** What the stream `evotor-store-{userId}-{storeId}` says the store's catalog is now. */
export interface StoreCatalogState {
  groups: ReadonlyMap<string, CatalogGroup>;
  products: ReadonlyMap<string, CatalogProduct>;
  /** snapshots recorded that changed something (CatalogFetched count) */
  fetches: number;
  /**
   * Product notifications and receipts seen in the last RECENT_DELIVERIES_MS (key → when, ms):
   * Evotor retries a delivery until it is answered, possibly after newer ones.
   */
  deliveries: ReadonlyMap<string, number>;
  receipts: ReadonlyMap<string, number>;
}

/**
 * How long a delivery is remembered. Evotor documents retries of its subscription events for
 * three days and says nothing for data notifications; a week keeps the state bounded by a
 * week's receipts.
 */
export const RECENT_DELIVERIES_MS = 7 * 24 * 3600_000;

/** Remembers `key` at `at` and forgets entries older than the window (the map is in time order). */
function remember(map: ReadonlyMap<string, number>, key: string, at: number) {
  const owned = map as Map<string, number>;
  for (const [old, seen] of owned) {
    if (seen >= at - RECENT_DELIVERIES_MS) break;
    owned.delete(old);
  }
  owned.delete(key);
  owned.set(key, at);
  return owned;
}

export const initialStoreCatalogState = (): StoreCatalogState => ({
  groups: new Map(),
  products: new Map(),
  fetches: 0,
  deliveries: new Map(),
  receipts: new Map(),
});

/**
 * Updates the map in place. A state belongs to the fold that built it and is never used again
 * after `evolve` (the command handler folds from a fresh `initialState()` each time); copying
 * the map per event made folding a 10,000-product first snapshot quadratic (7.6 s).
 */
function withEntry<V>(map: ReadonlyMap<string, V>, id: string, value: V | undefined) {
  const owned = map as Map<string, V>;
  if (value === undefined) owned.delete(id);
  else owned.set(id, value);
  return owned;
}

export function evolveStoreCatalog(
  state: StoreCatalogState,
  event: StoreCatalogEvent,
): StoreCatalogState {
  switch (event.type) {
    case 'GroupAdded':
      return { ...state, groups: withEntry(state.groups, event.data.group.id, event.data.group) };
    case 'GroupChanged': {
      const group = state.groups.get(event.data.groupId);
      if (!group) return state;
      const changed = applyChanges(group, event.data.changes);
      return { ...state, groups: withEntry(state.groups, group.id, changed) };
    }
    case 'GroupRemoved':
      return { ...state, groups: withEntry(state.groups, event.data.groupId, undefined) };
    case 'ProductAdded': {
      const { product } = event.data;
      return { ...state, products: withEntry(state.products, product.id, product) };
    }
    case 'ProductChanged': {
      const product = state.products.get(event.data.productId);
      if (!product) return state;
      const changed = applyChanges(product, event.data.changes);
      return { ...state, products: withEntry(state.products, product.id, changed) };
    }
    case 'ProductRemoved':
      return { ...state, products: withEntry(state.products, event.data.productId, undefined) };
    case 'CatalogFetched':
      return { ...state, fetches: state.fetches + 1 };
    case 'CatalogNotified':
      return {
        ...state,
        deliveries: remember(state.deliveries, event.data.delivery, event.data.at),
      };
    case 'ReceiptRecorded':
      return { ...state, receipts: remember(state.receipts, event.data.receiptId, event.data.at) };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

export interface KnownStore {
  info: StoreInfo;
  access: StoreAccess;
  /** no longer in Evotor's store list; kept so a store that comes back is rediscovered */
  lost: boolean;
}

/** What the stream `evotor-stores-{userId}` says the user's stores are. */
export interface StoresState {
  stores: ReadonlyMap<string, KnownStore>;
}

export const initialStoresState = (): StoresState => ({ stores: new Map() });

function updateStore(
  state: StoresState,
  storeId: string,
  update: (store: KnownStore) => KnownStore,
): StoresState {
  const store = state.stores.get(storeId);
  if (!store) return state;
  return { stores: withEntry(state.stores, storeId, update(store)) };
}

export function evolveStores(state: StoresState, event: StoresEvent): StoresState {
  switch (event.type) {
    case 'StoreDiscovered': {
      const { store } = event.data;
      // A rediscovered store keeps the access last seen: a 402 does not clear by disappearing.
      const access = state.stores.get(store.id)?.access ?? 'ok';
      return { stores: withEntry(state.stores, store.id, { info: store, access, lost: false }) };
    }
    case 'StoreRenamed':
      return updateStore(state, event.data.storeId, (s) => ({
        ...s,
        info: { ...s.info, name: event.data.to },
      }));
    case 'StoreLost':
      return updateStore(state, event.data.storeId, (s) => ({ ...s, lost: true }));
    case 'StoreAccessChanged':
      return updateStore(state, event.data.storeId, (s) => ({ ...s, access: event.data.access }));
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
