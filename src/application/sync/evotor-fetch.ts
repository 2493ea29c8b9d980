import { storeCatalogDecider } from '../../domain/catalog/decide.js';
import type { StoreAccess } from '../../domain/catalog/events.js';
import { storeCatalogStream, storesStream } from '../../domain/catalog/events.js';
import { storesDecider } from '../../domain/catalog/stores-decide.js';
import { evotorAccount, evotorAccountStream } from '../../domain/connections/evotor-account.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore, Position } from '../ports/event-store.js';
import { readState } from '../commands/load-state.js';
import { DEFAULT_RUN_INTERVAL_SECONDS, imageListing, sweepWindow } from './image-listing.js';
import { ConnectionAuthError, type EvotorCatalogSource } from './ports.js';

/** ~500 bytes per product event: well under EventStoreDB's 1 MiB append limit. */
const SNAPSHOT_EVENTS_PER_APPEND = 1000;

export interface EvotorFetchResult {
  stores: number;
  paymentRequired: number;
  /** domain events appended (0 when the catalog did not change) */
  changes: number;
  /** products whose image lists were read: new or changed ones, and the sweep's slice */
  imageLists: { changed: number; swept: number };
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
    /**
     * reads the recorded catalog: images are listed only for new or changed products and the
     * sweep's slice, and unchanged images are not downloaded; without it, all are
     */
    store?: EventStore;
    /** the time the sweep's window is taken at (tests move it) */
    clock?: () => Date;
    /** how often this user's fetch runs: sizes the sweep's slice (see image-listing.ts) */
    runIntervalSeconds?: number;
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
  const imageLists = { changed: 0, swept: 0 };
  let position: Position | null = null;
  const intervalMs = (deps.runIntervalSeconds ?? DEFAULT_RUN_INTERVAL_SECONDS) * 1000;
  const swept = sweepWindow(deps.clock?.() ?? new Date(), intervalMs);
  for (const store of stores) {
    const listing = deps.store && (await recordedListing(deps.store, userId, store.id, swept));
    const fetched = await source.fetchStore(store.id, listing);
    if (listing) {
      imageLists.changed += listing.listed.changed;
      imageLists.swept += listing.listed.swept;
    }
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
    imageLists,
    position,
  };
}

async function recordedListing(
  store: EventStore,
  userId: string,
  storeId: string,
  swept: (productId: string) => boolean,
) {
  const { state } = await readState(
    store,
    storeCatalogDecider,
    storeCatalogStream(userId, storeId),
  );
  return imageListing(state.products, swept);
}
