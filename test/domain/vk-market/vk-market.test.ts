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
import { deciderSpec, throughHandler } from '../decider-spec.js';

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

const observed = (i: VkItem): VkMarketEvent => ({
  type: 'VkItemObserved',
  data: { userId, item: i },
});
const album = (id: number, title = `Подборка ${id}`) => ({ id, title });

describe('RecordVkMarketSnapshot', () => {
  it('observes albums before items, each in id order', () => {
    given([])
      .when(snapshot([album(7), album(3)], [item(20), item(10, { albumIds: [7, 3] })]))
      .then([
        { type: 'VkAlbumObserved', data: { userId, album: album(3) } },
        { type: 'VkAlbumObserved', data: { userId, album: album(7) } },
        observed(item(10, { albumIds: [3, 7] })),
        observed(item(20)),
      ]);
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
        observed(item(10)),
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
