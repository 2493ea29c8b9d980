/**
 * Album membership: recorded only after VK confirmed `market.addToAlbum`, so an item whose
 * add never happened (a crash, a lasting error) is added by the next push, and an item VK
 * shows outside its album (removed by hand, or its album re-created) is put back.
 */
import { compareIds } from '../catalog/diff.js';
import type { DesiredVkItem } from './desired-item.js';
import { judging, seenItem, type PlanContext } from './observed.js';
import { isDue, type MirrorState } from './state.js';

interface MembershipOp {
  productId: string;
  itemId: number;
  albumId: number;
}

export interface MembershipPlan {
  /** `reasserted`: recorded as a member, but VK shows it outside (removed by hand) */
  adds: (MembershipOp & { reasserted: boolean })[];
  /** VK already shows the item in its album (a crash after addToAlbum): recorded, no call */
  confirms: MembershipOp[];
  /** out of one of our albums it should not be in */
  removes: MembershipOp[];
}

export function planMemberships(
  desired: ReadonlyMap<string, DesiredVkItem | null | 'removed'>,
  state: MirrorState,
  ctx: PlanContext,
): MembershipPlan {
  const plan: MembershipPlan = { adds: [], confirms: [], removes: [] };
  const ours = new Set<number>();
  for (const album of state.albums.values()) if (album.albumId !== null) ours.add(album.albumId);

  for (const productId of [...desired.keys()].sort(compareIds)) {
    const want = desired.get(productId);
    const item = state.items.get(productId);
    if (!want || want === 'removed' || !item || item.itemId === null) continue;
    if (item.state !== 'active' || item.pendingRequestId || !isDue(item.failure, ctx.now)) continue;
    const itemId = item.itemId;
    const target =
      want.albumKey === null ? null : (state.albums.get(want.albumKey)?.albumId ?? null);
    // Its album is not there yet (being created, or failing): nothing to add to.
    if (want.albumKey !== null && target === null) continue;

    const seen = seenItem(judging(ctx, item.writtenAt, item.albumAt), itemId);
    if (seen === null) continue; // lost: re-created first
    if (seen) {
      if (target !== null && !seen.albumIds.includes(target)) {
        plan.adds.push({ productId, itemId, albumId: target, reasserted: item.albumId === target });
      } else if (target !== null && item.albumId !== target) {
        plan.confirms.push({ productId, itemId, albumId: target });
      }
      for (const albumId of seen.albumIds) {
        if (albumId !== target && ours.has(albumId))
          plan.removes.push({ productId, itemId, albumId });
      }
      continue;
    }
    if (target !== null && item.albumId !== target) {
      plan.adds.push({ productId, itemId, albumId: target, reasserted: false });
    }
    if (item.albumId !== null && item.albumId !== target && ours.has(item.albumId)) {
      plan.removes.push({ productId, itemId, albumId: item.albumId });
    }
  }
  return plan;
}
