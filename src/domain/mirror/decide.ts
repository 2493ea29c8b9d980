import { fieldChanges } from '../catalog/diff.js';
import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import { PUSHED_FIELDS, type PushedVkItem } from './desired-item.js';
import type { MirrorEvent, PlanCounts, PushFinish, ReassertedField } from './events.js';
import {
  evolveMirror,
  initialMirrorState,
  retryAt,
  type MirrorState,
  type MirroredItemState,
} from './state.js';

type ItemRef = { userId: string; productId: string; itemId: number };
type AlbumRef = { userId: string; groupKey: string; albumId: number; title: string };

/** The push job records what it did through these; each is harmless to repeat. */
export type MirrorCommand =
  /** refused while a request for the album is open: one creator only, as for items */
  | {
      type: 'RequestVkAlbumCreate';
      userId: string;
      groupKey: string;
      title: string;
      requestId: string;
    }
  /** without `requestId`: an album created without a recorded request (before requests existed) */
  | (AlbumRef & { type: 'RecordVkAlbumCreated'; requestId?: string })
  | (AlbumRef & { type: 'RecordVkAlbumAdopted'; requestId: string })
  /** `seenTitle`: the title VK showed when this rename answers a hand edit there */
  | (AlbumRef & { type: 'RecordVkAlbumRenamed'; seenTitle?: string })
  | { type: 'RecordVkAlbumLost'; userId: string; groupKey: string; albumId: number }
  /** the open request's lookup found nothing in VK and nothing is wanted any more */
  | { type: 'AbandonVkAlbumCreate'; userId: string; groupKey: string; requestId: string }
  | { type: 'AbandonVkItemCreate'; userId: string; productId: string; requestId: string }
  | { type: 'RecordDefaultPhotoUploaded'; userId: string; photoId: number }
  | {
      type: 'RecordVkPhotoUploaded';
      userId: string;
      sha256: string;
      photoId: number;
      productId: string;
    }
  | {
      type: 'RecordVkPhotoFailed';
      userId: string;
      sha256: string;
      productId: string;
      stage: 'download' | 'upload';
      message: string;
    }
  /** refused while a request for the product is open, whatever its id: one creator only */
  | {
      type: 'RequestVkItemCreate';
      userId: string;
      productId: string;
      sku: string;
      requestId: string;
      replacesItemId?: number;
    }
  | (ItemRef & { type: 'RecordVkItemCreated'; requestId: string; pushed: PushedVkItem })
  | (ItemRef & { type: 'RecordVkItemAdopted'; requestId: string })
  /** `pushed`: the item's fields as VK holds them after the edit */
  | (ItemRef & {
      type: 'RecordVkItemUpdated';
      pushed: PushedVkItem;
      reasserted?: ReassertedField[];
    })
  /** `reasserted`: VK showed the item otherwise (hand edit) and the call set it again */
  | (ItemRef & {
      type: 'RecordVkItemHidden' | 'RecordVkItemDeleted' | 'RecordVkItemRestored';
      reasserted?: boolean;
    })
  | (ItemRef & { type: 'RecordVkItemAddedToAlbum'; albumId: number; reasserted?: boolean })
  | (ItemRef & { type: 'RecordVkItemRemovedFromAlbum'; albumId: number })
  | {
      type: 'RecordVkCommandFailed';
      userId: string;
      productId?: string;
      groupKey?: string;
      method: string;
      errorCode: number;
      message: string;
      retryable: boolean;
    }
  | { type: 'ClearVkFailure'; userId: string; productId?: string; groupKey?: string }
  | {
      type: 'PauseVkPush';
      userId: string;
      captchaSid: string;
      captchaImg: string;
      redirectUri: string | null;
    }
  | { type: 'ResumeVkPush'; userId: string }
  | { type: 'StartVkPush'; userId: string; pushId: string; planned: PlanCounts }
  | { type: 'FinishVkPush'; userId: string; pushId: string; outcome: PushFinish }
  | {
      type: 'RecordVkPushCompleted';
      userId: string;
      startedAt: string;
      productIds: string[] | null;
      failed: string[];
      catalogRevisions?: Record<string, number>;
    };

const STATE_AFTER = {
  RecordVkItemHidden: ['hidden', 'VkItemHidden'],
  RecordVkItemDeleted: ['deleted', 'VkItemDeleted'],
  RecordVkItemRestored: ['active', 'VkItemRestored'],
} as const satisfies Record<string, [MirroredItemState, MirrorEvent['type']]>;

/**
 * An outcome must answer the open request: a second `market.add` for a product whose request is
 * still open would be a duplicate item, so a new request is refused until the old one is
 * settled (created or adopted).
 */
function settleRequest(
  command: Extract<MirrorCommand, { type: 'RecordVkItemCreated' | 'RecordVkItemAdopted' }>,
  state: MirrorState,
  at: string,
): MirrorEvent[] {
  const { userId, productId, requestId, itemId } = command;
  const item = state.items.get(productId);
  if (item?.pendingRequestId !== requestId) {
    if (item?.itemId === itemId) return [];
    throw new DomainError('unknown_create_request', `Нет открытого запроса ${requestId}.`);
  }
  if (command.type === 'RecordVkItemAdopted') {
    return [{ type: 'VkItemAdopted', data: { userId, productId, requestId, itemId, at } }];
  }
  return [
    {
      type: 'VkItemCreated',
      data: { userId, productId, requestId, itemId, pushed: command.pushed, at },
    },
  ];
}

function settleAlbum(
  command: Extract<MirrorCommand, { type: 'RecordVkAlbumCreated' | 'RecordVkAlbumAdopted' }>,
  state: MirrorState,
  at: string,
): MirrorEvent[] {
  const { userId, groupKey, albumId, title, requestId } = command;
  const album = state.albums.get(groupKey);
  if (requestId === undefined) {
    if (album?.albumId === albumId && album.title === title) return [];
    return [{ type: 'VkAlbumCreated', data: { userId, groupKey, albumId, title, at } }];
  }
  if (album?.pendingRequestId !== requestId) {
    if (album?.albumId === albumId) return [];
    throw new DomainError('unknown_create_request', `Нет открытого запроса ${requestId}.`);
  }
  if (command.type === 'RecordVkAlbumCreated') {
    return [{ type: 'VkAlbumCreated', data: { userId, groupKey, albumId, title, requestId, at } }];
  }
  return [{ type: 'VkAlbumAdopted', data: { userId, groupKey, albumId, title, requestId, at } }];
}

function decideItem(
  command: Extract<
    MirrorCommand,
    {
      type:
        | 'RecordVkItemUpdated'
        | 'RecordVkItemHidden'
        | 'RecordVkItemDeleted'
        | 'RecordVkItemRestored'
        | 'RecordVkItemAddedToAlbum'
        | 'RecordVkItemRemovedFromAlbum';
    }
  >,
  state: MirrorState,
  at: string,
): MirrorEvent[] {
  const { userId, productId, itemId } = command;
  const item = state.items.get(productId);
  switch (command.type) {
    case 'RecordVkItemUpdated': {
      const { pushed } = command;
      const reasserted = command.reasserted ?? [];
      const before = item?.lastPushed;
      const fields = before
        ? fieldChanges(before, pushed, PUSHED_FIELDS)
        : PUSHED_FIELDS.map((field) => ({ field, from: null, to: pushed[field] }));
      if (fields.length === 0 && reasserted.length === 0) return [];
      return [
        {
          type: 'VkItemUpdated',
          data: {
            userId,
            productId,
            itemId,
            fields,
            ...(reasserted.length > 0 ? { reasserted } : {}),
            at,
          },
        },
      ];
    }
    case 'RecordVkItemHidden':
    case 'RecordVkItemDeleted':
    case 'RecordVkItemRestored': {
      const [after, type] = STATE_AFTER[command.type];
      if (item?.state === after && !command.reasserted) return [];
      if (type === 'VkItemHidden' && command.reasserted) {
        return [{ type, data: { userId, productId, itemId, reasserted: true, at } }];
      }
      return [{ type, data: { userId, productId, itemId, at } }];
    }
    case 'RecordVkItemAddedToAlbum': {
      const { albumId } = command;
      if (item?.albumId === albumId && !command.reasserted) return [];
      const reasserted = command.reasserted ? { reasserted: true } : {};
      return [
        {
          type: 'VkItemAddedToAlbum',
          data: { userId, productId, itemId, albumId, ...reasserted, at },
        },
      ];
    }
    case 'RecordVkItemRemovedFromAlbum':
      return [
        {
          type: 'VkItemRemovedFromAlbum',
          data: { userId, productId, itemId, albumId: command.albumId, at },
        },
      ];
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

function failed(
  command: Extract<MirrorCommand, { type: 'RecordVkCommandFailed' }>,
  state: MirrorState,
  now: Date,
): MirrorEvent[] {
  const { type: _type, ...data } = command;
  const previous =
    command.productId !== undefined
      ? state.items.get(command.productId)?.failure
      : command.groupKey !== undefined
        ? state.albums.get(command.groupKey)?.failure
        : undefined;
  const attempt = (previous?.attempts ?? 0) + 1;
  const next = retryAt(attempt, now.getTime());
  // Every failure is a fact worth showing; a retried job is deduplicated by event id.
  return [
    {
      type: 'VkCommandFailed',
      data: {
        ...data,
        at: now.toISOString(),
        attempt,
        nextRetryAt: next === null ? null : new Date(next).toISOString(),
      },
    },
  ];
}

export function decideMirror(
  command: MirrorCommand,
  state: MirrorState,
  ctx?: DecideContext,
): MirrorEvent[] {
  const { userId } = command;
  const now = ctx?.now ?? new Date(0);
  const at = now.toISOString();
  switch (command.type) {
    case 'RequestVkAlbumCreate': {
      const { groupKey, title, requestId } = command;
      const pending = state.albums.get(groupKey)?.pendingRequestId ?? null;
      if (pending !== null) {
        throw new DomainError('create_pending', `Подборка ${groupKey} уже создаётся (${pending}).`);
      }
      return [{ type: 'VkAlbumCreateRequested', data: { userId, groupKey, title, requestId } }];
    }
    case 'RecordVkAlbumCreated':
    case 'RecordVkAlbumAdopted':
      return settleAlbum(command, state, at);
    case 'RecordVkAlbumRenamed': {
      const { groupKey, albumId, title, seenTitle } = command;
      const known = state.albums.get(groupKey);
      if (known?.albumId === albumId && known.title === title && seenTitle === undefined) return [];
      return [
        {
          type: 'VkAlbumRenamed',
          data: {
            userId,
            groupKey,
            albumId,
            title,
            at,
            ...(seenTitle !== undefined ? { seenTitle } : {}),
          },
        },
      ];
    }
    case 'RecordVkAlbumLost': {
      const { groupKey, albumId } = command;
      if (state.albums.get(groupKey)?.albumId !== albumId) return [];
      return [{ type: 'VkAlbumLost', data: { userId, groupKey, albumId } }];
    }
    case 'AbandonVkAlbumCreate': {
      const { groupKey, requestId } = command;
      if (state.albums.get(groupKey)?.pendingRequestId !== requestId) return [];
      return [{ type: 'VkAlbumCreateAbandoned', data: { userId, groupKey, requestId } }];
    }
    case 'AbandonVkItemCreate': {
      const { productId, requestId } = command;
      if (state.items.get(productId)?.pendingRequestId !== requestId) return [];
      return [{ type: 'VkItemCreateAbandoned', data: { userId, productId, requestId } }];
    }
    case 'RecordDefaultPhotoUploaded':
      if (state.defaultPhotoId === command.photoId) return [];
      return [{ type: 'DefaultPhotoUploaded', data: { userId, photoId: command.photoId } }];
    case 'RecordVkPhotoUploaded': {
      const { sha256, photoId, productId } = command;
      if (state.photos.get(sha256) === photoId) return [];
      return [{ type: 'VkPhotoUploaded', data: { userId, sha256, photoId, productId, at } }];
    }
    case 'RecordVkPhotoFailed': {
      const { type: _type, ...data } = command;
      const attempt = (state.photoFailures.get(command.sha256)?.attempts ?? 0) + 1;
      const next = retryAt(attempt, now.getTime());
      const nextRetryAt = next === null ? null : new Date(next).toISOString();
      return [{ type: 'VkPhotoFailed', data: { ...data, at, attempt, nextRetryAt } }];
    }
    case 'RequestVkItemCreate': {
      const { productId, sku, requestId, replacesItemId } = command;
      // Even the same request id is refused while open: a second asker (two push jobs planning
      // at once) cannot know whether the first already sent market.add, so only one may.
      const known = state.items.get(productId);
      const pending = known?.pendingRequestId ?? null;
      if (pending !== null) {
        throw new DomainError('create_pending', `Товар ${productId} уже создаётся (${pending}).`);
      }
      // A pusher that planned before another one created the item must not create it again:
      // only an item known to be gone (named by the request) may be replaced.
      const live = known?.itemId != null && known.state !== 'deleted';
      if (live && replacesItemId !== known.itemId) {
        throw new DomainError(
          'already_created',
          `Товар ${productId} уже есть в VK (${String(known.itemId)}).`,
        );
      }
      return [
        {
          type: 'VkItemCreateRequested',
          data: {
            userId,
            productId,
            sku,
            requestId,
            ...(replacesItemId !== undefined ? { replacesItemId } : {}),
          },
        },
      ];
    }
    case 'RecordVkItemCreated':
    case 'RecordVkItemAdopted':
      return settleRequest(command, state, at);
    case 'RecordVkItemUpdated':
    case 'RecordVkItemHidden':
    case 'RecordVkItemDeleted':
    case 'RecordVkItemRestored':
    case 'RecordVkItemAddedToAlbum':
    case 'RecordVkItemRemovedFromAlbum':
      return decideItem(command, state, at);
    case 'RecordVkCommandFailed':
      return failed(command, state, now);
    case 'ClearVkFailure': {
      const { productId, groupKey } = command;
      const failure =
        productId !== undefined
          ? state.items.get(productId)?.failure
          : groupKey !== undefined
            ? state.albums.get(groupKey)?.failure
            : null;
      if (!failure) return [];
      const subject = productId !== undefined ? { productId } : { groupKey };
      return [{ type: 'VkFailureCleared', data: { userId, ...subject } }];
    }
    case 'PauseVkPush': {
      const { captchaSid, captchaImg, redirectUri } = command;
      // The same captcha again (a retried job): already recorded.
      const paused = state.paused;
      if (paused && paused.captchaSid === captchaSid && paused.redirectUri === redirectUri)
        return [];
      const data = { userId, reason: 'captcha' as const, captchaSid, captchaImg, redirectUri };
      return [{ type: 'VkPushPaused', data }];
    }
    case 'ResumeVkPush':
      return state.paused ? [{ type: 'VkPushResumed', data: { userId } }] : [];
    // Progress marks, not state: the mirror's fold ignores them (a retried job's repeat is
    // deduplicated by event id like every outcome).
    case 'StartVkPush': {
      const { pushId, planned } = command;
      return [{ type: 'VkPushStarted', data: { userId, pushId, planned, at } }];
    }
    case 'FinishVkPush': {
      const { pushId, outcome } = command;
      return [{ type: 'VkPushFinished', data: { userId, pushId, outcome, at } }];
    }
    case 'RecordVkPushCompleted': {
      const { startedAt, productIds, failed, catalogRevisions } = command;
      const data = { userId, startedAt, productIds, failed };
      return [
        {
          type: 'VkPushCompleted',
          data: catalogRevisions ? { ...data, catalogRevisions } : data,
        },
      ];
    }
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

export const mirrorDecider: Decider<MirrorCommand, MirrorEvent, MirrorState> = {
  initialState: initialMirrorState,
  evolve: evolveMirror,
  decide: decideMirror,
};
