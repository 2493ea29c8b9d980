import type { Projection } from '../application/projections/projection.js';
import {
  defineSyncJobs,
  scheduleSyncPipeline,
  type SyncJobDeps,
} from '../application/sync/jobs.js';
import { mirrorSaga } from '../application/sync/mirror-saga.js';
import { defineHealthNoticeJob, healthNoticeSaga } from '../application/sync/health-notices.js';
import type { Mailer } from '../application/ports/mail.js';
import { createMailer } from '../infrastructure/mail/mailers.js';
import { emailFromUsersTable } from '../infrastructure/mail/recipients.js';
import { MariaDbMutex } from '../infrastructure/db/mariadb-mutex.js';
import { ProjectionRunner } from '../infrastructure/projections/projection-runner.js';
import {
  connectedUsers,
  defaultPhotoLoader,
  eligibleUsers,
  httpSyncGateways,
} from '../infrastructure/sync/sync-adapters.js';
import { projections as readModels } from '../../projections/index.js';
import { usersProjection } from '../../projections/users/index.js';
import { startMetricsServer } from '../infrastructure/metrics/metrics-server.js';
import {
  defineConnectionHealthJob,
  EvotorConnection,
  scheduleConnectionHealth,
  VkConnection,
  VkTokens,
  type ConnectionsDeps,
} from '../application/connections/index.js';
import type { Container } from './container.js';
import { connectionAdapters } from '../infrastructure/connections/index.js';

/** Every projection a worker runs: the read models and the mirror saga. */
/** The projections that build read tables (every one but the mirror saga). */
export function readModelProjections(c: Container): Projection[] {
  return [...readModels, usersProjection(c.cipher)];
}

export function workerProjections(c: Container): Projection[] {
  return [...readModelProjections(c), mirrorSaga(c.scheduler), healthNoticeSaga(c.scheduler)];
}

export interface Worker {
  runners: ProjectionRunner[];
  stop(): Promise<void>;
}

/**
 * The worker's work in this process: projection runners (each takes its projection's lock, so
 * several workers can run), the sync jobs and the periodic pipeline.
 */
export async function startWorker(
  c: Container,
  options: {
    onPushed?: SyncJobDeps['onPushed'];
    /** where the sync's health notices go (default: the configured mailer) */
    mailer?: Mailer;
  } = {},
): Promise<Worker> {
  const runners = workerProjections(c).map(
    (projection) =>
      new ProjectionRunner({
        projection,
        sequelize: c.sequelize,
        store: c.eventStore,
        logger: c.logger,
      }),
  );
  for (const runner of runners) runner.start();

  defineSyncJobs({
    store: c.eventStore,
    commands: c.commands,
    cipher: c.cipher,
    scheduler: c.scheduler,
    mutex: new MariaDbMutex(c.sequelize),
    gateways: httpSyncGateways(c.config, c.apiLog),
    vkTokens: new VkTokens(workerConnectionDeps(c)),
    eligibleUsers: () => eligibleUsers(c.sequelize),
    settings: { categoryId: c.config.VK_CATEGORY_ID, stockAmount: c.config.VK_STOCK_AMOUNT },
    defaultPhoto: defaultPhotoLoader(c.config.VK_DEFAULT_PHOTO_PATH),
    logger: c.logger,
    concurrency: c.config.SYNC_JOB_CONCURRENCY,
    evotorFetchConcurrency: c.config.EVOTOR_FETCH_CONCURRENCY,
    runIntervalSeconds: c.config.CATALOG_REFRESH_INTERVAL_SECONDS,
    ...(options.onPushed ? { onPushed: options.onPushed } : {}),
  });
  defineHealthNoticeJob({
    store: c.eventStore,
    commands: c.commands,
    scheduler: c.scheduler,
    mailer: options.mailer ?? createMailer(c.config, c.logger),
    emailOf: emailFromUsersTable(c.sequelize),
    baseUrl: c.config.BASE_URL,
  });
  await scheduleSyncPipeline(c.scheduler, c.config.CATALOG_REFRESH_INTERVAL_SECONDS);
  await startConnectionHealth(c);
  c.metrics.addProjectionStatusSource(() => Promise.all(runners.map((r) => r.status())));
  const metricsServer = c.config.WORKER_METRICS_PORT
    ? await startMetricsServer(c.metrics, {
        port: c.config.WORKER_METRICS_PORT,
        host: c.config.HOST,
      })
    : null;
  await c.scheduler.start();
  c.logger.info({ projections: runners.map((r) => r.name) }, 'worker started');

  return {
    runners,
    async stop() {
      await metricsServer?.close();
      await c.scheduler.stop();
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}

/**
 * Defines `connection-health` and runs it every `everyMinutes` for every shop owner with a
 * saved connection.
 */
export async function startConnectionHealth(
  deps: WorkerConnectionParts & Pick<Container, 'scheduler' | 'logger'>,
  everyMinutes = 15,
): Promise<void> {
  const connectionDeps = workerConnectionDeps(deps);
  defineConnectionHealthJob({
    scheduler: deps.scheduler,
    evotor: new EvotorConnection(connectionDeps),
    vk: new VkConnection(connectionDeps),
    connectedUsers: () => connectedUsers(deps.sequelize),
    logger: deps.logger,
  });
  await scheduleConnectionHealth(deps.scheduler, everyMinutes);
}

type WorkerConnectionParts = Pick<
  Container,
  'config' | 'eventStore' | 'commands' | 'cipher' | 'sequelize'
> & { apiLog?: Container['apiLog'] };

/** The connection use cases' dependencies in a worker (health job, VK ID renewals). */
function workerConnectionDeps(deps: WorkerConnectionParts): ConnectionsDeps {
  return {
    store: deps.eventStore,
    commands: deps.commands,
    cipher: deps.cipher,
    // The worker reads nothing back, so it never waits for a projection.
    readModel: { waitFor: async () => {} },
    settings: deps.config,
    ...(deps.apiLog ? { apiLog: deps.apiLog } : {}),
    ...connectionAdapters(deps.config, deps.sequelize, deps.apiLog),
  };
}
