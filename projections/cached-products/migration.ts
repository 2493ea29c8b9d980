import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * Products of the Evotor catalog. Removed products stay as tombstones (`removed = 1`) so that a
 * redelivered, older ProductAdded cannot bring them back: the row's `last_revision` is newer.
 * Barcodes are searched through their own table (one row per barcode), which an index serves;
 * the JSON column keeps the list for display. Ids compare as bytes (utf8mb4_bin): cheaper keys
 * than a Unicode collation, and ids are case-sensitive anyway.
 */
export const cachedProductsMigration: Migration = {
  name: '0042-cached-products',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS cached_products (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        store_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        product_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        group_id VARCHAR(64) COLLATE utf8mb4_bin NULL,
        name VARCHAR(512) NOT NULL DEFAULT '',
        price_kopecks BIGINT NOT NULL DEFAULT 0,
        cost_price_kopecks BIGINT NOT NULL DEFAULT 0,
        quantity_milli BIGINT NOT NULL DEFAULT 0,
        measure_name VARCHAR(32) NOT NULL DEFAULT '',
        allow_to_sell TINYINT(1) NOT NULL DEFAULT 1,
        article_number VARCHAR(128) NOT NULL DEFAULT '',
        code VARCHAR(64) NOT NULL DEFAULT '',
        barcodes TEXT NOT NULL DEFAULT '[]',
        description TEXT NOT NULL DEFAULT '',
        product_type VARCHAR(64) NOT NULL DEFAULT 'NORMAL',
        tax VARCHAR(32) NOT NULL DEFAULT '',
        vk_item_id BIGINT NULL,
        removed TINYINT(1) NOT NULL DEFAULT 0,
        last_revision BIGINT NOT NULL DEFAULT -1,
        PRIMARY KEY (user_id, store_id, product_id),
        KEY cached_products_group_name (user_id, store_id, group_id, name),
        KEY cached_products_name (user_id, store_id, name),
        KEY cached_products_article (user_id, store_id, article_number)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS cached_product_barcodes (
        user_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        store_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        barcode VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
        product_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
        PRIMARY KEY (user_id, store_id, barcode, product_id),
        KEY cached_product_barcodes_product (user_id, store_id, product_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS cached_product_barcodes');
    await sequelize.query('DROP TABLE IF EXISTS cached_products');
  },
};
