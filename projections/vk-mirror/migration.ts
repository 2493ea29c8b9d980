import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * What EvoSync pushed to each user's VK market. `vk_mirror_items` is keyed like the products
 * it mirrors, (user_id, product_id) with the same binary collation as `cached_products`, so the
 * dashboard joins the two on that primary key; `pushed` is the last pushed item as JSON (the
 * domain's own fold runs on it), `price_kopecks` and `name` are copied out for display and are
 * null while an adopted item's content is unknown. `vk_mirror_status` is one row per user with
 * the pause (captcha), the last failure and running totals of push outcomes.
 */
export const vkMirrorMigration: Migration = {
  name: '0053-vk-mirror',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_mirror_items (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        product_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        item_id BIGINT NULL,
        state VARCHAR(16) NOT NULL DEFAULT 'pending',
        pushed TEXT NULL,
        price_kopecks BIGINT NULL,
        name VARCHAR(512) NULL,
        pending_request_id VARCHAR(128) NULL,
        requests INT NOT NULL DEFAULT 0,
        last_error TEXT NULL,
        last_error_at DATETIME(3) NULL,
        updated_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, product_id),
        KEY vk_mirror_items_item (user_id, item_id),
        KEY vk_mirror_items_state (user_id, state)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_mirror_albums (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        group_key VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        album_id BIGINT NOT NULL,
        title VARCHAR(512) NOT NULL DEFAULT '',
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, group_key),
        KEY vk_mirror_albums_album (user_id, album_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_mirror_status (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        paused TINYINT(1) NOT NULL DEFAULT 0,
        paused_at DATETIME(3) NULL,
        captcha_sid VARCHAR(128) NULL,
        captcha_img VARCHAR(2048) NULL,
        last_failure_at DATETIME(3) NULL,
        last_failure_method VARCHAR(64) NULL,
        last_failure_code INT NULL,
        last_failure_message TEXT NULL,
        created INT NOT NULL DEFAULT 0,
        adopted INT NOT NULL DEFAULT 0,
        updated INT NOT NULL DEFAULT 0,
        hidden INT NOT NULL DEFAULT 0,
        deleted INT NOT NULL DEFAULT 0,
        restored INT NOT NULL DEFAULT 0,
        failed INT NOT NULL DEFAULT 0,
        last_event_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL DEFAULT -1
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS vk_mirror_status');
    await sequelize.query('DROP TABLE IF EXISTS vk_mirror_albums');
    await sequelize.query('DROP TABLE IF EXISTS vk_mirror_items');
  },
};
