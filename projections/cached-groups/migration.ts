import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * Product groups. GroupRemoved keeps the row as a tombstone (`removed = 1`): deleting it would
 * let a redelivered, older GroupAdded bring it back, since nothing would remember the revision.
 */
export const cachedGroupsMigration: Migration = {
  name: '0041-cached-groups',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS cached_groups (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        store_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        group_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        parent_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
        name VARCHAR(512) NOT NULL,
        removed TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL,
        PRIMARY KEY (user_id, store_id, group_id),
        KEY cached_groups_parent_name (user_id, store_id, parent_id, name)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS cached_groups');
  },
};
