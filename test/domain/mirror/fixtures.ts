import type { DesiredVkItem, PushedVkItem } from '../../../src/domain/mirror/desired-item.js';
import type { MirrorEvent } from '../../../src/domain/mirror/events.js';

export const userId = 'u1';

export function desired(productId: string, overrides: Partial<DesiredVkItem> = {}): DesiredVkItem {
  return {
    sku: productId,
    name: `Товар ${productId}`,
    description: `Товар ${productId} (цена за 1 шт.)`,
    priceKopecks: 10_000,
    categoryId: 40932,
    stockAmount: 1000,
    available: true,
    albumKey: 'g1',
    albumTitle: 'Группа g1',
    photos: [],
    photoSources: [],
    ...overrides,
  };
}

export function pushedOf(item: DesiredVkItem): PushedVkItem {
  const { albumTitle: _title, photoSources: _sources, ...fields } = item;
  return fields;
}

/** The events of a product created in VK as `item` under item id `itemId`. */
export function created(
  productId: string,
  itemId: number,
  item = desired(productId),
): MirrorEvent[] {
  const requestId = `${productId}#1`;
  return [
    { type: 'VkItemCreateRequested', data: { userId, productId, sku: item.sku, requestId } },
    {
      type: 'VkItemCreated',
      data: { userId, productId, requestId, itemId, pushed: pushedOf(item) },
    },
  ];
}

export const albumCreated = (groupKey = 'g1', albumId = 50, title = 'Группа g1'): MirrorEvent => ({
  type: 'VkAlbumCreated',
  data: { userId, groupKey, albumId, title },
});
