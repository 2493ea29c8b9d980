import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import { storeCatalogStream, storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import {
  desiredEntry,
  type MirrorConfig,
  type MirrorSettings,
} from '../../domain/mirror/desired-item.js';
import { mirrorDecider } from '../../domain/mirror/decide.js';
import { mirrorStream } from '../../domain/mirror/events.js';
import type { DesiredEntry, Ownership } from '../../domain/mirror/plan.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import { syncConfigDecider } from '../../domain/sync-config/decide.js';
import { syncConfigStream } from '../../domain/sync-config/events.js';
import { compileScope, groupAncestors } from '../../domain/sync-config/filters.js';
import { filterRules, type SyncConfigState } from '../../domain/sync-config/state.js';
import { vkMarketDecider } from '../../domain/vk-market/decide.js';
import type { VkMarketState } from '../../domain/vk-market/state.js';
import type { KnownStore, StoreCatalogState } from '../../domain/catalog/state.js';
import { vkMarketStream } from '../../domain/vk-market/events.js';
import type { EventStore } from '../ports/event-store.js';
import { loadState, readState } from '../commands/load-state.js';

export async function loadSyncConfig(store: EventStore, userId: string): Promise<SyncConfigState> {
  return loadState(store, syncConfigDecider, syncConfigStream(userId));
}

/** A store of the user, with its catalog and the catalog stream's revision. */
export interface LoadedCatalog {
  storeId: string;
  known: KnownStore;
  catalog: StoreCatalogState;
  revision: number;
}

/** The user's stores and their catalogs (each from the state cache, or snapshot + tail). */
export async function loadCatalogs(store: EventStore, userId: string): Promise<LoadedCatalog[]> {
  const stores = await loadState(store, storesDecider, storesStream(userId));
  const out: LoadedCatalog[] = [];
  for (const [storeId, known] of stores.stores) {
    const stream = storeCatalogStream(userId, storeId);
    const { state, revision } = await readState(store, storeCatalogDecider, stream);
    out.push({ storeId, known, catalog: state, revision });
  }
  return out;
}

/**
 * The desired VK item of every product of the user, from the event streams themselves (always
 * current, no waiting for a projection): an item when the product is in the sync scope, null
 * when it is not (hide), `'removed'` for mirrored products that are no longer in Evotor
 * (delete). Products of a store that answers 402 are left out: not paid is not "removed".
 */
export function desiredItems(
  catalogs: readonly LoadedCatalog[],
  config: SyncConfigState,
  settings: MirrorSettings,
  mirroredProductIds: Iterable<string>,
  /** only these products (a push of what changed); all when absent */
  only?: ReadonlySet<string>,
): Map<string, DesiredEntry> {
  const scope = compileScope(filterRules(config));
  const mirrored = new Set(only ? mirroredProductIds : []);
  const desired = new Map<string, DesiredEntry>();
  const untouchable = new Set<string>();

  for (const { storeId, known, catalog } of catalogs) {
    const parentOf = (groupId: string) => catalog.groups.get(groupId)?.parentId;
    for (const product of catalog.products.values()) {
      if (only && !only.has(product.id)) continue;
      if (known.access === 'payment_required') {
        untouchable.add(product.id);
        continue;
      }
      const inScope =
        !known.lost &&
        scope.product({
          storeId,
          groupId: product.groupId,
          groupAncestors: groupAncestors(product.groupId, parentOf),
          productId: product.id,
        });
      const group = product.groupId ? (catalog.groups.get(product.groupId) ?? null) : null;
      desired.set(
        product.id,
        inScope ? desiredEntry(product, group, mirrorConfigOf(config), settings) : null,
      );
    }
  }
  for (const productId of only ?? mirroredProductIds) {
    if (only && !mirrored.has(productId)) continue;
    if (!desired.has(productId) && !untouchable.has(productId)) desired.set(productId, 'removed');
  }
  return desired;
}

/** The last VK observation (albums, items, when the fetch began); see mirror/observed.ts. */
export async function loadObservedVk(store: EventStore, userId: string): Promise<VkMarketState> {
  return loadState(store, vkMarketDecider, vkMarketStream(userId));
}

/** The mirror's state and the revision it was read at: every record of a push expects it. */
export async function loadMirror(
  store: EventStore,
  userId: string,
): Promise<{ state: MirrorState; revision: number }> {
  // The newest snapshot and the events after it, streamed (see readState).
  const { state, revision } = await readState(store, mirrorDecider, mirrorStream(userId));
  return { state, revision };
}

const mirrorConfigOf = (config: SyncConfigState): MirrorConfig => ({
  priceMultiplier: config.priceMultiplier,
  stock: config.stock,
});

export function ownershipOf(config: SyncConfigState): Ownership {
  return {
    description: config.ownership.description === 'evosync',
    photos: config.ownership.photos === 'evosync',
  };
}
