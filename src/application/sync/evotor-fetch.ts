import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import type { StoreAccess } from '../../domain/catalog/events.js';
import { storeCatalogStream, storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { readState } from '../commands/load-state.js';
import { ConnectionAuthError, type EvotorCatalogSource, type KnownImages } from './ports.js';

/** ~500 bytes per product event: well under EventStoreDB's 1 MiB append limit. */
const SNAPSHOT_EVENTS_PER_APPEND = 1000;

export interface EvotorFetchResult {
  stores: number;
  paymentRequired: number;
  /** domain events appended (0 when the catalog did not change) */
  changes: number;
  position: Position | null;
}

/**
 * Fetches one user's Evotor catalog and records only what changed. Each store's snapshot is
 * recorded only after all its pages arrived (the source guarantees it); a 402 store is
 * skipped and noted once; a refused token marks the connection unhealthy and stops here.
 * Safe to run twice: an unchanged snapshot decides nothing.
 */
export async function fetchEvotorCatalog(
  deps: {
    commands: CommandHandler;
    source: EvotorCatalogSource;
    /** reads the recorded images, so unchanged ones are not downloaded; without it, all are */
    store?: EventStore;
  },
  userId: string,
  correlationId: string,
): Promise<EvotorFetchResult> {
  const { commands, source } = deps;
  // A first snapshot of a large store is thousands of events: appended in parts (see
  // maxEventsPerAppend), since a snapshot's diff completes a partly recorded one next time.
  const meta = { actor: 'system', correlationId, maxEventsPerAppend: SNAPSHOT_EVENTS_PER_APPEND };
  const health = (healthy: boolean, reason: string | null) =>
    commands.handle(
      evotorAccount,
      evotorAccountStream(userId),
      { type: 'RecordEvotorHealth', userId, healthy, reason },
      meta,
    );

  let stores;
  try {
    stores = await source.listStores();
  } catch (error) {
    if (error instanceof ConnectionAuthError) await health(false, error.message);
    throw error;
  }

  const access: Record<string, StoreAccess> = {};
  let changes = 0;
  let position: Position | null = null;
  for (const store of stores) {
    const fetched = await source.fetchStore(
      store.id,
      await knownImages(deps.store, userId, store.id),
    );
    access[store.id] = fetched.access;
    if (fetched.access === 'payment_required') continue;
    const result = await commands.handle(
      storeCatalogDecider,
      storeCatalogStream(userId, store.id),
      {
        type: 'RecordEvotorStoreSnapshot',
        userId,
        storeId: store.id,
        groups: fetched.groups,
        products: fetched.products,
        complete: true,
      },
      meta,
    );
    changes += result.events.length;
    position = result.position ?? position;
  }

  const listed = await commands.handle(
    storesDecider,
    storesStream(userId),
    { type: 'RecordEvotorStoreList', userId, stores, access },
    meta,
  );
  changes += listed.events.length;
  position = listed.position ?? position;
  await health(true, null);
  return {
    stores: stores.length,
    paymentRequired: Object.values(access).filter((a) => a === 'payment_required').length,
    changes,
    position,
  };
}

async function knownImages(
  store: EventStore | undefined,
  userId: string,
  storeId: string,
): Promise<KnownImages | undefined> {
  if (!store) return undefined;
  const { state } = await readState(
    store,
    storeCatalogDecider,
    storeCatalogStream(userId, storeId),
  );
  return (productId) => state.products.get(productId)?.images;
}
