import type { Projection } from '../projections/projection.js';
import type { Scheduler } from '../ports/scheduler.js';
import { enqueueSyncJob, SYNC_JOBS, type UserSyncJob } from './sync-jobs.js';
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
 * is kept in MariaDB like any projection's) that turns difference events into one pending push
 * job per user. It never calls VK. The job is enqueued inside the batch, before the checkpoint
 * commits: a crash in between re-enqueues on restart (the push is idempotent), never loses one.
 */
export function mirrorSaga(scheduler: Scheduler): Projection {
  return {
    name: 'mirror-saga',
    version: 2,
    eventTypes: [...MIRROR_TRIGGERS, ...Object.keys(FETCH_TRIGGERS)],
    tables: [],
    async handle(events) {
      const jobs = new Map<string, { name: UserSyncJob; userId: string }>();
      for (const event of events) {
        const userId = (event.data as { userId?: unknown }).userId;
        if (typeof userId !== 'string') continue;
        const fetch = FETCH_TRIGGERS[event.type as keyof typeof FETCH_TRIGGERS];
        if (fetch) jobs.set(`${fetch}:${userId}`, { name: fetch, userId });
        if (MIRROR_TRIGGERS.includes(event.type)) {
          jobs.set(`${SYNC_JOBS.vkPush}:${userId}`, { name: SYNC_JOBS.vkPush, userId });
        }
      }
      // Staff accounts are filtered by the jobs themselves (one guard for every path).
      for (const job of jobs.values()) await enqueueSyncJob(scheduler, job.name, job.userId);
    },
  };
}
