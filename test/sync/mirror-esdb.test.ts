import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsdbEventStore } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { startEsdbSimulator, type EsdbSimulator } from '../simulators/esdb/server.js';
import { SyncHarness } from '../support/sync-harness.js';

/** The production event store adapter under the real sync, over gRPC to the protocol simulator. */
let simulator: EsdbSimulator;
let store: EsdbEventStore;
let h: SyncHarness;

beforeAll(async () => {
  simulator = await startEsdbSimulator();
  store = new EsdbEventStore(simulator.url);
  h = await SyncHarness.start(store, { products: 1200, groups: 6 }, { pageSize: 500 });
});
afterAll(async () => {
  await h?.stop();
  await store?.close();
  await simulator?.stop();
});

describe('the mirror on the EventStoreDB adapter', () => {
  it('syncs a catalog larger than one append and follows a price change with one edit', async () => {
    await h.fetchEvotor();
    await h.enableAndConfirm();
    await h.pushUntilSettled();
    const products = h.evotor.admin.products(h.storeIds[0]!);
    expect(
      h
        .visibleItems()
        .map((i) => i.sku)
        .sort(),
    ).toEqual(products.map((p) => p.id).sort());

    h.vk.admin.resetCallLog();
    h.evotor.admin.changeProduct(h.storeIds[0]!, products[0]!.id, { price: 4321 });
    await h.fetchEvotor();
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 1 });
    expect(h.visibleItems().find((i) => i.sku === products[0]!.id)!.price).toBe(4321);
  }, 120_000);
});
