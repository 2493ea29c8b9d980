import type { Sequelize } from 'sequelize';
import type { Accounts } from '../../application/accounts/index.js';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type { CommandHandler } from '../../application/commands/command-handler.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { PersonalDataCipher } from '../../application/ports/personal-data-cipher.js';
import type { ReadModelWaiter } from '../../application/ports/read-model-waiter.js';
import type { Scheduler } from '../../application/ports/scheduler.js';
import type { Config } from '../../infrastructure/config/config.js';
import type { Logger } from '../../infrastructure/logging/logger.js';

/** What the shop owner's dashboard routes (connections, catalog, sync, VK catalog) are given. */
export interface DashboardDeps {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  eventStore: EventStore;
  commands: CommandHandler;
  cipher: PersonalDataCipher;
  scheduler: Scheduler;
  /** external calls made from pages (connection tests, VK login) are logged too */
  apiLog?: ApiRequestLog;
  /** waits (bounded) until the named projections reached a position: read your own writes */
  readModel: ReadModelWaiter;
  accounts: Accounts;
}
