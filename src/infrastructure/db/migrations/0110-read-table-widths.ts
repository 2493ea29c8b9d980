import type { Migration } from '../migrate.js';

/**
 * Read-table columns fed by Evotor and VK, sized for what those services really send (a unit
 * name of 40 characters stopped the catalog projection). Whatever is still longer is cut on
 * write by the projections (see column-fit.ts); columns holding JSON that is parsed back are
 * widened instead, since a cut would break them. The events always keep the whole value.
 */
const WIDER: Array<[table: string, column: string, type: string]> = [
  ['cached_products', 'measure_name', "VARCHAR(255) NOT NULL DEFAULT ''"],
  ['cached_products', 'article_number', "VARCHAR(255) NOT NULL DEFAULT ''"],
  ['cached_products', 'code', "VARCHAR(255) NOT NULL DEFAULT ''"],
  ['cached_products', 'tax', "VARCHAR(64) NOT NULL DEFAULT ''"],
  ['cached_products', 'product_type', "VARCHAR(128) NOT NULL DEFAULT 'NORMAL'"],
  ['cached_products', 'description', "MEDIUMTEXT NOT NULL DEFAULT ''"],
  ['cached_products', 'barcodes', "MEDIUMTEXT NOT NULL DEFAULT '[]'"],
  ['vk_cached_products', 'description', "MEDIUMTEXT NOT NULL DEFAULT ''"],
  ['vk_cached_products', 'album_ids', "MEDIUMTEXT NOT NULL DEFAULT '[]'"],
  ['vk_mirror_items', 'pushed', 'MEDIUMTEXT NULL'],
];

const BEFORE: Record<string, string> = {
  'cached_products.measure_name': "VARCHAR(32) NOT NULL DEFAULT ''",
  'cached_products.article_number': "VARCHAR(128) NOT NULL DEFAULT ''",
  'cached_products.code': "VARCHAR(64) NOT NULL DEFAULT ''",
  'cached_products.tax': "VARCHAR(32) NOT NULL DEFAULT ''",
  'cached_products.product_type': "VARCHAR(64) NOT NULL DEFAULT 'NORMAL'",
  'cached_products.description': "TEXT NOT NULL DEFAULT ''",
  'cached_products.barcodes': "TEXT NOT NULL DEFAULT '[]'",
  'vk_cached_products.description': "TEXT NOT NULL DEFAULT ''",
  'vk_cached_products.album_ids': "TEXT NOT NULL DEFAULT '[]'",
  'vk_mirror_items.pushed': 'TEXT NULL',
};

export const readTableWidths: Migration = {
  name: '0110-read-table-widths',
  async up({ sequelize }) {
    for (const table of new Set(WIDER.map(([t]) => t))) {
      const changes = WIDER.filter(([t]) => t === table).map(
        ([, column, type]) => `MODIFY ${column} ${type}`,
      );
      await sequelize.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
    }
  },
  async down({ sequelize }) {
    // Strict mode refuses to narrow a column over longer values: those are cut first (a replay
    // of the projection restores JSON columns whole from the events).
    for (const [table, column] of WIDER) {
      const before = BEFORE[`${table}.${column}`]!;
      const chars = /^VARCHAR\((\d+)\)/.exec(before)?.[1] ?? '16000';
      await sequelize.query(
        `UPDATE ${table} SET ${column} = LEFT(${column}, ${chars}) WHERE CHAR_LENGTH(${column}) > ${chars}`,
      );
    }
    for (const table of new Set(WIDER.map(([t]) => t))) {
      const changes = WIDER.filter(([t]) => t === table).map(
        ([, column]) => `MODIFY ${column} ${BEFORE[`${table}.${column}`]}`,
      );
      await sequelize.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
    }
  },
};
