import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import { compareIds, indexById } from './diff.js';
import type { StoreAccess, StoreInfo, StoresEvent } from './events.js';
import { evolveStores, initialStoresState, type StoresState } from './state.js';

/**
 * The result of `GET /stores`, plus what fetching each store's catalog said about access.
 * A store missing from `access` was not probed this time: its access stays as it was.
 */
export interface RecordEvotorStoreList {
  type: 'RecordEvotorStoreList';
  userId: string;
  stores: StoreInfo[];
  access: Record<string, StoreAccess>;
}

/**
 * Evotor's store notification (`PUT …/api/v1/inventories/stores`): stores created or changed in
 * the owner's account. Partial: a store it does not list is not lost.
 */
export interface RecordEvotorStoresNotified {
  type: 'RecordEvotorStoresNotified';
  userId: string;
  stores: StoreInfo[];
}

export type StoresCommand = RecordEvotorStoreList | RecordEvotorStoresNotified;

/**
 * Only changes become events. A store that answers 402 is still in Evotor's list, so it is
 * never "lost": it gets one StoreAccessChanged, and another only when it is paid again.
 * Address changes are not recorded: no screen or rule uses the address beyond display at
 * discovery, and the event set of this stream is shared with projections already.
 */
export function decideStores(
  command: StoresCommand,
  state: StoresState,
  _ctx?: DecideContext,
): StoresEvent[] {
  if (command.type === 'RecordEvotorStoresNotified') return decideStoresNotified(command, state);
  const { userId } = command;
  const listed = indexById(command.stores, (id) => {
    throw new DomainError('store_list_duplicate_id', `Магазин ${id} дважды в списке.`);
  });
  const ids = [...new Set([...state.stores.keys(), ...listed.keys()])].sort(compareIds);
  const events: StoresEvent[] = [];

  for (const storeId of ids) {
    const known = state.stores.get(storeId);
    const store = listed.get(storeId);
    if (!store) {
      if (known && !known.lost) events.push({ type: 'StoreLost', data: { userId, storeId } });
      continue;
    }
    if (!known || known.lost) {
      events.push({ type: 'StoreDiscovered', data: { userId, store } });
    } else if (known.info.name !== store.name) {
      events.push({
        type: 'StoreRenamed',
        data: { userId, storeId, from: known.info.name, to: store.name },
      });
    }
    const access = command.access[storeId];
    const previous = known?.access ?? 'ok';
    if (access !== undefined && access !== previous) {
      events.push({ type: 'StoreAccessChanged', data: { userId, storeId, access } });
    }
  }
  return events;
}

function decideStoresNotified(
  command: RecordEvotorStoresNotified,
  state: StoresState,
): StoresEvent[] {
  const { userId } = command;
  const listed = indexById(command.stores, (id) => {
    throw new DomainError('store_list_duplicate_id', `Магазин ${id} дважды в уведомлении.`);
  });
  const events: StoresEvent[] = [];
  for (const store of [...listed.values()].sort((a, b) => compareIds(a.id, b.id))) {
    const known = state.stores.get(store.id);
    if (!known || known.lost) events.push({ type: 'StoreDiscovered', data: { userId, store } });
    else if (known.info.name !== store.name) {
      const change = { userId, storeId: store.id, from: known.info.name, to: store.name };
      events.push({ type: 'StoreRenamed', data: change });
    }
  }
  return events;
}

export const storesDecider: Decider<StoresCommand, StoresEvent, StoresState> = {
  initialState: initialStoresState,
  evolve: evolveStores,
  decide: decideStores,
};
