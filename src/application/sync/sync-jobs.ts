import type { EnqueueOptions, Scheduler } from '../ports/scheduler.js';

export const SYNC_JOBS = {
  pipeline: 'sync-pipeline',
  evotorFetch: 'evotor-fetch',
  vkFetch: 'vk-fetch',
  vkPush: 'vk-push',
  /** a user's periodic run when the owner set an interval of their own (see jobs.ts) */
  periodic: 'sync-periodic',
} as const;

/**
 * Default per-kind concurrency: a fleet of shops side by side on one worker (see docs). The
 * defaults of SYNC_JOB_CONCURRENCY and EVOTOR_FETCH_CONCURRENCY in the config too.
 */
export const DEFAULT_SYNC_CONCURRENCY = 20;
/** Default Evotor fetches at once per worker (measured with bench:fleet, see docs). */
export const DEFAULT_EVOTOR_FETCH_CONCURRENCY = 16;

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

/** The unique key of a user's push of changes (see enqueueChangesPush). */
export const changesPushKey = (userId: string): string => `vk-push-changes:${userId}`;

/**
 * A push of what changed in Evotor since the last completed push (the mirror saga's): the job
 * carries no product ids, the push reads them from the catalog streams (vk-push-changes.ts),
 * so one waiting job serves every change that arrives meanwhile. A key of its own: it never
 * waits behind (nor absorbs) a full push. Two pushes for one user never run at once (the
 * push's lock and its revision check).
 */
export function enqueueChangesPush(
  scheduler: Pick<Scheduler, 'enqueue'>,
  userId: string,
  options: Omit<EnqueueOptions, 'uniqueKey'> = {},
): Promise<string> {
  return scheduler.enqueue(
    SYNC_JOBS.vkPush,
    { userId, changes: true },
    { ...options, uniqueKey: changesPushKey(userId) },
  );
}
