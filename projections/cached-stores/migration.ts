import type { Migration } from '../../src/infrastructure/db/migrate.js';

/** Evotor stores of each user; a lost store keeps its row with `lost = 1`. */
export const cachedStoresMigration: Migration = {
  name: '0040-cached-stores',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS cached_stores (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        store_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        name VARCHAR(512) NOT NULL,
        address VARCHAR(1024) NOT NULL DEFAULT '',
        access VARCHAR(32) NOT NULL DEFAULT 'ok',
        lost TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL,
        PRIMARY KEY (user_id, store_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS cached_stores');
  },
};
