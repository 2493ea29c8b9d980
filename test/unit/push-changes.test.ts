/**
 * What a push of changes plans (src/application/sync/vk-push-changes.ts): the products of the
 * catalog events after the revisions the last completed push read, or a full plan when that
 * cannot be trusted to be enough.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LoadedCatalog } from '../../src/application/sync/desired-state.js';
import { changedProducts } from '../../src/application/sync/vk-push-changes.js';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { initialStoreCatalogState } from '../../src/domain/catalog/state.js';
import { initialMirrorState, type MirrorState } from '../../src/domain/mirror/state.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';

const META = { actor: 't', correlationId: 'c', occurredAt: '2026-11-28T08:00:00.000Z' };
const ids = { userId: 'u-1', storeId: 's-1' };
const changed = (productId: string) => ({
  type: 'ProductChanged',
  data: { ...ids, productId, changes: [{ field: 'priceKopecks', from: 1, to: 2 }] },
});
const removed = (productId: string) => ({ type: 'ProductRemoved', data: { ...ids, productId } });
const notified = { type: 'CatalogNotified', data: { ...ids, delivery: 'd', at: 1 } };
const renamed = {
  type: 'GroupChanged',
  data: { ...ids, groupId: 'g-1', changes: [{ field: 'name', from: 'А', to: 'Б' }] },
};

async function setUp(events: Array<{ type: string; data: unknown }>, pushed?: number) {
  const store = new MemoryEventStore();
  await store.appendToStream(
    storeCatalogStream('u-1', 's-1'),
    events.map((e) => ({ ...e, id: randomUUID(), metadata: META })),
  );
  const catalogs: LoadedCatalog[] = [
    {
      storeId: 's-1',
      known: { info: { id: 's-1', name: 'Магазин' } as never, access: 'ok', lost: false },
      catalog: initialStoreCatalogState(),
      revision: events.length - 1,
    },
  ];
  const mirror: MirrorState = {
    ...initialMirrorState(),
    pushedCatalogs: new Map(pushed === undefined ? [] : [['s-1', pushed]]),
  };
  return { store, catalogs, mirror };
}

describe('a push of changes', () => {
  it('plans the products of the events after the last push, once each', async () => {
    const s = await setUp(
      [changed('p-0'), changed('p-1'), notified, changed('p-2'), removed('p-1'), changed('p-2')],
      1,
    );
    const got = await changedProducts(s.store, 'u-1', s.catalogs, s.mirror);
    expect([...got!].sort()).toEqual(['p-1', 'p-2']);
  });

  it('plans nothing when the catalog has not moved since', async () => {
    const s = await setUp([changed('p-0'), changed('p-1')], 1);
    expect(await changedProducts(s.store, 'u-1', s.catalogs, s.mirror)).toEqual(new Set());
  });

  it('plans everything after a group change, for a store no push recorded, or a catalog behind the last push', async () => {
    const group = await setUp([changed('p-0'), renamed, changed('p-1')], 0);
    expect(await changedProducts(group.store, 'u-1', group.catalogs, group.mirror)).toBeNull();
    const unknown = await setUp([changed('p-0')]);
    expect(
      await changedProducts(unknown.store, 'u-1', unknown.catalogs, unknown.mirror),
    ).toBeNull();
    const behind = await setUp([changed('p-0')], 5);
    expect(await changedProducts(behind.store, 'u-1', behind.catalogs, behind.mirror)).toBeNull();
  });
});
