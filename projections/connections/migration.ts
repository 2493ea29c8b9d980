import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * Connection state per user, for pages and for choosing who the pipeline syncs. Tokens are not
 * here: they stay encrypted in the account streams and are decrypted only by the jobs.
 */
export const connectionsMigration: Migration = {
  name: '0050-connections',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS evotor_connections (
        user_id VARCHAR(64) NOT NULL PRIMARY KEY,
        evotor_user_id VARCHAR(64) NULL,
        linked_via VARCHAR(16) NULL,
        has_token TINYINT(1) NOT NULL DEFAULT 0,
        healthy TINYINT(1) NULL,
        health_reason VARCHAR(512) NULL,
        updated_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL,
        KEY evotor_connections_evotor_user (evotor_user_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_connections (
        user_id VARCHAR(64) NOT NULL PRIMARY KEY,
        connected TINYINT(1) NOT NULL DEFAULT 0,
        vk_user_id BIGINT NULL,
        vk_user_name VARCHAR(255) NULL,
        group_id BIGINT NULL,
        group_name VARCHAR(255) NULL,
        token_kind VARCHAR(16) NULL,
        healthy TINYINT(1) NULL,
        health_reason VARCHAR(512) NULL,
        updated_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS evotor_connections');
    await sequelize.query('DROP TABLE IF EXISTS vk_connections');
  },
};
