import type { MirrorSettings } from '../../domain/mirror/desired-item.js';
import type { SyncConfigState } from '../../domain/sync-config/state.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore } from '../ports/event-store.js';
import type { Mutex } from '../ports/mutex.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { Scheduler } from '../ports/scheduler.js';
import { loadConnections } from './connections.js';
import { loadSyncConfig } from './desired-state.js';
import { fetchEvotorCatalog } from './evotor-fetch.js';
import { ConnectionAuthError, type SyncGateways } from './ports.js';
import { mirrorNeedsPush } from './mirror-attention.js';
import { fetchVkMarket } from './vk-fetch.js';
import { pushToVk, type PushReport } from './vk-push.js';

export const SYNC_JOBS = {
  pipeline: 'sync-pipeline',
  evotorFetch: 'evotor-fetch',
  vkFetch: 'vk-fetch',
  vkPush: 'vk-push',
} as const;

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SyncJobDeps {
  store: EventStore;
  commands: CommandHandler;
  cipher: PersonalDataCipher;
  scheduler: Scheduler;
  /** one push per user at a time, across workers */
  mutex: Mutex;
  gateways: SyncGateways;
  /** users the pipeline syncs: role `user`, active, sync on and confirmed, both connections */
  eligibleUsers(): Promise<string[]>;
  settings: MirrorSettings;
  defaultPhoto(): Promise<{ file: Buffer; filename: string }>;
  logger: Log;
  onPushed?(userId: string, report: PushReport): void;
}

const RETRIES = { maxRetries: 5, delayMs: 5_000, factor: 3 };
const PUSH_BUSY_DELAY_MS = 5_000;

/**
 * The jobs of the sync. The periodic pipeline only fetches (Evotor, then VK); pushes follow
 * from the difference events through the mirror saga. Every handler is safe to run twice.
 */
export function defineSyncJobs(deps: SyncJobDeps): void {
  const { scheduler, logger } = deps;

  scheduler.define(SYNC_JOBS.pipeline, async () => {
    const users = await deps.eligibleUsers();
    logger.info({ users: users.length }, 'sync pipeline: fetching catalogs');
    for (const userId of users) {
      // One user's trouble is logged and never stops the others.
      await scheduler
        .enqueue(SYNC_JOBS.evotorFetch, { userId }, { uniqueKey: `evotor:${userId}` })
        .catch((error: unknown) =>
          logger.warn({ err: error, userId }, 'could not enqueue the Evotor fetch'),
        );
      // Failures due, open requests or drift need a push even when Evotor did not change.
      await mirrorNeedsPush(deps.store, userId, new Date())
        .then(async (reason) => {
          if (!reason) return;
          logger.info({ userId, reason }, 'sync pipeline: the mirror needs a push');
          await scheduler.enqueue(SYNC_JOBS.vkPush, { userId }, { uniqueKey: `push:${userId}` });
        })
        .catch((error: unknown) =>
          logger.warn({ err: error, userId }, 'could not check the mirror for a push'),
        );
    }
  });

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.evotorFetch,
    async ({ userId }, ctx) => {
      const config = await loadSyncConfig(deps.store, userId);
      const { evotor } = await loadConnections(deps.store, deps.cipher, userId);
      // Connected but not yet configured: fetch anyway, the catalog pages need it to configure.
      if (evotor && canFetch(config, 'refresh_catalog')) {
        const source = deps.gateways.evotor(userId, evotor.token);
        const result = await authFailureIsFinal(() =>
          fetchEvotorCatalog({ commands: deps.commands, source }, userId, ctx.jobId),
        );
        logger.info({ userId, ...result }, 'Evotor catalog fetched');
      }
      if (canFetch(config, 'refresh_vk_catalog')) {
        await scheduler.enqueue(SYNC_JOBS.vkFetch, { userId }, { uniqueKey: `vk-fetch:${userId}` });
      }
    },
    { retries: RETRIES, concurrency: 2, lockLifetimeMs: 15 * 60_000 },
  );

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.vkFetch,
    async ({ userId }, ctx) => {
      const { vk } = await loadConnections(deps.store, deps.cipher, userId);
      if (!vk) return;
      const gateway = deps.gateways.vk(userId, vk);
      const result = await authFailureIsFinal(() =>
        fetchVkMarket({ commands: deps.commands, gateway }, userId, ctx.jobId),
      );
      logger.info({ userId, ...result }, 'VK market fetched');
    },
    { retries: RETRIES, concurrency: 2, lockLifetimeMs: 15 * 60_000 },
  );

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.vkPush,
    async ({ userId }, ctx) => {
      const { vk } = await loadConnections(deps.store, deps.cipher, userId);
      if (!vk) return;
      const locked = await deps.mutex.tryWithLock(`vk-push:${userId}`, () =>
        authFailureIsFinal(() =>
          pushToVk(
            {
              store: deps.store,
              commands: deps.commands,
              gateway: deps.gateways.vk(userId, vk),
              groupId: vk.groupId,
              settings: deps.settings,
              defaultPhoto: deps.defaultPhoto,
              onProgress: (progress) => {
                deps.onPushed?.(userId, progress);
                void ctx.touch();
              },
            },
            userId,
            ctx.jobId,
          ),
        ),
      );
      if (!locked.acquired) {
        // Another push for this user is running; what woke this one is picked up after it.
        await scheduler.enqueue(
          SYNC_JOBS.vkPush,
          { userId },
          { uniqueKey: `push:${userId}`, runAt: new Date(Date.now() + PUSH_BUSY_DELAY_MS) },
        );
        return;
      }
      const report = locked.value;
      if (!report) return;
      deps.onPushed?.(userId, report);
      logger.info({ userId, ...report }, 'VK push finished');
      // Failing products wait for their retry time (recorded in the mirror); the push for that
      // time is enqueued here, so a failure never turns into a hot loop of job retries.
      if (report.needsAnotherRun || report.outcome === 'superseded') {
        const runAt = report.outcome === 'superseded' ? Date.now() + PUSH_BUSY_DELAY_MS : null;
        await scheduler.enqueue(
          SYNC_JOBS.vkPush,
          { userId },
          { uniqueKey: `push:${userId}`, ...(runAt !== null ? { runAt: new Date(runAt) } : {}) },
        );
      } else if (report.nextRetryAt) {
        // A key of its own: a pending retry must not absorb (and so delay) a push that an
        // Evotor change enqueues for now.
        await scheduler.enqueue(
          SYNC_JOBS.vkPush,
          { userId },
          {
            uniqueKey: `push-retry:${userId}`,
            // Never sooner than a second from now: clocks of two machines may disagree a little.
            runAt: new Date(Math.max(Date.parse(report.nextRetryAt), Date.now() + 1_000)),
          },
        );
      }
    },
    { retries: RETRIES, concurrency: 2, lockLifetimeMs: 15 * 60_000 },
  );
}

/** Fetching runs unless the user switched that task off; pushing needs an active sync. */
function canFetch(
  config: SyncConfigState,
  task: 'refresh_catalog' | 'refresh_vk_catalog',
): boolean {
  return config.tasks[task];
}

/** A refused token is recorded as connection health by the job itself; retrying cannot help. */
async function authFailureIsFinal<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConnectionAuthError) return null;
    throw error;
  }
}

export async function scheduleSyncPipeline(
  scheduler: Scheduler,
  intervalSeconds: number,
): Promise<void> {
  await scheduler.every(SYNC_JOBS.pipeline, intervalSeconds, {});
}
