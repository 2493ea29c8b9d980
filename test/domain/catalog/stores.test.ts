import { describe, expect, it } from 'vitest';
import {
  storesStream,
  type StoreAccess,
  type StoreInfo,
  type StoresEvent,
} from '../../../src/domain/catalog/events.js';
import {
  storesDecider,
  type RecordEvotorStoreList,
} from '../../../src/domain/catalog/stores-decide.js';
import { deciderSpec, throughHandler } from '../decider-spec.js';

const userId = 'u1';
const given = deciderSpec(storesDecider);
const store = (id: string, name = `Магазин ${id}`): StoreInfo => ({
  id,
  name,
  address: 'ул. Ленина, 1',
});

function list(
  stores: StoreInfo[],
  access: Record<string, StoreAccess> = {},
): RecordEvotorStoreList {
  return { type: 'RecordEvotorStoreList', userId, stores, access };
}

const discovered = (s: StoreInfo): StoresEvent => ({
  type: 'StoreDiscovered',
  data: { userId, store: s },
});
const accessChanged = (storeId: string, access: StoreAccess): StoresEvent => ({
  type: 'StoreAccessChanged',
  data: { userId, storeId, access },
});

describe('RecordEvotorStoreList', () => {
  it('discovers new stores in id order', () => {
    given([])
      .when(list([store('s2'), store('s1')], { s1: 'ok', s2: 'ok' }))
      .then([discovered(store('s1')), discovered(store('s2'))]);
  });

  it('returns [] when the list and the access are unchanged', () => {
    given([discovered(store('s1'))])
      .when(list([store('s1')], { s1: 'ok' }))
      .then([]);
  });

  it('records a rename with the old and the new name', () => {
    given([discovered(store('s1'))])
      .when(list([store('s1', 'Центральный')]))
      .then([
        {
          type: 'StoreRenamed',
          data: { userId, storeId: 's1', from: 'Магазин s1', to: 'Центральный' },
        },
      ]);
  });

  it('marks a store missing from the list as lost, once', () => {
    given([discovered(store('s1')), discovered(store('s2'))])
      .when(list([store('s2')]))
      .then([{ type: 'StoreLost', data: { userId, storeId: 's1' } }]);
    given([discovered(store('s1')), { type: 'StoreLost', data: { userId, storeId: 's1' } }])
      .when(list([]))
      .then([]);
  });

  it('rediscovers a lost store that comes back', () => {
    given([discovered(store('s1')), { type: 'StoreLost', data: { userId, storeId: 's1' } }])
      .when(list([store('s1')]))
      .then([discovered(store('s1'))]);
  });

  it('does not lose a store that answers 402: its access changes once', () => {
    given([discovered(store('s1'))])
      .when(list([store('s1')], { s1: 'payment_required' }))
      .then([accessChanged('s1', 'payment_required')]);
    given([discovered(store('s1')), accessChanged('s1', 'payment_required')])
      .when(list([store('s1')], { s1: 'payment_required' }))
      .then([]);
    given([discovered(store('s1')), accessChanged('s1', 'payment_required')])
      .when(list([store('s1')], { s1: 'ok' }))
      .then([accessChanged('s1', 'ok')]);
  });

  it('records a new store that is not paid as discovered, then access changed', () => {
    given([])
      .when(list([store('s1')], { s1: 'payment_required' }))
      .then([discovered(store('s1')), accessChanged('s1', 'payment_required')]);
  });

  it('leaves the access of a store that was not probed as it was', () => {
    given([discovered(store('s1')), accessChanged('s1', 'payment_required')])
      .when(list([store('s1')], {}))
      .then([]);
  });

  it('refuses a list with the same store twice', () => {
    given([])
      .when(list([store('s1'), store('s1')]))
      .thenRefused('store_list_duplicate_id');
  });

  it('runs through the generic command handler', async () => {
    const history = [discovered(store('s1'))];
    const { appended, stream } = await throughHandler(
      storesDecider,
      storesStream(userId),
      history,
      list([store('s1'), store('s2')], { s2: 'payment_required' }),
    );
    const expected = [discovered(store('s2')), accessChanged('s2', 'payment_required')];
    expect(appended).toEqual(expected);
    expect(stream).toEqual([...history, ...expected]);
  });
});
