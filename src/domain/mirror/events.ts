/**
 * What EvoSync did to the user's VK market (stream `vk-mirror-{userId}`): the outcomes of
 * push jobs. Together with desired-item.ts this is how a push job knows what to send: only
 * the difference between the desired item and the last pushed one.
 */
import type { FieldChange } from '../catalog/events.js';
import type { PushedField, PushedVkItem } from './desired-item.js';

export type MirrorEvent =
  | {
      type: 'VkAlbumCreated';
      data: { userId: string; groupKey: string; albumId: number; title: string };
    }
  | {
      type: 'VkAlbumRenamed';
      data: { userId: string; groupKey: string; albumId: number; title: string };
    }
  | { type: 'DefaultPhotoUploaded'; data: { userId: string; photoId: number } }
  /** written before `market.add`, so a crash between the call and its outcome is detectable */
  | {
      type: 'VkItemCreateRequested';
      data: { userId: string; productId: string; sku: string; requestId: string };
    }
  | {
      type: 'VkItemCreated';
      data: {
        userId: string;
        productId: string;
        requestId: string;
        itemId: number;
        pushed: PushedVkItem;
      };
    }
  /** an item found by sku for a request whose outcome was never recorded; its fields unknown */
  | {
      type: 'VkItemAdopted';
      data: { userId: string; productId: string; requestId: string; itemId: number };
    }
  | {
      type: 'VkItemUpdated';
      data: {
        userId: string;
        productId: string;
        itemId: number;
        fields: FieldChange<PushedField>[];
      };
    }
  /** out of the sync scope: hidden in VK (kept, so coming back keeps its photos and history) */
  | { type: 'VkItemHidden'; data: { userId: string; productId: string; itemId: number } }
  /** removed in Evotor: deleted in VK */
  | { type: 'VkItemDeleted'; data: { userId: string; productId: string; itemId: number } }
  | { type: 'VkItemRestored'; data: { userId: string; productId: string; itemId: number } }
  | {
      type: 'VkCommandFailed';
      data: {
        userId: string;
        productId?: string;
        method: string;
        errorCode: number;
        message: string;
        retryable: boolean;
      };
    }
  | {
      type: 'VkPushPaused';
      data: { userId: string; reason: 'captcha'; captchaSid: string; captchaImg: string };
    }
  | { type: 'VkPushResumed'; data: { userId: string } };

export const mirrorStream = (userId: string) => `vk-mirror-${userId}`;
