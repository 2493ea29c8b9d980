import type { Migration } from '../migrate.js';
import { events } from './0001-events.js';
import { projectionCheckpoints } from './0002-projection-checkpoints.js';
import { apiRequestLog } from './0020-api-request-log.js';
import { cachedStoresMigration } from '../../../../projections/cached-stores/migration.js';
import { cachedGroupsMigration } from '../../../../projections/cached-groups/migration.js';
import { cachedProductsMigration } from '../../../../projections/cached-products/migration.js';
import { accounts } from './0100-accounts.js';
import { usersMigration } from '../../../../projections/users/migration.js';
import { rolesMigration } from '../../../../projections/roles/migration.js';
import { auditLogMigration } from '../../../../projections/audit-log/migration.js';
import { connectionsMigration } from '../../../../projections/connections/migration.js';
import { syncConfigsMigration } from '../../../../projections/sync-configs/migration.js';
import { vkCatalogMigration } from '../../../../projections/vk-catalog/migration.js';
import { vkMirrorMigration } from '../../../../projections/vk-mirror/migration.js';
import { syncLagMigration } from '../../../../projections/sync-lag/migration.js';
import { catalogBrowserIndexes } from './0060-catalog-browser-indexes.js';
import { readTableWidths } from './0110-read-table-widths.js';
import { projectionFailures } from './0111-projection-failures.js';
import { auditOutcomesIndex } from './0160-audit-outcomes-index.js';
import { snapshots } from './0120-snapshots.js';
import { syncProgressMigration } from '../../../../projections/sync-progress/migration.js';
import { userTimeZone } from './0170-user-time-zone.js';
import { auditLogPositionKey } from './0180-audit-log-position-key.js';

/**
 * Every table's migration, in one list. Number ranges per area keep parallel work apart:
 * 0001–0019 foundation (events, checkpoints, locks), 0020–0039 external API log and clients,
 * 0040–0099 read models (projections), 0100+ accounts, sessions, web.
 */
export const migrations: Migration[] = [
  events,
  projectionCheckpoints,
  apiRequestLog,
  cachedStoresMigration,
  cachedGroupsMigration,
  cachedProductsMigration,
  accounts,
  usersMigration,
  rolesMigration,
  auditLogMigration,
  connectionsMigration,
  syncConfigsMigration,
  vkCatalogMigration,
  vkMirrorMigration,
  syncLagMigration,
  catalogBrowserIndexes,
  readTableWidths,
  projectionFailures,
  snapshots,
  auditOutcomesIndex,
  syncProgressMigration,
  userTimeZone,
  auditLogPositionKey,
];
