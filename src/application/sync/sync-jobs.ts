import type { EnqueueOptions, Scheduler } from '../ports/scheduler.js';

export const SYNC_JOBS = {
  pipeline: 'sync-pipeline',
  evotorFetch: 'evotor-fetch',
  vkFetch: 'vk-fetch',
  vkPush: 'vk-push',
  /** a user's periodic run when the owner set an interval of their own (see jobs.ts) */
  periodic: 'sync-periodic',
} as const;

/** The jobs that work for one user: `{ userId }` is their whole data. */
export type UserSyncJob = Exclude<(typeof SYNC_JOBS)[keyof typeof SYNC_JOBS], 'sync-pipeline'>;

/**
 * The one unique key of a user's job of this kind. Every path (pipeline, saga, «Синхронизировать
 * сейчас», resume, retries) must build it here: two spellings of one key let two jobs of one
 * kind wait for the same user and run at once.
 */
export const syncJobKey = (job: UserSyncJob, userId: string): string => `${job}:${userId}`;

/**
 * The one exception: a push scheduled for a failing product's retry time. It has a key of its
 * own so that, waiting for its time, it never absorbs (and so delays) a push wanted now; two
 * pushes for one user still never run at once (the push's lock and its revision check).
 */
export const pushRetryKey = (userId: string): string => `vk-push-retry:${userId}`;

/** Enqueues a user's sync job under its one unique key. */
export function enqueueSyncJob(
  scheduler: Pick<Scheduler, 'enqueue'>,
  job: UserSyncJob,
  userId: string,
  options: Omit<EnqueueOptions, 'uniqueKey'> = {},
): Promise<string> {
  return scheduler.enqueue(job, { userId }, { ...options, uniqueKey: syncJobKey(job, userId) });
}

/**
 * After the owner changed the run interval: the pending periodic run is replaced by one an
 * interval from now, or dropped when the owner went back to the default (the pipeline's own
 * runs serve them again).
 */
export async function rescheduleOwnRun(
  scheduler: Pick<Scheduler, 'enqueue' | 'cancel'>,
  userId: string,
  intervalSeconds: number | null,
  now: Date = new Date(),
): Promise<void> {
  await scheduler.cancel(SYNC_JOBS.periodic, { userId });
  if (intervalSeconds === null) return;
  await enqueueSyncJob(scheduler, SYNC_JOBS.periodic, userId, {
    runAt: new Date(now.getTime() + intervalSeconds * 1000),
  });
}

/**
 * A push of the products an Evotor change touched (the mirror saga's): their ids travel in the
 * job, so it has no unique key (a waiting job's data cannot grow); two such pushes for one user
 * never run at once either (the push's lock).
 */
export function enqueueProductPush(
  scheduler: Pick<Scheduler, 'enqueue'>,
  userId: string,
  productIds: readonly string[],
  options: Omit<EnqueueOptions, 'uniqueKey'> = {},
): Promise<string> {
  return scheduler.enqueue(SYNC_JOBS.vkPush, { userId, productIds: [...productIds] }, options);
}
