/**
 * What a push job must do to bring VK to the desired state: a pure comparison of the desired
 * items with what the mirror stream says was pushed. Only the products in `desired` are
 * looked at (the saga passes the ones its events touched); an unchanged desired state plans
 * nothing.
 *
 * Leaving VK: a product that left the sync scope (`null`) is hidden — kept in VK, switched
 * off with `market.edit(deleted=1)` — so coming back restores it with its photos and
 * history. A product removed in Evotor (`'removed'`) is deleted with `market.delete`.
 */
import { compareIds, fieldChanges } from '../catalog/diff.js';
import type { FieldChange } from '../catalog/events.js';
import {
  PUSHED_FIELDS,
  vkSku,
  type DesiredVkItem,
  type PushedField,
  type PushedVkItem,
} from './desired-item.js';
import type { MirroredItem, MirrorState } from './state.js';

export type DesiredEntry = DesiredVkItem | null | 'removed';

/**
 * Drift seen in VK: ids of items that were observed and then disappeared or were deleted
 * there (VkItemDisappeared, VkItemChanged to deleted). Only a disappearance counts, never a
 * mere absence: a VK fetch older than the item's creation must not cause a second item.
 */
export interface ObservedVk {
  goneItemIds: ReadonlySet<number>;
}

export interface ItemOp {
  productId: string;
  itemId: number;
}

export interface MirrorPlan {
  /** some create needs the default photo and none was uploaded yet */
  needsDefaultPhoto: boolean;
  albumsToCreate: { groupKey: string; title: string }[];
  albumsToRename: { groupKey: string; albumId: number; title: string }[];
  creates: { productId: string; requestId: string; item: DesiredVkItem }[];
  /** open requests without an outcome: find the item by sku; if VK has none, create it */
  adopts: { productId: string; sku: string; requestId: string }[];
  edits: (ItemOp & { changes: FieldChange<PushedField>[]; item: DesiredVkItem })[];
  restores: ItemOp[];
  hides: ItemOp[];
  deletes: ItemOp[];
  /** items deleted on the VK side while they should be there */
  recreates: {
    productId: string;
    previousItemId: number;
    requestId: string;
    item: DesiredVkItem;
  }[];
}

export function emptyPlan(): MirrorPlan {
  return {
    needsDefaultPhoto: false,
    albumsToCreate: [],
    albumsToRename: [],
    creates: [],
    adopts: [],
    edits: [],
    restores: [],
    hides: [],
    deletes: [],
    recreates: [],
  };
}

export function isEmptyPlan(plan: MirrorPlan): boolean {
  return Object.values(plan).every((v) => (Array.isArray(v) ? v.length === 0 : v === false));
}

function pushed(item: DesiredVkItem): PushedVkItem {
  const { albumTitle: _title, ...fields } = item;
  return fields;
}

/** Deterministic, so a job that plans twice asks for the same request. */
const nextRequestId = (productId: string, item: MirroredItem | undefined) =>
  `${productId}#${(item?.requests ?? 0) + 1}`;

function changesSince(last: PushedVkItem | null, item: DesiredVkItem): FieldChange<PushedField>[] {
  const now = pushed(item);
  if (last) return fieldChanges(last, now, PUSHED_FIELDS);
  // An adopted item's content is unknown: send everything once.
  return PUSHED_FIELDS.map((field) => ({ field, from: null, to: now[field] }));
}

function planAlbum(plan: MirrorPlan, state: MirrorState, item: DesiredVkItem): void {
  const { albumKey: groupKey, albumTitle: title } = item;
  if (groupKey === null || title === null) return;
  const album = state.albums.get(groupKey);
  if (!album) {
    if (!plan.albumsToCreate.some((a) => a.groupKey === groupKey)) {
      plan.albumsToCreate.push({ groupKey, title });
    }
  } else if (album.title !== title && !plan.albumsToRename.some((a) => a.groupKey === groupKey)) {
    plan.albumsToRename.push({ groupKey, albumId: album.albumId, title });
  }
}

export function planMirror(
  desired: ReadonlyMap<string, DesiredEntry>,
  state: MirrorState,
  observed?: ObservedVk,
): MirrorPlan {
  const plan = emptyPlan();
  for (const productId of [...desired.keys()].sort(compareIds)) {
    const want = desired.get(productId)!;
    const mirrored = state.items.get(productId);
    if (want !== null && want !== 'removed') planAlbum(plan, state, want);

    if (mirrored?.pendingRequestId) {
      const sku = want && want !== 'removed' ? want.sku : vkSku(productId);
      plan.adopts.push({ productId, sku, requestId: mirrored.pendingRequestId });
      continue;
    }
    const itemId = mirrored?.itemId ?? null;
    const live = itemId !== null && mirrored!.state !== 'deleted';

    if (want === 'removed') {
      if (live) plan.deletes.push({ productId, itemId });
    } else if (want === null) {
      if (live && mirrored!.state === 'active' && !observed?.goneItemIds.has(itemId)) {
        plan.hides.push({ productId, itemId });
      }
    } else if (!live) {
      plan.creates.push({ productId, requestId: nextRequestId(productId, mirrored), item: want });
    } else if (mirrored!.state === 'active' && observed?.goneItemIds.has(itemId)) {
      const requestId = nextRequestId(productId, mirrored);
      plan.recreates.push({ productId, previousItemId: itemId, requestId, item: want });
    } else {
      if (mirrored!.state === 'hidden') plan.restores.push({ productId, itemId });
      const changes = changesSince(mirrored!.lastPushed, want);
      if (changes.length > 0) plan.edits.push({ productId, itemId, changes, item: want });
    }
  }
  const creating = plan.creates.length + plan.recreates.length + plan.adopts.length;
  plan.needsDefaultPhoto = creating > 0 && state.defaultPhotoId === null;
  return plan;
}
