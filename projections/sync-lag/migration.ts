import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * Evotor changes not yet in VK: one row per product of a user, with when its oldest change not
 * yet pushed was recorded. A push that completes removes the rows of the products it covered
 * (see projections/sync-lag).
 */
export const syncLagMigration: Migration = {
  name: '0054-sync-lag',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS sync_lag_pending (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        product_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        changed_at DATETIME(3) NOT NULL,
        PRIMARY KEY (user_id, product_id),
        KEY sync_lag_pending_changed (user_id, changed_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS sync_lag_pending');
  },
};
