/**
 * What a push job must do to bring VK to the desired state: a pure three-way comparison of
 * the desired items, what the mirror stream says was pushed, and what VK last showed (see
 * observed.ts for when an observation counts). An unchanged desired state with VK matching it
 * plans nothing.
 *
 * Leaving VK: a product that left the sync scope (`null`) is hidden — kept in VK, switched
 * off with `market.edit(deleted=1)` — so coming back restores it with its photos and
 * history. A product removed in Evotor (`'removed'`) is deleted with `market.delete`.
 * A product or album whose last call failed waits until its retry time (state.ts).
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
import type { PlanCounts, ReassertedField } from './events.js';
import { planMemberships, type MembershipPlan } from './memberships.js';
import { handEdits, judging, seenItem, type Ownership, type PlanContext } from './observed.js';
import {
  expectedMainPhoto,
  isDue,
  photoReady,
  type MirroredItem,
  type MirrorState,
} from './state.js';

export type { PlanContext, Ownership } from './observed.js';
export { EVOSYNC_OWNS_ALL } from './observed.js';

export type DesiredEntry = DesiredVkItem | null | 'removed';

export interface ItemOp {
  productId: string;
  itemId: number;
}

export interface MirrorPlan {
  /** some create needs the default photo and none was uploaded yet */
  needsDefaultPhoto: boolean;
  /** product images the creates and edits below need that VK has not got yet (by content) */
  photosToUpload: { sha256: string; url: string; productId: string }[];
  /** `lostAlbumId`: VK lost the album (deleted by hand); this request makes a new one */
  albumsToCreate: { groupKey: string; title: string; requestId: string; lostAlbumId?: number }[];
  /**
   * open album requests without an outcome: find the album by title; if none, create it
   * (`wanted`) or close the request (the group left the scope)
   */
  albumsToAdopt: { groupKey: string; title: string; requestId: string; wanted: boolean }[];
  albumsToRename: { groupKey: string; albumId: number; title: string; seenTitle?: string }[];
  creates: { productId: string; requestId: string; item: DesiredVkItem }[];
  /**
   * open requests without an outcome: find the item by sku; if VK has none, create it
   * (`wanted`) or close the request (the product left the scope)
   */
  adopts: { productId: string; sku: string; requestId: string; wanted: boolean }[];
  /** `restore`: VK shows the item switched off by hand; the edit switches it on again */
  edits: (ItemOp & {
    changes: FieldChange<PushedField>[];
    reasserted: ReassertedField[];
    item: DesiredVkItem;
  })[];
  restores: ItemOp[];
  /** `reasserted`: hidden by EvoSync, shown again by hand in VK */
  hides: (ItemOp & { reasserted: boolean })[];
  deletes: ItemOp[];
  /** items VK lost (deleted by hand) while they should be there */
  recreates: {
    productId: string;
    previousItemId: number;
    requestId: string;
    item: DesiredVkItem;
  }[];
  memberships: MembershipPlan;
  /** failing products / albums due for a retry with nothing left to send: just forgotten */
  settledFailures: { productId?: string; groupKey?: string }[];
}

export function emptyPlan(): MirrorPlan {
  return {
    needsDefaultPhoto: false,
    photosToUpload: [],
    albumsToCreate: [],
    albumsToAdopt: [],
    albumsToRename: [],
    creates: [],
    adopts: [],
    edits: [],
    restores: [],
    hides: [],
    deletes: [],
    recreates: [],
    memberships: { adds: [], confirms: [], removes: [] },
    settledFailures: [],
  };
}

export function isEmptyPlan(plan: MirrorPlan): boolean {
  const { memberships, settledFailures, ...rest } = plan;
  return (
    Object.values(rest).every((v) => (Array.isArray(v) ? v.length === 0 : v === false)) &&
    Object.values(memberships).every((v) => v.length === 0) &&
    settledFailures.length === 0
  );
}

/** What the owner is told a plan will do: every item operation, by kind. */
export function planCounts(plan: MirrorPlan): PlanCounts {
  return {
    create:
      plan.creates.length + plan.recreates.length + plan.adopts.filter((a) => a.wanted).length,
    update: plan.edits.length + plan.restores.length,
    hide: plan.hides.length,
    delete: plan.deletes.length,
  };
}

export const plannedTotal = (c: PlanCounts): number => c.create + c.update + c.hide + c.delete;

export function pushedOf(item: DesiredVkItem): PushedVkItem {
  const { albumTitle: _title, photoSources: _sources, ...fields } = item;
  return fields;
}

/** Deterministic, so a job that plans twice asks for the same request. */
const nextRequestId = (key: string, previous: { requests: number } | undefined) =>
  `${key}#${(previous?.requests ?? 0) + 1}`;

/**
 * Fields left to VK are never sent, not even as an ordinary change. Photos wait while one of
 * them is failing and not yet due: the item's other fields go now.
 */
function ownedChanges(
  last: PushedVkItem | null,
  item: DesiredVkItem,
  ownership: Ownership,
  photosReady: boolean,
): FieldChange<PushedField>[] {
  const now = pushedOf(item);
  const all = last
    ? // Items pushed before photos were recorded carry the default photo: no photos.
      fieldChanges({ ...last, photos: last.photos ?? [] }, now, PUSHED_FIELDS)
    : // An adopted item's content is unknown: send everything once.
      PUSHED_FIELDS.map((field) => ({ field, from: null, to: now[field] }));
  return all.filter(
    (c) =>
      (c.field !== 'description' || ownership.description) &&
      (c.field !== 'photos' || (ownership.photos && photosReady)),
  );
}

const allReady = (state: MirrorState, item: DesiredVkItem, now: number) =>
  item.photos.every((sha) => photoReady(state, sha, now));

/** The images of the items this plan creates or re-photographs that VK has not got yet. */
function planPhotos(plan: MirrorPlan, state: MirrorState, now: number): void {
  const wanted = [
    ...plan.creates,
    ...plan.recreates,
    ...plan.edits.filter((e) => e.changes.some((c) => c.field === 'photos')),
  ];
  const seen = new Set<string>();
  for (const { productId, item } of wanted) {
    for (const source of item.photoSources) {
      if (seen.has(source.sha256) || !photoReady(state, source.sha256, now)) continue;
      seen.add(source.sha256);
      if (!state.photos.has(source.sha256))
        plan.photosToUpload.push({ sha256: source.sha256, url: source.url, productId });
    }
  }
}

function planAlbums(
  plan: MirrorPlan,
  desired: ReadonlyMap<string, DesiredEntry>,
  state: MirrorState,
  ctx: PlanContext,
  partial: boolean,
): void {
  const titles = new Map<string, string>();
  for (const productId of [...desired.keys()].sort(compareIds)) {
    const want = desired.get(productId);
    if (want && want !== 'removed' && want.albumKey !== null && want.albumTitle !== null) {
      if (!titles.has(want.albumKey)) titles.set(want.albumKey, want.albumTitle);
    }
  }
  for (const [groupKey, title] of titles) {
    const album = state.albums.get(groupKey);
    if (album && !isDue(album.failure, ctx.now)) continue;
    if (album?.pendingRequestId) {
      plan.albumsToAdopt.push({ groupKey, title, requestId: album.pendingRequestId, wanted: true });
    } else if (!album || album.albumId === null) {
      plan.albumsToCreate.push({ groupKey, title, requestId: nextRequestId(groupKey, album) });
    } else {
      const seen = judging(ctx, album.writtenAt)?.albums;
      const albumId = album.albumId;
      const shown = seen?.get(albumId);
      if (seen && !shown) {
        const requestId = nextRequestId(groupKey, album);
        plan.albumsToCreate.push({ groupKey, title, requestId, lostAlbumId: albumId });
      } else if (shown && shown.title !== title) {
        plan.albumsToRename.push({ groupKey, albumId, title, seenTitle: shown.title });
      } else if (album.title !== title) {
        plan.albumsToRename.push({ groupKey, albumId, title });
      }
    }
  }
  // Open requests of groups no longer published: settled too, so none stays open for ever.
  // A partial plan does not know which groups are published: the next full one settles them.
  if (partial) return;
  for (const [groupKey, album] of state.albums) {
    if (!album.pendingRequestId || titles.has(groupKey) || !isDue(album.failure, ctx.now)) continue;
    const { title, pendingRequestId: requestId } = album;
    plan.albumsToAdopt.push({ groupKey, title, requestId, wanted: false });
  }
}

function planLiveItem(
  plan: MirrorPlan,
  productId: string,
  want: DesiredVkItem,
  mirrored: MirroredItem & { itemId: number },
  ctx: PlanContext,
  state: MirrorState,
): void {
  const photoId = expectedMainPhoto(state, mirrored);
  const { itemId } = mirrored;
  const seen = seenItem(judging(ctx, mirrored.writtenAt), itemId);
  if (seen === null) {
    const requestId = nextRequestId(productId, mirrored);
    plan.recreates.push({ productId, previousItemId: itemId, requestId, item: want });
    return;
  }
  if (mirrored.state === 'hidden') plan.restores.push({ productId, itemId });
  const ready = allReady(state, want, ctx.now);
  const changes = ownedChanges(mirrored.lastPushed, want, ctx.ownership, ready);
  const sent = new Set<string>(changes.map((c) => c.field));
  const reasserted = seen ? handEdits(seen, want, ctx.ownership, sent, photoId) : [];
  if (mirrored.state === 'hidden') {
    // The restore switches it on; only what differs besides that is a hand edit.
    const i = reasserted.findIndex((r) => r.field === 'available');
    if (i >= 0) reasserted.splice(i, 1);
  }
  if (changes.length > 0 || reasserted.length > 0) {
    plan.edits.push({ productId, itemId, changes, reasserted, item: want });
  }
}

/**
 * A failure whose retry is due but whose product or album got nothing planned has nothing left
 * to retry (the change was undone meanwhile): it is forgotten, so no push is asked for it again.
 */
function settleFailures(
  plan: MirrorPlan,
  state: MirrorState,
  desired: ReadonlyMap<string, DesiredEntry>,
  now: number,
  partial: boolean,
): void {
  const touched = new Set<string>();
  const {
    memberships,
    settledFailures: _settled,
    needsDefaultPhoto: _photo,
    photosToUpload: _photos,
    ...lists
  } = plan;
  for (const list of [...Object.values(lists), ...Object.values(memberships)]) {
    for (const op of list as Array<{ productId?: string; groupKey?: string }>) {
      if (op.productId !== undefined) touched.add(`p:${op.productId}`);
      if (op.groupKey !== undefined) touched.add(`g:${op.groupKey}`);
    }
  }
  for (const productId of desired.keys()) {
    const failure = state.items.get(productId)?.failure ?? null;
    if (failure && isDue(failure, now) && !touched.has(`p:${productId}`))
      plan.settledFailures.push({ productId });
  }
  // An album's products may all be outside a partial plan: only a full one can tell.
  for (const [groupKey, album] of partial ? [] : state.albums) {
    if (album.failure && isDue(album.failure, now) && !touched.has(`g:${groupKey}`))
      plan.settledFailures.push({ groupKey });
  }
}

/**
 * `partial`: `desired` holds only some products (a push of what changed at the register); what
 * it leaves out is not judged, not even albums whose products are all elsewhere.
 */
export function planMirror(
  desired: ReadonlyMap<string, DesiredEntry>,
  state: MirrorState,
  ctx: PlanContext,
  options: { partial?: boolean } = {},
): MirrorPlan {
  const plan = emptyPlan();
  planAlbums(plan, desired, state, ctx, options.partial ?? false);
  for (const productId of [...desired.keys()].sort(compareIds)) {
    const want = desired.get(productId)!;
    const mirrored = state.items.get(productId);
    if (mirrored && !isDue(mirrored.failure, ctx.now)) continue;

    if (mirrored?.pendingRequestId) {
      const wanted = !!want && want !== 'removed';
      const sku = wanted ? want.sku : vkSku(productId);
      plan.adopts.push({ productId, sku, requestId: mirrored.pendingRequestId, wanted });
      continue;
    }
    const itemId = mirrored?.itemId ?? null;
    const live = itemId !== null && mirrored!.state !== 'deleted';

    if (want === 'removed') {
      if (live) plan.deletes.push({ productId, itemId });
    } else if (want === null) {
      if (!live) continue;
      const seen = seenItem(judging(ctx, mirrored!.writtenAt), itemId);
      if (mirrored!.state === 'active' && seen === null) {
        // Gone in VK and not wanted there: only the record is out of date (1403 settles it).
        plan.deletes.push({ productId, itemId });
      } else if (mirrored!.state === 'active') {
        plan.hides.push({ productId, itemId, reasserted: false });
      } else if (mirrored!.state === 'hidden' && seen && !seen.deleted) {
        plan.hides.push({ productId, itemId, reasserted: true });
      }
    } else if (!live) {
      plan.creates.push({ productId, requestId: nextRequestId(productId, mirrored), item: want });
    } else {
      planLiveItem(plan, productId, want, { ...mirrored!, itemId }, ctx, state);
    }
  }
  planPhotos(plan, state, ctx.now);
  plan.memberships = planMemberships(desired, state, ctx);
  settleFailures(plan, state, desired, ctx.now, options.partial ?? false);
  const creating = plan.creates.length + plan.recreates.length + plan.adopts.length;
  plan.needsDefaultPhoto = creating > 0 && state.defaultPhotoId === null;
  return plan;
}
