import { describe, expect, it } from 'vitest';
import type { CatalogProduct, StoreCatalogEvent } from '../../src/domain/catalog/events.js';
import { storeCatalogSnapshot } from '../../src/domain/catalog/snapshot.js';
import { evolveStoreCatalog, initialStoreCatalogState } from '../../src/domain/catalog/state.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import { mirrorSnapshot } from '../../src/domain/mirror/snapshot.js';
import { evolveMirror, initialMirrorState } from '../../src/domain/mirror/state.js';
import { recordSnapshotCodec, type SnapshotCodec } from '../../src/domain/shared/snapshot.js';
import type { VkMarketEvent } from '../../src/domain/vk-market/events.js';
import { vkMarketSnapshot } from '../../src/domain/vk-market/snapshot.js';
import { evolveVkMarket, initialVkMarketState } from '../../src/domain/vk-market/state.js';

/** What a snapshot goes through: the codec, JSON text (any store), the codec back. */
function throughStore<State>(codec: SnapshotCodec<State>, state: State): State | null {
  return codec.fromJSON(JSON.parse(JSON.stringify(codec.toJSON(state))) as unknown);
}

/**
 * Folding the first part, snapshotting, and folding the rest onto the decoded state must give
 * what folding everything gives; evolve updates Maps in place, so the decoded Maps must be real.
 */
function expectSnapshotFold<State, E>(
  codec: SnapshotCodec<State>,
  initial: () => State,
  evolve: (s: State, e: E) => State,
  events: E[],
  at: number,
): void {
  const full = events.reduce(evolve, initial());
  const head = events.slice(0, at).reduce(evolve, initial());
  const decoded = throughStore(codec, head);
  expect(decoded).not.toBeNull();
  expect(events.slice(at).reduce(evolve, decoded!)).toEqual(full);
}

const product = (id: string, name: string): CatalogProduct => ({
  id,
  groupId: 'g-1',
  name,
  productType: 'NORMAL',
  priceKopecks: 8_990,
  costPriceKopecks: 6_000,
  quantityMilli: 12_000,
  measureName: 'шт',
  tax: 'VAT_20',
  allowToSell: true,
  description: 'Хранить при температуре от +2 до +6 °C.',
  articleNumber: 'АРТ-1',
  code: '1',
  barcodes: ['4600000000001'],
});

describe('snapshot codecs', () => {
  it('store catalog: Maps of groups and products survive, and folding continues', () => {
    const ids = { userId: 'u-1', storeId: 's-1' };
    const events: StoreCatalogEvent[] = [
      {
        type: 'GroupAdded',
        data: { ...ids, group: { id: 'g-1', parentId: null, name: 'Молочное' } },
      },
      {
        type: 'ProductAdded',
        data: { ...ids, product: product('p-1', 'Молоко «Домик в деревне»') },
      },
      { type: 'ProductAdded', data: { ...ids, product: product('p-2', 'Кефир') } },
      { type: 'CatalogFetched', data: { ...ids, groups: 1, products: 2, changes: 3 } },
      {
        type: 'ProductChanged',
        data: {
          ...ids,
          productId: 'p-1',
          changes: [{ field: 'priceKopecks', from: 8_990, to: 9_490 }],
        },
      },
      { type: 'ProductRemoved', data: { ...ids, productId: 'p-2' } },
      { type: 'ProductAdded', data: { ...ids, product: product('p-3', 'Сметана') } },
    ];
    for (const at of [0, 3, 5, events.length]) {
      expectSnapshotFold(
        storeCatalogSnapshot,
        initialStoreCatalogState,
        evolveStoreCatalog,
        events,
        at,
      );
    }
  });

  it('VK market: number-keyed Maps keep their number keys', () => {
    const item = {
      id: 77,
      title: 'Молоко',
      description: 'Молоко 1 л',
      priceKopecks: 9_000,
      availability: 0 as const,
      sku: 'p-1',
      stockAmount: 1_000,
      albumIds: [3],
      deleted: false,
    };
    const events: VkMarketEvent[] = [
      { type: 'VkAlbumObserved', data: { userId: 'u-1', album: { id: 3, title: 'Молочное' } } },
      { type: 'VkItemObserved', data: { userId: 'u-1', item } },
      {
        type: 'VkItemChanged',
        data: { userId: 'u-1', itemId: 77, changes: [{ field: 'deleted', from: false, to: true }] },
      },
    ];
    expectSnapshotFold(vkMarketSnapshot, initialVkMarketState, evolveVkMarket, events, 2);
    const decoded = throughStore(
      vkMarketSnapshot,
      events.reduce(evolveVkMarket, initialVkMarketState()),
    );
    expect([...decoded!.items.keys()]).toEqual([77]);
  });

  it('mirror: items, albums, the default photo and a pause survive', () => {
    const userId = 'u-1';
    const pushed = {
      name: 'Молоко',
      description: 'Молоко 1 л',
      categoryId: 40_932,
      priceKopecks: 9_000,
      sku: 'p-1',
      stockAmount: 1_000,
      available: true,
      albumKey: 'g-1',
    };
    const events = [
      { type: 'VkAlbumCreated', data: { userId, groupKey: 'g-1', albumId: 3, title: 'Молочное' } },
      { type: 'DefaultPhotoUploaded', data: { userId, photoId: 456 } },
      {
        type: 'VkItemCreateRequested',
        data: { userId, productId: 'p-1', sku: 'p-1', requestId: 'r-1' },
      },
      {
        type: 'VkItemCreated',
        data: { userId, productId: 'p-1', requestId: 'r-1', itemId: 77, pushed },
      },
      {
        type: 'VkPushPaused',
        data: { userId, reason: 'captcha', captchaSid: '1', captchaImg: 'http://x' },
      },
      { type: 'VkItemHidden', data: { userId, productId: 'p-1', itemId: 77 } },
    ] as MirrorEvent[];
    for (const at of [1, 4, events.length]) {
      expectSnapshotFold(mirrorSnapshot, initialMirrorState, evolveMirror, events, at);
    }
  });

  it('refuses JSON that is not this version of the state', () => {
    const codec = recordSnapshotCodec({
      schemaVersion: 1,
      initialState: () => ({ items: new Map<string, { n: number }>(), count: 0 }),
    });
    expect(codec.fromJSON({ items: [['a', { n: 1 }]], count: 1 })).toEqual({
      items: new Map([['a', { n: 1 }]]),
      count: 1,
    });
    // A field added to the state without a version bump, one removed, a Map not stored as one.
    expect(codec.fromJSON({ items: [], count: 1, extra: true })).toBeNull();
    expect(codec.fromJSON({ items: [] })).toBeNull();
    expect(codec.fromJSON({ items: {}, count: 1 })).toBeNull();
    expect(codec.fromJSON(null)).toBeNull();
    expect(codec.fromJSON([1, 2])).toBeNull();
  });
});
