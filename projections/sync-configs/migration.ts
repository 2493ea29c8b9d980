import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * The sync settings page and the pipeline's "who runs what" read these. `revision` is the
 * stream revision of `sync-config-{userId}` (every event of the stream moves it), so the form
 * can send it back as the expected revision. Cleared filter rules stay as rows with
 * `cleared = 1`: foldRows only upserts, and a tombstone also keeps a redelivered, older
 * SyncFilterRuleSet from bringing the rule back (its `last_revision` is newer).
 */
export const syncConfigsMigration: Migration = {
  name: '0051-sync-configs',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS sync_configs (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        is_enabled TINYINT(1) NOT NULL DEFAULT 0,
        confirmed_at DATETIME(3) NULL,
        price_multiplier VARCHAR(16) NOT NULL DEFAULT '1',
        refresh_catalog TINYINT(1) NOT NULL DEFAULT 1,
        refresh_vk_catalog TINYINT(1) NOT NULL DEFAULT 1,
        mirror_to_vk TINYINT(1) NOT NULL DEFAULT 1,
        status VARCHAR(32) NOT NULL DEFAULT 'not_configured',
        revision BIGINT NOT NULL DEFAULT -1,
        updated_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL DEFAULT -1,
        KEY sync_configs_status (status)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS sync_filters (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        entity_type VARCHAR(16) COLLATE utf8mb4_bin NOT NULL,
        entity_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        entity_name VARCHAR(512) NOT NULL DEFAULT '',
        filter_mode VARCHAR(16) NOT NULL DEFAULT 'include',
        parent_entity_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
        created_at DATETIME(3) NULL,
        cleared TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, entity_type, entity_id),
        KEY sync_filters_live (user_id, cleared, entity_type, entity_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS sync_filters');
    await sequelize.query('DROP TABLE IF EXISTS sync_configs');
  },
};
