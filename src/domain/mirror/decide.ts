import { fieldChanges } from '../catalog/diff.js';
import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import { PUSHED_FIELDS, type PushedVkItem } from './desired-item.js';
import type { MirrorEvent } from './events.js';
import {
  evolveMirror,
  initialMirrorState,
  type MirrorState,
  type MirroredItemState,
} from './state.js';

type ItemRef = { userId: string; productId: string; itemId: number };

/** The push job records what it did through these; each is harmless to repeat. */
export type MirrorCommand =
  | {
      type: 'RecordVkAlbumCreated';
      userId: string;
      groupKey: string;
      albumId: number;
      title: string;
    }
  | {
      type: 'RecordVkAlbumRenamed';
      userId: string;
      groupKey: string;
      albumId: number;
      title: string;
    }
  | { type: 'RecordDefaultPhotoUploaded'; userId: string; photoId: number }
  /** refused while a request for the product is open, whatever its id: one creator only */
  | {
      type: 'RequestVkItemCreate';
      userId: string;
      productId: string;
      sku: string;
      requestId: string;
    }
  | (ItemRef & { type: 'RecordVkItemCreated'; requestId: string; pushed: PushedVkItem })
  | (ItemRef & { type: 'RecordVkItemAdopted'; requestId: string })
  /** `pushed`: the item's fields as VK holds them after the edit */
  | (ItemRef & { type: 'RecordVkItemUpdated'; pushed: PushedVkItem })
  | (ItemRef & { type: 'RecordVkItemHidden' | 'RecordVkItemDeleted' | 'RecordVkItemRestored' })
  | {
      type: 'RecordVkCommandFailed';
      userId: string;
      productId?: string;
      method: string;
      errorCode: number;
      message: string;
      retryable: boolean;
    }
  | { type: 'PauseVkPush'; userId: string; captchaSid: string; captchaImg: string }
  | { type: 'ResumeVkPush'; userId: string };

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
): MirrorEvent[] {
  const { userId, productId, requestId, itemId } = command;
  const item = state.items.get(productId);
  if (item?.pendingRequestId !== requestId) {
    if (item?.itemId === itemId) return [];
    throw new DomainError('unknown_create_request', `Нет открытого запроса ${requestId}.`);
  }
  if (command.type === 'RecordVkItemAdopted') {
    return [{ type: 'VkItemAdopted', data: { userId, productId, requestId, itemId } }];
  }
  return [
    {
      type: 'VkItemCreated',
      data: { userId, productId, requestId, itemId, pushed: command.pushed },
    },
  ];
}

export function decideMirror(
  command: MirrorCommand,
  state: MirrorState,
  _ctx?: DecideContext,
): MirrorEvent[] {
  const { userId } = command;
  switch (command.type) {
    case 'RecordVkAlbumCreated':
    case 'RecordVkAlbumRenamed': {
      const { groupKey, albumId, title } = command;
      const known = state.albums.get(groupKey);
      if (known?.albumId === albumId && known.title === title) return [];
      const type = command.type === 'RecordVkAlbumCreated' ? 'VkAlbumCreated' : 'VkAlbumRenamed';
      return [{ type, data: { userId, groupKey, albumId, title } }];
    }
    case 'RecordDefaultPhotoUploaded':
      if (state.defaultPhotoId === command.photoId) return [];
      return [{ type: 'DefaultPhotoUploaded', data: { userId, photoId: command.photoId } }];
    case 'RequestVkItemCreate': {
      const { productId, sku, requestId } = command;
      // Even the same request id is refused while open: a second asker (two push jobs planning
      // at once) cannot know whether the first already sent market.add, so only one may.
      const pending = state.items.get(productId)?.pendingRequestId ?? null;
      if (pending !== null) {
        throw new DomainError('create_pending', `Товар ${productId} уже создаётся (${pending}).`);
      }
      return [{ type: 'VkItemCreateRequested', data: { userId, productId, sku, requestId } }];
    }
    case 'RecordVkItemCreated':
    case 'RecordVkItemAdopted':
      return settleRequest(command, state);
    case 'RecordVkItemUpdated': {
      const { productId, itemId, pushed } = command;
      const before = state.items.get(productId)?.lastPushed;
      const fields = before
        ? fieldChanges(before, pushed, PUSHED_FIELDS)
        : PUSHED_FIELDS.map((field) => ({ field, from: null, to: pushed[field] }));
      if (fields.length === 0) return [];
      return [{ type: 'VkItemUpdated', data: { userId, productId, itemId, fields } }];
    }
    case 'RecordVkItemHidden':
    case 'RecordVkItemDeleted':
    case 'RecordVkItemRestored': {
      const { productId, itemId } = command;
      const [after, type] = STATE_AFTER[command.type];
      if (state.items.get(productId)?.state === after) return [];
      return [{ type, data: { userId, productId, itemId } }];
    }
    case 'RecordVkCommandFailed': {
      // Every failure is a fact worth showing; a retried job is deduplicated by event id.
      const { type: _type, ...data } = command;
      return [{ type: 'VkCommandFailed', data }];
    }
    case 'PauseVkPush': {
      const { captchaSid, captchaImg } = command;
      if (state.paused?.captchaSid === captchaSid) return [];
      return [
        { type: 'VkPushPaused', data: { userId, reason: 'captcha', captchaSid, captchaImg } },
      ];
    }
    case 'ResumeVkPush':
      return state.paused ? [{ type: 'VkPushResumed', data: { userId } }] : [];
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
