import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * What EvoSync last saw in each user's VK market. Albums and items that disappeared from VK
 * stay as rows with `gone = 1` (a redelivered, older Observed cannot bring them back, and the
 * dashboard can tell "deleted in VK" from "never there"). `deleted` is VK's own flag on an item
 * that is still listed. The sku index finds the VK item of an Evotor product.
 */
export const vkCatalogMigration: Migration = {
  name: '0052-vk-catalog',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_cached_albums (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        album_id BIGINT NOT NULL,
        title VARCHAR(512) NOT NULL DEFAULT '',
        gone TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, album_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS vk_cached_products (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        item_id BIGINT NOT NULL,
        title VARCHAR(512) NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        price_kopecks BIGINT NOT NULL DEFAULT 0,
        availability TINYINT NOT NULL DEFAULT 0,
        sku VARCHAR(64) COLLATE utf8mb4_bin NOT NULL DEFAULT '',
        stock_amount BIGINT NOT NULL DEFAULT 0,
        album_ids TEXT NOT NULL DEFAULT '[]',
        deleted TINYINT(1) NOT NULL DEFAULT 0,
        gone TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, item_id),
        KEY vk_cached_products_sku (user_id, sku)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS vk_cached_products');
    await sequelize.query('DROP TABLE IF EXISTS vk_cached_albums');
  },
};
