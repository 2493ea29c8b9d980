import type { MirrorSettings } from '../../domain/mirror/desired-item.js';
import { syncStatus, type SyncConfigState } from '../../domain/sync-config/state.js';
import type { CommandHandler } from '../commands/command-handler.js';
import type { EventStore } from '../ports/event-store.js';
import type { Mutex } from '../ports/mutex.js';
import type { PersonalDataCipher } from '../ports/personal-data-cipher.js';
import type { VkTokens } from '../connections/vk-tokens.js';
import type { JobContext, JobHandler, Scheduler } from '../ports/scheduler.js';
import { loadConnections, recordTokenRefused, vkTokenRefused } from './connections.js';
import { loadSyncConfig } from './desired-state.js';
import { fetchEvotorCatalog } from './evotor-fetch.js';
import { ConnectionAuthError, type SyncGateways } from './ports.js';
import { loadIsSyncedAccount } from './synced-account.js';
import {
  DEFAULT_EVOTOR_FETCH_CONCURRENCY,
  DEFAULT_SYNC_CONCURRENCY,
  enqueueSyncJob,
  SYNC_JOBS,
  type UserSyncJob,
} from './sync-jobs.js';
import { PushLoops, runPushJob, type PushJobData } from './vk-push-job.js';
import { mirrorNeedsPush } from './mirror-attention.js';
import { fetchVkMarket } from './vk-fetch.js';
import type { PushReport } from './vk-push.js';

export { SYNC_JOBS } from './sync-jobs.js';

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
  /** renews VK ID tokens before they expire (the worker's; absent: tokens are used as stored) */
  vkTokens?: Pick<VkTokens, 'accessToken'>;
  /** users the pipeline syncs: role `user`, active, sync on and confirmed, both connections */
  eligibleUsers(): Promise<string[]>;
  settings: MirrorSettings;
  defaultPhoto(): Promise<{ file: Buffer; filename: string }>;
  logger: Log;
  onPushed?(userId: string, report: PushReport): void;
  /** the time periodic runs are scheduled from; tests move it */
  clock?: () => Date;
  /** the pipeline's interval (users without their own): sizes the Evotor image sweep */
  runIntervalSeconds?: number;
  /**
   * Fetch and push jobs running at once in one worker, per kind. Each waits on its own user's
   * token limiter (VK: 3 requests/s per user token), so a worker serving many shops is limited
   * by the tokens, not by this number; the per-user mutex keeps one push per user.
   */
  concurrency?: number;
  /**
   * Evotor fetches running at once in one worker. A fetch waits on no token: it is bound by this
   * process's CPU (the image lists of hundreds of products, the catalog's events), so many more
   * at once only make each finish later and take the event loop from the pushes and the mirror
   * saga; too few leave the last shops' catalogs waiting for a slot (bench:fleet, 50 shops:
   * 10 at once 24.0 s, 16: 22.0–22.6 s, see docs).
   */
  evotorFetchConcurrency?: number;
}

/**
 * Short locks kept alive by the scheduler's heartbeat while a job runs: a killed worker's job
 * is taken over by another (or the restarted) worker within about a minute, not a quarter hour.
 */
const LOCK_LIFETIME_MS = 60_000;

const RETRIES = { maxRetries: 5, delayMs: 5_000, factor: 3 };

/**
 * The jobs of the sync. The periodic pipeline only fetches (Evotor, then VK); pushes follow
 * from the difference events through the mirror saga. Every handler is safe to run twice.
 */
export function defineSyncJobs(deps: SyncJobDeps): void {
  const { scheduler, logger } = deps;
  const options = {
    retries: RETRIES,
    concurrency: deps.concurrency ?? DEFAULT_SYNC_CONCURRENCY,
    lockLifetimeMs: LOCK_LIFETIME_MS,
  };

  /**
   * Every user job goes through here, whatever enqueued it (pipeline, saga, «Синхронизировать
   * сейчас», resume, a retry): staff accounts are never synced, VK work waits while VK refuses
   * the token, and a refused token is recorded as the connection's health at once.
   */
  const userJob =
    (
      job: UserSyncJob,
      usesVk: boolean,
      work: (userId: string, ctx: JobContext, data: PushJobData) => Promise<void>,
    ): JobHandler<PushJobData> =>
    async (data, ctx) => {
      const { userId } = data;
      if (!(await loadIsSyncedAccount(deps.store, userId))) {
        logger.info({ job, userId }, 'not a shop owner account: nothing to sync');
        return;
      }
      if (usesVk && (await vkTokenRefused(deps.store, userId))) {
        logger.info({ job, userId }, 'VK refused the token: VK work waits for a new connection');
        return;
      }
      try {
        await work(userId, ctx, data);
      } catch (error) {
        // Retrying with a refused token cannot help; the owner sees the connection's health.
        if (!(error instanceof ConnectionAuthError)) throw error;
        await recordTokenRefused(deps.commands, userId, error, ctx.jobId);
        logger.warn({ job, userId, service: error.service }, 'token refused: recorded as health');
      }
    };

  const now = deps.clock ?? (() => new Date());

  /** One user's periodic run: the catalogs are fetched, and the mirror pushed if it must be. */
  const periodicRun = async (userId: string) => {
    // One user's trouble is logged and never stops the others.
    await enqueueSyncJob(scheduler, SYNC_JOBS.evotorFetch, userId).catch((error: unknown) =>
      logger.warn({ err: error, userId }, 'could not enqueue the Evotor fetch'),
    );
    // Failures due, open requests or drift need a push even when Evotor did not change.
    await mirrorNeedsPush(deps.store, userId, new Date())
      .then(async (reason) => {
        if (reason) logger.info({ userId, reason }, 'sync pipeline: the mirror needs a push');
        // And a full push every run all the same: the safety net behind the pushes of single
        // changes (a lost job, a missed notification); no VK call when nothing differs.
        await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, userId);
      })
      .catch((error: unknown) =>
        logger.warn({ err: error, userId }, 'could not check the mirror for a push'),
      );
  };

  /**
   * The pipeline runs at the configured interval and serves the users on that default. A user
   * with an interval of their own has a chain of `periodic` jobs instead (each enqueues the
   * next); the pipeline only starts a chain that is missing (the setting came from elsewhere,
   * or the sync was off meanwhile), with a run now.
   */
  scheduler.define(SYNC_JOBS.pipeline, async () => {
    const users = await deps.eligibleUsers();
    logger.info({ users: users.length }, 'sync pipeline: fetching catalogs');
    for (const userId of users) {
      const own = await loadSyncConfig(deps.store, userId)
        .then((config) => config.runIntervalSeconds)
        .catch((error: unknown) => {
          logger.warn({ err: error, userId }, 'could not read the sync config');
          return null;
        });
      if (own === null) await periodicRun(userId);
      else
        await enqueueSyncJob(scheduler, SYNC_JOBS.periodic, userId, { runAt: now() }).catch(
          (error: unknown) => logger.warn({ err: error, userId }, 'could not start own runs'),
        );
    }
  });

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.periodic,
    userJob(SYNC_JOBS.periodic, false, async (userId) => {
      const config = await loadSyncConfig(deps.store, userId);
      // Back on the default, or the sync stopped: the chain ends here.
      if (config.runIntervalSeconds === null || syncStatus(config) !== 'active') return;
      await periodicRun(userId);
      const runAt = new Date(now().getTime() + config.runIntervalSeconds * 1000);
      await enqueueSyncJob(scheduler, SYNC_JOBS.periodic, userId, { runAt });
    }),
    options,
  );

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.evotorFetch,
    userJob(SYNC_JOBS.evotorFetch, false, async (userId, ctx) => {
      const config = await loadSyncConfig(deps.store, userId);
      const { evotor } = await loadConnections(deps.store, deps.cipher, userId);
      // Connected but not yet configured: fetch anyway, the catalog pages need it to configure.
      if (evotor && canFetch(config, 'refresh_catalog')) {
        const source = deps.gateways.evotor(userId, evotor.token);
        const runIntervalSeconds = config.runIntervalSeconds ?? deps.runIntervalSeconds;
        const result = await fetchEvotorCatalog(
          { commands: deps.commands, source, store: deps.store, clock: now, runIntervalSeconds },
          userId,
          ctx.jobId,
        );
        logger.info({ userId, ...result }, 'Evotor catalog fetched');
      }
      if (canFetch(config, 'refresh_vk_catalog')) {
        await enqueueSyncJob(scheduler, SYNC_JOBS.vkFetch, userId);
      }
    }),
    {
      ...options,
      concurrency: deps.evotorFetchConcurrency ?? DEFAULT_EVOTOR_FETCH_CONCURRENCY,
    },
  );

  scheduler.define<{ userId: string }>(
    SYNC_JOBS.vkFetch,
    userJob(SYNC_JOBS.vkFetch, true, async (userId, ctx) => {
      const { vk } = await loadConnections(deps.store, deps.cipher, userId, deps.vkTokens);
      if (!vk) return;
      const gateway = deps.gateways.vk(userId, vk);
      const result = await fetchVkMarket({ commands: deps.commands, gateway }, userId, ctx.jobId);
      logger.info({ userId, ...result }, 'VK market fetched');
    }),
    options,
  );

  const loops = new PushLoops();
  scheduler.define<PushJobData>(
    SYNC_JOBS.vkPush,
    userJob(SYNC_JOBS.vkPush, true, (userId, ctx, data) =>
      runPushJob(deps, loops, userId, ctx, data),
    ),
    options,
  );
}

/** Fetching runs unless the user switched that task off; pushing needs an active sync. */
function canFetch(
  config: SyncConfigState,
  task: 'refresh_catalog' | 'refresh_vk_catalog',
): boolean {
  return config.tasks[task];
}

export async function scheduleSyncPipeline(
  scheduler: Scheduler,
  intervalSeconds: number,
): Promise<void> {
  await scheduler.every(SYNC_JOBS.pipeline, intervalSeconds, {});
}
