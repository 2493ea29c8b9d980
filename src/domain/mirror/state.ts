import { applyChanges } from '../catalog/diff.js';
import type { FieldChange } from '../catalog/events.js';
import { PUSHED_FIELDS, type PushedField, type PushedVkItem } from './desired-item.js';
import type { MirrorEvent } from './events.js';

/**
 * - `pending`: creation requested, no outcome recorded (a crash, or the job still running)
 * - `active`: in VK and meant to be visible
 * - `hidden`: in VK but switched off because it left the sync scope
 * - `deleted`: deleted in VK because the product was removed in Evotor
 */
export type MirroredItemState = 'pending' | 'active' | 'hidden' | 'deleted';

/** The last failures in a row of one product's (or album's) VK calls. */
export interface MirrorFailure {
  attempts: number;
  /** epoch ms of the last failure */
  at: number;
  /** epoch ms when the planner tries again; null: at every push (the pipeline's, hourly) */
  nextRetryAt: number | null;
  method: string;
  code: number;
  message: string;
}

export interface MirroredItem {
  itemId: number | null;
  /** what VK holds as far as EvoSync knows; null after adopting an item of unknown content */
  lastPushed: PushedVkItem | null;
  state: MirroredItemState;
  /** the open create request, if any */
  pendingRequestId: string | null;
  /** create requests so far: numbers the next request id deterministically */
  requests: number;
  /** epoch ms of EvoSync's last recorded write to the item; null for events before times */
  writtenAt: number | null;
  /** the album of ours VK confirmed the item is in (after `market.addToAlbum`), if any */
  albumId: number | null;
  /** epoch ms of the last recorded membership change */
  albumAt: number | null;
  failure: MirrorFailure | null;
}

export interface MirroredAlbum {
  /** null while the create request is open (or after VK lost the album) */
  albumId: number | null;
  title: string;
  pendingRequestId: string | null;
  requests: number;
  writtenAt: number | null;
  failure: MirrorFailure | null;
}

export interface MirrorState {
  items: ReadonlyMap<string, MirroredItem>;
  /** by group key (the Evotor group id) */
  albums: ReadonlyMap<string, MirroredAlbum>;
  defaultPhotoId: number | null;
  /** VK photo ids of product images uploaded so far, by the sha256 of their bytes */
  photos: ReadonlyMap<string, number>;
  /** images whose download or upload failed, by sha256: tried again at their retry time */
  photoFailures: ReadonlyMap<string, MirrorFailure>;
  paused: { captchaSid: string; captchaImg: string; redirectUri: string | null } | null;
  /**
   * By store id: the catalog revision the last completed push planned from. A push of changes
   * plans the products of the catalog events after it (vk-push.ts).
   */
  pushedCatalogs: ReadonlyMap<string, number>;
}

export const initialMirrorState = (): MirrorState => ({
  items: new Map(),
  albums: new Map(),
  defaultPhotoId: null,
  photos: new Map(),
  photoFailures: new Map(),
  paused: null,
  pushedCatalogs: new Map(),
});

/** The main photo EvoSync last set on the item: its first image's, or the default photo. */
export function expectedMainPhoto(state: MirrorState, item: MirroredItem): number | null {
  const main = item.lastPushed?.photos?.[0];
  return main === undefined ? state.defaultPhotoId : (state.photos.get(main) ?? null);
}

/** Whether a photo's bytes can be sent now: uploaded, or not failing, or due for a retry. */
export const photoReady = (state: MirrorState, sha256: string, now: number): boolean =>
  state.photos.has(sha256) || isDue(state.photoFailures.get(sha256) ?? null, now);

export const NEW_ITEM: MirroredItem = {
  itemId: null,
  lastPushed: null,
  state: 'pending',
  pendingRequestId: null,
  requests: 0,
  writtenAt: null,
  albumId: null,
  albumAt: null,
  failure: null,
};

const NEW_ALBUM: MirroredAlbum = {
  albumId: null,
  title: '',
  pendingRequestId: null,
  requests: 0,
  writtenAt: null,
  failure: null,
};

/**
 * Growing delays after failures in a row: 1, 5 and 30 minutes; from the fourth failure on the
 * product waits for the next push (the periodic pipeline starts one), never a hot loop.
 */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000];

export function retryAt(attempt: number, at: number): number | null {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  return delay === undefined ? null : at + delay;
}

/** Whether a product or album with this failure may be tried now. */
export const isDue = (failure: MirrorFailure | null, now: number): boolean =>
  failure === null || failure.nextRetryAt === null || failure.nextRetryAt <= now;

const time = (at: string | undefined) => (at === undefined ? null : Date.parse(at));

function updateItem(
  state: MirrorState,
  productId: string,
  update: (item: MirroredItem) => MirroredItem,
): MirrorState {
  // In place, as in catalog/state.ts: the mirror stream grows with every push, and a copy of
  // the item map per event would make its fold quadratic.
  const items = state.items as Map<string, MirroredItem>;
  items.set(productId, update(items.get(productId) ?? NEW_ITEM));
  return { ...state, items };
}

function updateAlbum(
  state: MirrorState,
  groupKey: string,
  update: (album: MirroredAlbum) => MirroredAlbum,
): MirrorState {
  const albums = state.albums as Map<string, MirroredAlbum>;
  albums.set(groupKey, update(albums.get(groupKey) ?? NEW_ALBUM));
  return { ...state, albums };
}

/**
 * An adopted item's content is unknown until the first edit sends every field; from then on
 * the fields are known again.
 */
function afterUpdate(
  lastPushed: PushedVkItem | null,
  fields: readonly FieldChange<PushedField>[],
): PushedVkItem | null {
  if (lastPushed) return applyChanges(lastPushed, fields);
  const sent = new Set(fields.map((f) => f.field));
  if (!PUSHED_FIELDS.every((f) => sent.has(f))) return null;
  return applyChanges({} as PushedVkItem, fields);
}

/**
 * Events recorded before membership was recorded on its own (no `at`) meant "created, and
 * added to the album of `albumKey`"; that assumption is kept for them, and drift seen in VK
 * corrects it.
 */
function legacyAlbum(state: MirrorState, albumKey: string | null | undefined): number | null {
  return albumKey ? (state.albums.get(albumKey)?.albumId ?? null) : null;
}

type AlbumEvent = Extract<
  MirrorEvent,
  {
    type:
      | 'VkAlbumCreateRequested'
      | 'VkAlbumCreated'
      | 'VkAlbumAdopted'
      | 'VkAlbumRenamed'
      | 'VkAlbumLost'
      | 'VkAlbumCreateAbandoned';
  }
>;
type ItemEvent = Exclude<
  Extract<MirrorEvent, { data: { productId: string } }>,
  { type: 'VkPhotoUploaded' | 'VkPhotoFailed' }
>;

function evolveAlbum(state: MirrorState, event: AlbumEvent): MirrorState {
  switch (event.type) {
    case 'VkAlbumCreateRequested':
      return updateAlbum(state, event.data.groupKey, (album) => ({
        ...album,
        title: event.data.title,
        pendingRequestId: event.data.requestId,
        requests: album.requests + 1,
      }));
    case 'VkAlbumCreated':
    case 'VkAlbumAdopted':
    case 'VkAlbumRenamed':
      return updateAlbum(state, event.data.groupKey, (album) => ({
        ...album,
        albumId: event.data.albumId,
        title: event.data.title,
        pendingRequestId: event.type === 'VkAlbumRenamed' ? album.pendingRequestId : null,
        writtenAt: time(event.data.at),
        failure: null,
      }));
    case 'VkAlbumLost':
      return updateAlbum(state, event.data.groupKey, (album) => ({
        ...album,
        albumId: null,
        pendingRequestId: null,
      }));
    case 'VkAlbumCreateAbandoned':
      return updateAlbum(state, event.data.groupKey, (album) => ({
        ...album,
        pendingRequestId: null,
      }));
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

function evolveItem(state: MirrorState, event: ItemEvent): MirrorState {
  switch (event.type) {
    case 'VkItemCreateRequested':
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        pendingRequestId: event.data.requestId,
        requests: item.requests + 1,
      }));
    case 'VkItemCreateAbandoned':
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        pendingRequestId: null,
      }));
    case 'VkItemCreated':
    case 'VkItemAdopted': {
      const pushed = event.type === 'VkItemCreated' ? event.data.pushed : null;
      const legacy = event.data.at === undefined;
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        itemId: event.data.itemId,
        lastPushed: pushed,
        state: 'active',
        pendingRequestId: null,
        writtenAt: time(event.data.at),
        albumId: legacy ? legacyAlbum(state, pushed?.albumKey) : null,
        albumAt: time(event.data.at),
        failure: null,
      }));
    }
    case 'VkItemUpdated':
      return updateItem(state, event.data.productId, (item) => {
        const lastPushed = afterUpdate(item.lastPushed, event.data.fields);
        const moved = event.data.fields.some((f) => f.field === 'albumKey');
        return {
          ...item,
          lastPushed,
          writtenAt: time(event.data.at),
          albumId:
            event.data.at === undefined && moved
              ? legacyAlbum(state, lastPushed?.albumKey)
              : item.albumId,
          failure: null,
        };
      });
    case 'VkItemHidden':
    case 'VkItemDeleted':
    case 'VkItemRestored': {
      const after = ITEM_STATE[event.type];
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        state: after,
        writtenAt: time(event.data.at),
        failure: null,
      }));
    }
    case 'VkItemAddedToAlbum':
    case 'VkItemRemovedFromAlbum': {
      const added = event.type === 'VkItemAddedToAlbum';
      // A move records the add to the new album before the removal from the old one.
      const albumId = added ? event.data.albumId : null;
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        albumId: added || item.albumId === event.data.albumId ? albumId : item.albumId,
        albumAt: time(event.data.at),
        failure: null,
      }));
    }
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

const ITEM_STATE = {
  VkItemHidden: 'hidden',
  VkItemDeleted: 'deleted',
  VkItemRestored: 'active',
} as const satisfies Record<string, MirroredItemState>;

function evolveFailure(
  state: MirrorState,
  event: Extract<MirrorEvent, { type: 'VkCommandFailed' }>,
): MirrorState {
  const { productId, groupKey, at, attempt, nextRetryAt } = event.data;
  // Failures recorded before retries were scheduled carry no time: nothing to wait for.
  if (at === undefined || attempt === undefined) return state;
  const failure: MirrorFailure = {
    attempts: attempt,
    at: Date.parse(at),
    nextRetryAt: nextRetryAt ? Date.parse(nextRetryAt) : null,
    method: event.data.method,
    code: event.data.errorCode,
    message: event.data.message,
  };
  if (productId !== undefined) return updateItem(state, productId, (i) => ({ ...i, failure }));
  if (groupKey !== undefined) return updateAlbum(state, groupKey, (a) => ({ ...a, failure }));
  return state;
}

export function evolveMirror(state: MirrorState, event: MirrorEvent): MirrorState {
  switch (event.type) {
    case 'VkAlbumCreateRequested':
    case 'VkAlbumCreated':
    case 'VkAlbumAdopted':
    case 'VkAlbumRenamed':
    case 'VkAlbumLost':
    case 'VkAlbumCreateAbandoned':
      return evolveAlbum(state, event);
    case 'VkItemCreateRequested':
    case 'VkItemCreateAbandoned':
    case 'VkItemCreated':
    case 'VkItemAdopted':
    case 'VkItemUpdated':
    case 'VkItemHidden':
    case 'VkItemDeleted':
    case 'VkItemRestored':
    case 'VkItemAddedToAlbum':
    case 'VkItemRemovedFromAlbum':
      return evolveItem(state, event);
    case 'DefaultPhotoUploaded':
      return { ...state, defaultPhotoId: event.data.photoId };
    case 'VkPhotoUploaded': {
      const photos = state.photos as Map<string, number>;
      photos.set(event.data.sha256, event.data.photoId);
      (state.photoFailures as Map<string, MirrorFailure>).delete(event.data.sha256);
      return { ...state, photos };
    }
    case 'VkPhotoFailed': {
      const { sha256, at, attempt, nextRetryAt, stage, message } = event.data;
      const failures = state.photoFailures as Map<string, MirrorFailure>;
      failures.set(sha256, {
        attempts: attempt,
        at: Date.parse(at),
        nextRetryAt: nextRetryAt ? Date.parse(nextRetryAt) : null,
        method: stage === 'download' ? 'evotor image' : 'photo upload',
        code: 0,
        message,
      });
      return { ...state, photoFailures: failures };
    }
    case 'VkCommandFailed':
      return evolveFailure(state, event);
    case 'VkFailureCleared': {
      const { productId, groupKey } = event.data;
      if (productId !== undefined && state.items.has(productId))
        return updateItem(state, productId, (i) => ({ ...i, failure: null }));
      if (groupKey !== undefined && state.albums.has(groupKey))
        return updateAlbum(state, groupKey, (a) => ({ ...a, failure: null }));
      return state;
    }
    case 'VkPushPaused':
      return {
        ...state,
        paused: {
          captchaSid: event.data.captchaSid,
          captchaImg: event.data.captchaImg,
          redirectUri: event.data.redirectUri ?? null,
        },
      };
    case 'VkPushResumed':
      return { ...state, paused: null };
    case 'VkPushCompleted': {
      const revisions = event.data.catalogRevisions;
      if (!revisions) return state;
      const pushed = state.pushedCatalogs as Map<string, number>;
      for (const [storeId, revision] of Object.entries(revisions)) pushed.set(storeId, revision);
      return { ...state, pushedCatalogs: pushed };
    }
    case 'VkPushStarted':
    case 'VkPushFinished':
      return state;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
