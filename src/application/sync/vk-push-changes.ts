import { storeCatalogStream } from '../../domain/catalog/events.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import type { EventStore } from '../ports/event-store.js';
import type { LoadedCatalog } from './desired-state.js';

/** Beyond this many products a push of changes plans most of a catalog anyway: a full one. */
export const MAX_PRODUCTS_PER_PUSH = 500;
/** Catalog events a push of changes reads at most before it plans the whole user instead. */
export const MAX_EVENTS_PER_PUSH = 5_000;

const PRODUCT_EVENTS = new Set(['ProductAdded', 'ProductChanged', 'ProductRemoved']);
const GROUP_EVENTS = new Set(['GroupAdded', 'GroupChanged', 'GroupRemoved']);

/** The product an event names, if it is a product event. */
export function productOf(event: { type: string; data: unknown }): string | null {
  if (!PRODUCT_EVENTS.has(event.type)) return null;
  const data = event.data as { productId?: unknown; product?: { id?: unknown } };
  const id = event.type === 'ProductAdded' ? data.product?.id : data.productId;
  return typeof id === 'string' ? id : null;
}

/**
 * What a push of changes plans (issue 17's coalescing): the products of every catalog event
 * after the revision the last completed push planned from (`MirrorState.pushedCatalogs`) up to
 * the revision this push reads. The ids come from the event store itself, not from the jobs
 * that asked for the push: changes that arrive while a push runs or waits are all taken by the
 * next one, and a crash or restart loses none (the next push finds them again).
 *
 * Null asks for a full plan: a store no completed push has recorded (a new store, or pushes
 * from before this), a catalog behind what the last push read, group changes (albums, scope),
 * or more than the limits above.
 */
export async function changedProducts(
  store: EventStore,
  userId: string,
  catalogs: readonly LoadedCatalog[],
  mirror: MirrorState,
): Promise<Set<string> | null> {
  const changed = new Set<string>();
  for (const { storeId, revision } of catalogs) {
    const pushed = mirror.pushedCatalogs.get(storeId);
    // Behind the last push (the events restored from an older backup): plan everything.
    if (pushed === undefined || revision < pushed) return null;
    if (revision - pushed > MAX_EVENTS_PER_PUSH) return null;
    if (revision === pushed) continue;
    const events = store.readStreamIterable(storeCatalogStream(userId, storeId), {
      fromRevision: pushed + 1,
    });
    for await (const event of events) {
      if (event.revision > revision) break;
      if (GROUP_EVENTS.has(event.type)) return null;
      const productId = productOf(event);
      if (productId !== null) changed.add(productId);
    }
    if (changed.size > MAX_PRODUCTS_PER_PUSH) return null;
  }
  return changed;
}

/** The catalog revisions a push planned from, as `VkPushCompleted` records them. */
export const catalogRevisionsOf = (catalogs: readonly LoadedCatalog[]): Record<string, number> =>
  Object.fromEntries(catalogs.map((c) => [c.storeId, c.revision]));
