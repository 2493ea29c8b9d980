import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * The push under way (or the last one) per user, for the live progress on /sync and in the
 * demo: what its plan said it would do and how many item outcomes have been recorded since.
 */
export const syncProgressMigration: Migration = {
  name: '0200-sync-progress',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS sync_push_progress (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        push_id VARCHAR(64) NOT NULL,
        started_at DATETIME(3) NOT NULL,
        planned_create INT NOT NULL DEFAULT 0,
        planned_update INT NOT NULL DEFAULT 0,
        planned_hide INT NOT NULL DEFAULT 0,
        planned_delete INT NOT NULL DEFAULT 0,
        done INT NOT NULL DEFAULT 0,
        failed INT NOT NULL DEFAULT 0,
        first_outcome_at DATETIME(3) NULL,
        last_outcome_at DATETIME(3) NULL,
        finished_at DATETIME(3) NULL,
        outcome VARCHAR(16) NULL,
        last_revision BIGINT NOT NULL DEFAULT -1
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS sync_push_progress');
  },
};
