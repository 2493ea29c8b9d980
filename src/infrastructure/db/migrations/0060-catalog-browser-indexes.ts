import type { Migration } from '../migrate.js';

const INDEXES = [
  ['cached_products_live_name', 'name'],
  ['cached_products_live_price', 'price_kopecks'],
  ['cached_products_live_article', 'article_number'],
] as const;

/**
 * The catalog browser pages products of one store in name, price or article order, live rows
 * only. With `removed` in the key (and the primary key's product_id implied at the end) the
 * page's id subquery and the count read the index alone: a deep page walks index entries
 * instead of looking up every skipped row to check its tombstone flag.
 */
export const catalogBrowserIndexes: Migration = {
  name: '0060-catalog-browser-indexes',
  async up({ sequelize }) {
    for (const [name, column] of INDEXES) {
      await sequelize.query(
        `CREATE INDEX IF NOT EXISTS ${name} ON cached_products (user_id, store_id, removed, ${column})`,
      );
    }
  },
  async down({ sequelize }) {
    for (const [name] of INDEXES) {
      await sequelize.query(`DROP INDEX IF EXISTS ${name} ON cached_products`);
    }
  },
};
