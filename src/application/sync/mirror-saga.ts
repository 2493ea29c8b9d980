import type { Projection } from '../projections/projection.js';
import type { Scheduler } from '../ports/scheduler.js';
import { SYNC_JOBS } from './jobs.js';

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
  'SyncEnabled',
  'SyncDisabled',
  'SyncConfirmed',
  'PriceMultiplierChanged',
  'SyncTaskToggled',
  'SyncFilterRuleSet',
  'SyncFilterRuleCleared',
  'VkItemChanged',
  'VkItemDisappeared',
  'VkAlbumDisappeared',
  'VkCommunityConnected',
  'VkHealthChanged',
  'VkPushResumed',
];

/**
 * The mirror saga: a checkpointed subscription (run by the projection runner, so its position
 * is kept in MariaDB like any projection's) that turns difference events into one pending push
 * job per user. It never calls VK. The job is enqueued inside the batch, before the checkpoint
 * commits: a crash in between re-enqueues on restart (the push is idempotent), never loses one.
 */
export function mirrorSaga(scheduler: Scheduler): Projection {
  return {
    name: 'mirror-saga',
    version: 1,
    eventTypes: MIRROR_TRIGGERS,
    tables: [],
    async handle(events) {
      const users = new Set<string>();
      for (const event of events) {
        const userId = (event.data as { userId?: unknown }).userId;
        if (typeof userId === 'string') users.add(userId);
      }
      for (const userId of users) {
        await scheduler.enqueue(SYNC_JOBS.vkPush, { userId }, { uniqueKey: `push:${userId}` });
      }
    },
  };
}
