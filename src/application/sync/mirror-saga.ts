import type { Projection } from '../projections/projection.js';
import type { Scheduler } from '../ports/scheduler.js';
import { enqueueChangesPush, enqueueSyncJob, SYNC_JOBS, type UserSyncJob } from './sync-jobs.js';
import { MAX_PRODUCTS_PER_PUSH, productOf } from './vk-push-changes.js';
import { SYNC_CONFIG_EVENT_TYPES } from '../../domain/sync-config/events.js';

/**
 * The events a push may have to follow: catalog diffs, store access, the sync configuration,
 * VK drift, connection changes and a resumed push. Nothing else wakes the mirror.
 */
export const MIRROR_TRIGGERS = [
  'GroupAdded',
  'GroupChanged',
  'GroupRemoved',
  'ProductAdded',
  'ProductChanged',
  'ProductRemoved',
  'StoreDiscovered',
  'StoreLost',
  'StoreAccessChanged',
  ...SYNC_CONFIG_EVENT_TYPES,
  'VkItemChanged',
  'VkItemDisappeared',
  'VkAlbumDisappeared',
  'VkCommunityConnected',
  'VkHealthChanged',
  'VkPushResumed',
];

/** A new connection is fetched at once, so the catalog pages have something to configure. */
export const FETCH_TRIGGERS = {
  EvotorTokenReceived: SYNC_JOBS.evotorFetch,
  VkCommunityConnected: SYNC_JOBS.vkFetch,
} as const;

/**
 * The mirror saga: a checkpointed subscription (run by the projection runner, so its position
 * is kept in MariaDB like any projection's) that turns difference events into push jobs: a
 * push of changes when a batch's events are all product changes (the push itself reads which,
 * see vk-push-changes.ts), or one full push per user when anything else (groups, stores,
 * settings, VK drift) changed. It never calls VK. The job is enqueued
 * inside the batch, before the checkpoint commits: a crash in between re-enqueues on restart
 * (the push is idempotent), never loses one. (Its version stays: it has no table to rebuild,
 * and a rebuild would only replay every past change as a push.)
 */
export function mirrorSaga(scheduler: Scheduler): Projection {
  return {
    name: 'mirror-saga',
    version: 2,
    eventTypes: [...MIRROR_TRIGGERS, ...Object.keys(FETCH_TRIGGERS)],
    tables: [],
    async handle(events) {
      const fetches = new Map<string, { name: UserSyncJob; userId: string }>();
      // Per user: the products to push, or null for a full push.
      const pushes = new Map<string, Set<string> | null>();
      for (const event of events) {
        const userId = (event.data as { userId?: unknown }).userId;
        if (typeof userId !== 'string') continue;
        const fetch = FETCH_TRIGGERS[event.type as keyof typeof FETCH_TRIGGERS];
        if (fetch) fetches.set(`${fetch}:${userId}`, { name: fetch, userId });
        if (!MIRROR_TRIGGERS.includes(event.type)) continue;
        const productId = productOf(event);
        const products = pushes.has(userId) ? pushes.get(userId)! : new Set<string>();
        if (productId === null || products === null) pushes.set(userId, null);
        else pushes.set(userId, products.add(productId));
      }
      // Staff accounts are filtered by the jobs themselves (one guard for every path).
      for (const job of fetches.values()) await enqueueSyncJob(scheduler, job.name, job.userId);
      for (const [userId, products] of pushes) {
        if (products === null || products.size > MAX_PRODUCTS_PER_PUSH)
          await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, userId);
        else await enqueueChangesPush(scheduler, userId);
      }
    },
  };
}
