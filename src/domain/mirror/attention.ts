/**
 * Whether a user's mirror needs a push although nothing changed in Evotor: the cheap check of
 * the periodic pipeline. It reads only the mirror and the last VK observation (not the
 * catalogs), so it compares VK with what was last pushed rather than with the desired items;
 * the push itself then plans against the desired items.
 */
import type { DesiredVkItem } from './desired-item.js';
import { judging, seenItem, type Ownership } from './observed.js';
import { expectedMainPhoto, isDue, type MirroredItem, type MirrorState } from './state.js';
import type { VkMarketState } from '../vk-market/state.js';

export type MirrorAttention = 'open_requests' | 'failures_due' | 'drift';

function drifted(
  item: MirroredItem,
  observed: VkMarketState | null,
  ownership: Ownership,
  photoId: number | null,
): boolean {
  if (item.state !== 'active' || item.itemId === null) return false;
  const seen = seenItem(judging({ observed }, item.writtenAt), item.itemId);
  if (seen === null) return true;
  if (!seen) return false;
  const last = item.lastPushed;
  if (seen.deleted) return true;
  if (last) {
    const want = last as DesiredVkItem;
    if (seen.title !== want.name || seen.priceKopecks !== want.priceKopecks) return true;
    if (seen.stockAmount !== want.stockAmount || seen.sku !== want.sku) return true;
    if (ownership.description && seen.description !== want.description) return true;
    if (ownership.photos && photoId !== null && seen.mainPhotoId != null)
      if (seen.mainPhotoId !== photoId) return true;
  }
  const member = seenItem(judging({ observed }, item.writtenAt, item.albumAt), item.itemId);
  return !!member && item.albumId !== null && !member.albumIds.includes(item.albumId);
}

export function mirrorAttention(
  state: MirrorState,
  observed: VkMarketState | null,
  ownership: Ownership,
  now: number,
): MirrorAttention | null {
  if (state.paused) return null;
  let failures = false;
  let drift = false;
  for (const album of state.albums.values()) {
    if (album.pendingRequestId) return 'open_requests';
    if (album.failure && isDue(album.failure, now)) failures = true;
    const seen = judging({ observed }, album.writtenAt)?.albums;
    if (seen && album.albumId !== null) {
      const shown = seen.get(album.albumId);
      if (!shown || shown.title !== album.title) drift = true;
    }
  }
  for (const item of state.items.values()) {
    if (item.pendingRequestId) return 'open_requests';
    if (item.failure && isDue(item.failure, now)) failures = true;
    else if (!drift && drifted(item, observed, ownership, expectedMainPhoto(state, item)))
      drift = true;
  }
  if (failures) return 'failures_due';
  return drift ? 'drift' : null;
}
