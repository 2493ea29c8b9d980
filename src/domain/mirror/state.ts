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

export interface MirroredItem {
  itemId: number | null;
  /** what VK holds as far as EvoSync knows; null after adopting an item of unknown content */
  lastPushed: PushedVkItem | null;
  state: MirroredItemState;
  /** the open create request, if any */
  pendingRequestId: string | null;
  /** create requests so far: numbers the next request id deterministically */
  requests: number;
}

export interface MirroredAlbum {
  albumId: number;
  title: string;
}

export interface MirrorState {
  items: ReadonlyMap<string, MirroredItem>;
  albums: ReadonlyMap<string, MirroredAlbum>;
  defaultPhotoId: number | null;
  paused: { captchaSid: string; captchaImg: string } | null;
}

export const initialMirrorState = (): MirrorState => ({
  items: new Map(),
  albums: new Map(),
  defaultPhotoId: null,
  paused: null,
});

const NEW_ITEM: MirroredItem = {
  itemId: null,
  lastPushed: null,
  state: 'pending',
  pendingRequestId: null,
  requests: 0,
};

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

export function evolveMirror(state: MirrorState, event: MirrorEvent): MirrorState {
  switch (event.type) {
    case 'VkAlbumCreated':
    case 'VkAlbumRenamed': {
      const albums = state.albums as Map<string, MirroredAlbum>;
      albums.set(event.data.groupKey, { albumId: event.data.albumId, title: event.data.title });
      return { ...state, albums };
    }
    case 'DefaultPhotoUploaded':
      return { ...state, defaultPhotoId: event.data.photoId };
    case 'VkItemCreateRequested':
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        pendingRequestId: event.data.requestId,
        requests: item.requests + 1,
      }));
    case 'VkItemCreated':
    case 'VkItemAdopted': {
      const pushed = event.type === 'VkItemCreated' ? event.data.pushed : null;
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        itemId: event.data.itemId,
        lastPushed: pushed,
        state: 'active',
        pendingRequestId: null,
      }));
    }
    case 'VkItemUpdated':
      return updateItem(state, event.data.productId, (item) => ({
        ...item,
        lastPushed: afterUpdate(item.lastPushed, event.data.fields),
      }));
    case 'VkItemHidden':
      return updateItem(state, event.data.productId, (item) => ({ ...item, state: 'hidden' }));
    case 'VkItemDeleted':
      return updateItem(state, event.data.productId, (item) => ({ ...item, state: 'deleted' }));
    case 'VkItemRestored':
      return updateItem(state, event.data.productId, (item) => ({ ...item, state: 'active' }));
    case 'VkCommandFailed':
      return state;
    case 'VkPushPaused':
      return {
        ...state,
        paused: { captchaSid: event.data.captchaSid, captchaImg: event.data.captchaImg },
      };
    case 'VkPushResumed':
      return { ...state, paused: null };
    default: {
      const _never: never = event;
      return _never;
    }
  }
}
