import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  vkMarketDecider,
  type RecordVkMarketSnapshot,
} from '../../../src/domain/vk-market/decide.js';
import {
  vkMarketStream,
  type VkItem,
  type VkMarketEvent,
} from '../../../src/domain/vk-market/events.js';
import { propertySeed } from '../../support/property.js';
import { deciderSpec, fixedContext, throughHandler } from '../decider-spec.js';

const userId = 'u1';
const given = deciderSpec(vkMarketDecider);

function item(id: number, overrides: Partial<VkItem> = {}): VkItem {
  return {
    id,
    title: `Товар ${id}`,
    description: 'Описание товара',
    priceKopecks: 15_000,
    availability: 0,
    sku: `sku-${id}`,
    stockAmount: 1000,
    albumIds: [],
    deleted: false,
    ...overrides,
  };
}

function snapshot(
  albums: RecordVkMarketSnapshot['albums'],
  items: RecordVkMarketSnapshot['items'],
): RecordVkMarketSnapshot {
  return { type: 'RecordVkMarketSnapshot', userId, albums, items };
}

/** one item, as fetches recorded it before VkItemsObserved: still folded */
const observed = (i: VkItem): VkMarketEvent => ({
  type: 'VkItemObserved',
  data: { userId, item: i },
});
const itemsObserved = (...items: VkItem[]): VkMarketEvent => ({
  type: 'VkItemsObserved',
  data: { userId, items },
});
const album = (id: number, title = `Подборка ${id}`) => ({ id, title });

describe('RecordVkMarketSnapshot', () => {
  it('observes albums before items, each in id order', () => {
    given([])
      .when(snapshot([album(7), album(3)], [item(20), item(10, { albumIds: [7, 3] })]))
      .then([
        { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
        { type: 'VkAlbumObserved', data: { userId, album: album(7) } },
        itemsObserved(item(10, { albumIds: [3, 7] }), item(20)),
      ]);
  });

  it('records newly seen items 100 to an event, in id order, before changes and disappearances', () => {
    const known = [item(5), item(6)];
    const fresh = Array.from({ length: 250 }, (_, i) => item(1000 - i));
    const byId = [...fresh].sort((a, b) => a.id - b.id);
    given([itemsObserved(...known)])
      .when(snapshot([], [item(5, { title: 'Новое' }), ...fresh]))
      .then([
        itemsObserved(...byId.slice(0, 100)),
        itemsObserved(...byId.slice(100, 200)),
        itemsObserved(...byId.slice(200)),
        {
          type: 'VkItemChanged',
          data: { userId, itemId: 5, changes: [{ field: 'title', from: 'Товар 5', to: 'Новое' }] },
        },
        { type: 'VkItemDisappeared', data: { userId, itemId: 6 } },
      ]);
  });

  it('folds what the recorded events say VK shows: the last snapshot, whatever came before', () => {
    const itemArb = fc.record({
      id: fc.integer({ min: 1, max: 400 }),
      title: fc.constantFrom('Хлеб', 'Молоко', 'Сыр'),
      priceKopecks: fc.integer({ min: 100, max: 300 }),
      availability: fc.constantFrom<VkItem['availability']>(0, 1, 2),
      albumIds: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
    });
    const snapshotArb = fc.uniqueArray(itemArb, { selector: (i) => i.id, maxLength: 250 });
    const seed = propertySeed('VK_MARKET_SEED', 'VK market fold');
    fc.assert(
      fc.property(fc.array(snapshotArb, { minLength: 1, maxLength: 4 }), (snapshots) => {
        let state = vkMarketDecider.initialState();
        for (const fields of snapshots) {
          const items = fields.map((f) => item(f.id, { ...f, deleted: f.availability === 1 }));
          const events = vkMarketDecider.decide(snapshot([], items), state, fixedContext());
          for (const e of events) state = vkMarketDecider.evolve(state, e);
          const large = events.filter((e) => e.type === 'VkItemsObserved');
          for (const e of large) expect(e.data.items.length).toBeLessThanOrEqual(100);
          const sorted = (list: VkItem[]) =>
            list
              .map((i) => ({ ...i, albumIds: [...i.albumIds].sort((a, b) => a - b) }))
              .sort((a, b) => a.id - b.id);
          expect(sorted([...state.items.values()])).toEqual(sorted(items));
        }
      }),
      { seed, numRuns: 60 },
    );
  });

  it('returns [] when VK shows what was seen last time (album order and a missing deleted flag included)', () => {
    const { deleted: _deleted, ...withoutFlag } = item(10, { albumIds: [7, 3] });
    given([
      { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
      observed(item(10, { albumIds: [3, 7] })),
    ])
      .when(snapshot([album(3)], [withoutFlag]))
      .then([]);
  });

  it('records changed fields of albums and items', () => {
    given([{ type: 'VkAlbumObserved', data: { userId, album: album(3) } }, observed(item(10))])
      .when(
        snapshot(
          [album(3, 'Напитки')],
          [item(10, { priceKopecks: 9_900, availability: 2, albumIds: [3] })],
        ),
      )
      .then([
        {
          type: 'VkAlbumChanged',
          data: {
            userId,
            albumId: 3,
            changes: [{ field: 'title', from: 'Подборка 3', to: 'Напитки' }],
          },
        },
        {
          type: 'VkItemChanged',
          data: {
            userId,
            itemId: 10,
            changes: [
              { field: 'priceKopecks', from: 15_000, to: 9_900 },
              { field: 'availability', from: 0, to: 2 },
              { field: 'albumIds', from: [], to: [3] },
            ],
          },
        },
      ]);
  });

  it('records what disappeared from VK', () => {
    given([
      { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
      observed(item(10)),
      observed(item(11)),
    ])
      .when(snapshot([], [item(11)]))
      .then([
        { type: 'VkAlbumDisappeared', data: { userId, albumId: 3 } },
        { type: 'VkItemDisappeared', data: { userId, itemId: 10 } },
      ]);
  });

  it('records an item deleted in VK as a change of its flags', () => {
    given([observed(item(10))])
      .when(snapshot([], [item(10, { availability: 1, deleted: true })]))
      .then([
        {
          type: 'VkItemChanged',
          data: {
            userId,
            itemId: 10,
            changes: [
              { field: 'availability', from: 0, to: 1 },
              { field: 'deleted', from: false, to: true },
            ],
          },
        },
      ]);
  });

  it('refuses a snapshot listing an item twice', () => {
    given([])
      .when(snapshot([], [item(1), item(1)]))
      .thenRefused('vk_snapshot_duplicate_id');
  });

  it('runs through the generic command handler', async () => {
    const history = [observed(item(10))];
    const { appended, stream } = await throughHandler(
      vkMarketDecider,
      vkMarketStream(userId),
      history,
      snapshot([], [item(10, { title: 'Новое' })]),
    );
    const expected: VkMarketEvent[] = [
      {
        type: 'VkItemChanged',
        data: { userId, itemId: 10, changes: [{ field: 'title', from: 'Товар 10', to: 'Новое' }] },
      },
    ];
    expect(appended).toEqual(expected);
    expect(stream).toEqual([...history, ...expected]);
  });
});

describe('RecordVkMarketSnapshot with the time the fetch began', () => {
  const at = (iso: string) => ({ ...snapshot([album(3)], [item(10)]), startedAt: iso });

  it('closes the snapshot with VkMarketFetched, also when nothing changed', () => {
    given([])
      .when(at('2026-11-28T01:00:00.000Z'))
      .then([
        { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
        itemsObserved(item(10)),
        { type: 'VkMarketFetched', data: { userId, startedAt: '2026-11-28T01:00:00.000Z' } },
      ]);
    given([
      { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
      observed(item(10)),
      { type: 'VkMarketFetched', data: { userId, startedAt: '2026-11-28T01:00:00.000Z' } },
    ])
      .when(at('2026-11-28T02:00:00.000Z'))
      .then([{ type: 'VkMarketFetched', data: { userId, startedAt: '2026-11-28T02:00:00.000Z' } }]);
  });

  it('records nothing for a fetch that began before the last recorded one (stale, out of order)', () => {
    given([{ type: 'VkMarketFetched', data: { userId, startedAt: '2026-11-28T02:00:00.000Z' } }])
      .when({ ...snapshot([], []), startedAt: '2026-11-28T01:59:59.000Z' })
      .then([]);
  });
});
