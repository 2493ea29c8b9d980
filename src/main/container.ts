import type { Sequelize } from 'sequelize';
import { CommandHandler } from '../application/commands/command-handler.js';
import { useStateCache } from '../application/commands/state-cache.js';
import type { ApiRequestLog } from '../application/ports/api-request-log.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { HealthCheck } from '../application/ports/health.js';
import type { PersonalDataCipher } from '../application/ports/personal-data-cipher.js';
import type { Scheduler } from '../application/ports/scheduler.js';
import type { Config } from '../infrastructure/config/config.js';
import { SequelizeApiRequestLog } from '../infrastructure/api-log/sequelize-api-request-log.js';
import { AesGcmCipher } from '../infrastructure/crypto/aes-gcm-cipher.js';
import { SequelizeKeyStore } from '../infrastructure/crypto/key-store.js';
import { createSequelize, ensureDatabase } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createEventStore } from '../infrastructure/eventstore/create-event-store.js';
import type { Logger } from '../infrastructure/logging/logger.js';
import { AgendaScheduler } from '../infrastructure/scheduler/agenda-scheduler.js';
import { jobsHealthCheck } from '../infrastructure/scheduler/jobs-health.js';
import { shareVkLimits } from '../infrastructure/vk/rate-limiter.js';
import { MeteredEventStore } from '../infrastructure/metrics/metered-event-store.js';
import { Metrics } from '../infrastructure/metrics/metrics.js';
import { fleetVkLag } from '../../projections/sync-lag/queries.js';

/** Everything a process needs, built once from configuration: the composition root. */
export interface Container {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  eventStore: EventStore;
  commands: CommandHandler;
  cipher: PersonalDataCipher;
  apiLog: ApiRequestLog;
  scheduler: Scheduler;
  /** this process's Prometheus registry: events appended, API calls, jobs (HTTP in the web) */
  metrics: Metrics;
  healthChecks: HealthCheck[];
  close(): Promise<void>;
}

export interface ContainerOptions {
  /** this process's name in job records and logs */
  processName: string;
  /** Redis key prefix / Mongo collection of the scheduler (tests use their own) */
  schedulerNamespace?: string;
}

/**
 * Connects to MariaDB (creating the database and running migrations), the event store and the
 * scheduler backend. Fails with a clear message when one of them cannot be reached, so a wrong
 * URL stops the process at start instead of at the first request.
 */
export async function buildContainer(
  config: Config,
  logger: Logger,
  options: ContainerOptions,
): Promise<Container> {
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) {
      await closeOne().catch((error: unknown) => logger.warn({ err: error }, 'close failed'));
    }
  };
  try {
    await ensureDatabase(config.DATABASE_URL).catch((error: unknown) => {
      throw new Error(`DATABASE_URL: cannot reach MariaDB (${describe(error)})`);
    });
    const sequelize = createSequelize(config.DATABASE_URL, { logger });
    closers.push(() => sequelize.close());
    await migrate(sequelize, logger);

    const metrics = new Metrics();
    const rawEventStore = await createEventStore(config.EVENTSTORE_URL, logger).catch(
      (error: unknown) => {
        throw new Error(`EVENTSTORE_URL: ${describe(error)}`);
      },
    );
    closers.push(() => rawEventStore.close());
    const eventStore = new MeteredEventStore(rawEventStore, metrics);
    // Folds through this store start from the states kept of earlier ones (issue 17).
    metrics.observeStateCache(useStateCache(eventStore));
    const commands = new CommandHandler(eventStore, { logger });
    // Closers run in reverse: snapshot writes under way finish before the event store closes.
    closers.push(() => commands.flushSnapshots());
    const storeHealth = await eventStore.health();
    if (!storeHealth.ok) {
      throw new Error(
        `EVENTSTORE_URL: cannot reach the event store (${storeHealth.adapter}): ${storeHealth.detail ?? 'no answer'}`,
      );
    }

    const storedApiLog = new SequelizeApiRequestLog(sequelize, { logger });
    closers.push(() => storedApiLog.flush());
    const apiLog = metrics.apiRequestLog(storedApiLog);
    const cipher = new AesGcmCipher(new SequelizeKeyStore(sequelize), config.SECRET_KEY);
    const scheduler = new AgendaScheduler({
      url: config.AGENDA_URL,
      logger,
      processName: options.processName,
      namespace: options.schedulerNamespace ?? config.AGENDA_NAMESPACE,
      // Three sync job kinds at SYNC_JOB_CONCURRENCY each, the Evotor fetches, plus the
      // pipeline and health checks.
      maxConcurrency: config.SYNC_JOB_CONCURRENCY * 3 + config.EVOTOR_FETCH_CONCURRENCY + 4,
    });
    closers.push(() => scheduler.stop());
    metrics.observeScheduler(scheduler);
    metrics.setVkLagSource(() => fleetVkLag(sequelize));
    // VK's rate limit belongs to the token: every process keeps its VK limiters in one Redis.
    const vkLimits = shareVkLimits(config.REDIS_URL);
    closers.push(() => vkLimits.close());
    await vkLimits.ready().catch((error: unknown) => {
      throw new Error(
        `REDIS_URL: cannot reach Redis at ${redisAddress(config.REDIS_URL)} (${describe(error)})`,
      );
    });

    const healthChecks: HealthCheck[] = [
      {
        name: 'database',
        required: true,
        check: async () => {
          const started = Date.now();
          await sequelize.query('SELECT 1');
          return { ok: true, latencyMs: Date.now() - started };
        },
      },
      {
        name: 'eventStore',
        required: true,
        check: async () => ({ ...(await eventStore.health()) }),
      },
      { name: 'scheduler', required: true, check: async () => ({ ...(await scheduler.health()) }) },
      jobsHealthCheck(scheduler),
    ];

    return {
      config,
      logger,
      sequelize,
      eventStore,
      commands,
      cipher,
      apiLog,
      scheduler,
      metrics,
      healthChecks,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** host:port only: a Redis URL may carry a password */
function redisAddress(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 6379}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
