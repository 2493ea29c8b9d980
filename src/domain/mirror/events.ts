/**
 * What EvoSync did to the user's VK market (stream `vk-mirror-{userId}`): the outcomes of
 * push jobs. Together with desired-item.ts and the observed VK market (vk-market stream) this
 * is how a push job knows what to send (see plan.ts).
 *
 * `at` (ISO time, from the command handler's clock) is when the outcome was recorded, i.e.
 * after VK confirmed it: a VK observation that began later reflects it, an earlier one may
 * not. Events written before `at` existed lack it.
 */
import type { FieldChange } from '../catalog/events.js';
import type { PushedField, PushedVkItem } from './desired-item.js';

/** A field VK showed differently from what EvoSync pushed, and that EvoSync sent again. */
export interface ReassertedField {
  /** `photo`: the main photo (the product's image, or EvoSync's default photo) */
  field: PushedField | 'photo';
  /** what VK showed after the hand edit */
  seen: unknown;
}

type ItemData = { userId: string; productId: string; itemId: number; at?: string };

export type MirrorEvent =
  /** written before `market.addAlbum`, so a crash between the call and its outcome is settled */
  | {
      type: 'VkAlbumCreateRequested';
      data: { userId: string; groupKey: string; title: string; requestId: string };
    }
  | {
      type: 'VkAlbumCreated';
      data: {
        userId: string;
        groupKey: string;
        albumId: number;
        title: string;
        requestId?: string;
        at?: string;
      };
    }
  /** an album found by title for a request whose outcome was never recorded */
  | {
      type: 'VkAlbumAdopted';
      data: {
        userId: string;
        groupKey: string;
        albumId: number;
        title: string;
        requestId: string;
        at: string;
      };
    }
  | {
      type: 'VkAlbumRenamed';
      data: {
        userId: string;
        groupKey: string;
        albumId: number;
        title: string;
        at?: string;
        /** set when the title was sent again after a hand edit in VK: the title VK showed */
        seenTitle?: string;
      };
    }
  /** the group left the scope and VK has no album of the open request: nothing to settle */
  | {
      type: 'VkAlbumCreateAbandoned';
      data: { userId: string; groupKey: string; requestId: string };
    }
  /** VK no longer has the album (deleted by hand): a new one is requested */
  | { type: 'VkAlbumLost'; data: { userId: string; groupKey: string; albumId: number } }
  | { type: 'DefaultPhotoUploaded'; data: { userId: string; photoId: number } }
  /** a product image's bytes (by content hash) uploaded once; every item showing them uses it */
  | {
      type: 'VkPhotoUploaded';
      data: { userId: string; sha256: string; photoId: number; productId: string; at: string };
    }
  /**
   * the image could not be downloaded from Evotor or uploaded to VK: the item keeps its last
   * photo (a new one the default photo) and the rest of its fields; retried like a call
   */
  | {
      type: 'VkPhotoFailed';
      data: {
        userId: string;
        productId: string;
        sha256: string;
        stage: 'download' | 'upload';
        message: string;
        at: string;
        attempt: number;
        nextRetryAt: string | null;
      };
    }
  /** written before `market.add`, so a crash between the call and its outcome is detectable */
  | {
      type: 'VkItemCreateRequested';
      data: {
        userId: string;
        productId: string;
        sku: string;
        requestId: string;
        /** the item VK lost (deleted by hand), when this request re-creates it */
        replacesItemId?: number;
      };
    }
  | {
      type: 'VkItemCreated';
      data: ItemData & { requestId: string; pushed: PushedVkItem };
    }
  /** the product left the scope and VK has no item with its sku: the request never reached VK */
  | {
      type: 'VkItemCreateAbandoned';
      data: { userId: string; productId: string; requestId: string };
    }
  /** an item found by sku for a request whose outcome was never recorded; its fields unknown */
  | { type: 'VkItemAdopted'; data: ItemData & { requestId: string } }
  | {
      type: 'VkItemUpdated';
      data: ItemData & {
        fields: FieldChange<PushedField>[];
        /** fields sent again because VK showed them changed by hand; EvoSync owns them */
        reasserted?: ReassertedField[];
      };
    }
  /** out of the sync scope: hidden in VK (kept, so coming back keeps its photos and history) */
  | { type: 'VkItemHidden'; data: ItemData & { reasserted?: boolean } }
  /** removed in Evotor: deleted in VK */
  | { type: 'VkItemDeleted'; data: ItemData }
  | { type: 'VkItemRestored'; data: ItemData }
  /** `market.addToAlbum` succeeded (or VK answered that the item is already there) */
  | {
      type: 'VkItemAddedToAlbum';
      data: ItemData & { albumId: number; reasserted?: boolean };
    }
  | { type: 'VkItemRemovedFromAlbum'; data: ItemData & { albumId: number } }
  | {
      type: 'VkCommandFailed';
      data: {
        userId: string;
        productId?: string;
        /** an album call's failure */
        groupKey?: string;
        method: string;
        errorCode: number;
        message: string;
        retryable: boolean;
        at?: string;
        /** failures in a row for this product or album, this one included */
        attempt?: number;
        /** when the planner tries again; null: at the next pipeline run */
        nextRetryAt?: string | null;
      };
    }
  /** a failing product or album had nothing left to send when its retry came (say, undone) */
  | {
      type: 'VkFailureCleared';
      data: { userId: string; productId?: string; groupKey?: string };
    }
  /**
   * `redirectUri`: the captcha page VK gives today for a person to open (absent in events
   * recorded before VK sent it); `captchaSid`/`captchaImg` are VK's deprecated captcha, '' when
   * VK left them out
   */
  | {
      type: 'VkPushPaused';
      data: {
        userId: string;
        reason: 'captcha';
        captchaSid: string;
        captchaImg: string;
        redirectUri?: string | null;
      };
    }
  | { type: 'VkPushResumed'; data: { userId: string } }
  /**
   * A push with something to do begins: what its plan will do, so a page can show how far it
   * is by counting the item outcomes that follow (one push writes the stream at a time).
   */
  | {
      type: 'VkPushStarted';
      data: { userId: string; pushId: string; planned: PlanCounts; at: string };
    }
  /** `failed`: stopped by an error the job retries; a superseded push records nothing */
  | {
      type: 'VkPushFinished';
      data: { userId: string; pushId: string; outcome: PushFinish; at: string };
    }
  | {
      /**
       * A push finished planning and sending: every Evotor change recorded before `startedAt`
       * of these products (null: all of the user's) is in VK, except the `failed` ones. The
       * lag shown on /sync is measured against it. `catalogRevisions` (absent before issue 17's
       * coalescing): the revision of each store catalog (by store id) the push planned from;
       * the next push of changes plans the products changed after them.
       */
      type: 'VkPushCompleted';
      data: {
        userId: string;
        startedAt: string;
        productIds: string[] | null;
        failed: string[];
        catalogRevisions?: Record<string, number>;
      };
    };

/** Item operations of a plan, as the owner sees them (adoptions and re-creations are creates). */
export interface PlanCounts {
  create: number;
  update: number;
  hide: number;
  delete: number;
}

export type PushFinish = 'done' | 'paused' | 'auth_failed' | 'failed';

export const mirrorStream = (userId: string) => `vk-mirror-${userId}`;
