import type { Migration } from '../migrate.js';

/**
 * One row per projection, written in the same transaction as the projection's rows. Status
 * `rebuilding` marks tables that are not complete yet (a replay in progress or interrupted).
 */
export const projectionCheckpoints: Migration = {
  name: '0002-projection-checkpoints',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name VARCHAR(100) NOT NULL PRIMARY KEY,
        version INT NOT NULL,
        commit_position BIGINT UNSIGNED NOT NULL DEFAULT 0,
        prepare_position BIGINT UNSIGNED NOT NULL DEFAULT 0,
        status ENUM('live', 'rebuilding') NOT NULL DEFAULT 'rebuilding',
        updated_at DATETIME(6) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS projection_checkpoints');
  },
};
