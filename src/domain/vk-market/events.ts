/**
 * What EvoSync last saw in the user's VK market (stream `vk-market-{userId}`), recorded as
 * differences between fetches. This is observation only: what EvoSync itself pushed lives in
 * `vk-mirror-{userId}`; comparing the two reveals drift (items edited or deleted in VK).
 */
import type { FieldChange } from '../catalog/events.js';

/** VK's own codes: 0 available, 1 removed, 2 unavailable. */
export type VkAvailability = 0 | 1 | 2;
export const VK_AVAILABILITY = { available: 0, removed: 1, unavailable: 2 } as const;

export interface VkAlbum {
  id: number;
  title: string;
}

export interface VkItem {
  id: number;
  title: string;
  description: string;
  /** VK sends the price as a string of hundredths; kept as an integer */
  priceKopecks: number;
  availability: VkAvailability;
  sku: string;
  stockAmount: number;
  /** sorted ascending when recorded, so a reordered list is not a change */
  albumIds: number[];
  deleted: boolean;
  /** the item's main photo; absent in observations made before photos were read */
  mainPhotoId?: number | null;
}

export type VkAlbumField = Exclude<keyof VkAlbum, 'id'>;
export type VkItemField = Exclude<keyof VkItem, 'id'>;

export type VkMarketEvent =
  | { type: 'VkAlbumObserved'; data: { userId: string; album: VkAlbum } }
  | {
      type: 'VkAlbumChanged';
      data: { userId: string; albumId: number; changes: FieldChange<VkAlbumField>[] };
    }
  | { type: 'VkAlbumDisappeared'; data: { userId: string; albumId: number } }
  /** one item seen for the first time: what fetches recorded before VkItemsObserved */
  | { type: 'VkItemObserved'; data: { userId: string; item: VkItem } }
  /**
   * Items seen for the first time, in id order, at most OBSERVED_ITEMS_PER_EVENT per event: a
   * market's first fetch records its size / 100 events instead of one per item.
   */
  | { type: 'VkItemsObserved'; data: { userId: string; items: VkItem[] } }
  | {
      type: 'VkItemChanged';
      data: { userId: string; itemId: number; changes: FieldChange<VkItemField>[] };
    }
  | { type: 'VkItemDisappeared'; data: { userId: string; itemId: number } }
  /**
   * Closes every complete fetch, changed or not: the observed state above is VK as of
   * `startedAt` (when the fetch began reading). The mirror judges drift only on observations
   * newer than its own last write of an item, so it must know how new the observation is.
   */
  | { type: 'VkMarketFetched'; data: { userId: string; startedAt: string } };

/**
 * How many newly seen items one VkItemsObserved carries: ~30 KB of JSON, far below any event
 * size limit (EventStoreDB's 16 MB, the audit log's MEDIUMTEXT), and 1 % of the events a
 * first fetch of a large market would write one item at a time.
 */
export const OBSERVED_ITEMS_PER_EVENT = 100;

export const vkMarketStream = (userId: string) => `vk-market-${userId}`;
