import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import { storeCatalogStream, storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import { desiredVkItem, type MirrorSettings } from '../../domain/mirror/desired-item.js';
import type { DesiredEntry, ObservedVk } from '../../domain/mirror/plan.js';
import { syncConfigDecider } from '../../domain/sync-config/decide.js';
import { syncConfigStream } from '../../domain/sync-config/events.js';
import { compileScope, groupAncestors } from '../../domain/sync-config/filters.js';
import { filterRules, type SyncConfigState } from '../../domain/sync-config/state.js';
import type { VkMarketEvent } from '../../domain/vk-market/events.js';
import { vkMarketStream } from '../../domain/vk-market/events.js';
import type { EventStore } from '../ports/event-store.js';
import { asDomainEvents, loadState } from '../commands/load-state.js';

export async function loadSyncConfig(store: EventStore, userId: string): Promise<SyncConfigState> {
  return loadState(store, syncConfigDecider, syncConfigStream(userId));
}

/**
 * The desired VK item of every product of the user, from the event streams themselves (always
 * current, no waiting for a projection): an item when the product is in the sync scope, null
 * when it is not (hide), `'removed'` for mirrored products that are no longer in Evotor
 * (delete). Products of a store that answers 402 are left out: not paid is not "removed".
 */
export async function loadDesiredItems(
  store: EventStore,
  userId: string,
  config: SyncConfigState,
  settings: MirrorSettings,
  mirroredProductIds: Iterable<string>,
): Promise<Map<string, DesiredEntry>> {
  const stores = await loadState(store, storesDecider, storesStream(userId));
  const scope = compileScope(filterRules(config));
  const desired = new Map<string, DesiredEntry>();
  const untouchable = new Set<string>();

  for (const [storeId, known] of stores.stores) {
    const catalog = await loadState(
      store,
      storeCatalogDecider,
      storeCatalogStream(userId, storeId),
    );
    const parentOf = (groupId: string) => catalog.groups.get(groupId)?.parentId;
    for (const product of catalog.products.values()) {
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
        inScope
          ? desiredVkItem(product, group, { priceMultiplier: config.priceMultiplier }, settings)
          : null,
      );
    }
  }
  for (const productId of mirroredProductIds) {
    if (!desired.has(productId) && !untouchable.has(productId)) desired.set(productId, 'removed');
  }
  return desired;
}

/**
 * Items VK showed and then lost (deleted on the VK side, or switched to "removed"): drift the
 * push job repairs. An item that came back since counts no longer.
 */
export async function loadObservedVk(store: EventStore, userId: string): Promise<ObservedVk> {
  const events = asDomainEvents<VkMarketEvent>(await store.readStream(vkMarketStream(userId)));
  const gone = new Set<number>();
  for (const event of events) {
    switch (event.type) {
      case 'VkItemObserved':
        if (event.data.item.deleted) gone.add(event.data.item.id);
        else gone.delete(event.data.item.id);
        break;
      case 'VkItemDisappeared':
        gone.add(event.data.itemId);
        break;
      case 'VkItemChanged': {
        const deleted = event.data.changes.find((c) => c.field === 'deleted');
        if (deleted?.to === true) gone.add(event.data.itemId);
        if (deleted?.to === false) gone.delete(event.data.itemId);
        break;
      }
      case 'VkAlbumObserved':
      case 'VkAlbumChanged':
      case 'VkAlbumDisappeared':
      case 'VkMarketFetched':
        break;
      default: {
        const _never: never = event;
        return _never;
      }
    }
  }
  return { goneItemIds: gone };
}
