import type { Migration } from '../migrate.js';

/**
 * Snapshots of folded stream states for the MariaDB event store: one row per stream, replaced
 * as the stream grows. Beside `events`, never instead of it: nothing here is read by `$all`,
 * subscriptions or replay. `state` is gzip-compressed JSON (a 10,000-product catalog is about
 * 4 MB of JSON and 0.5 MB compressed, well under the 16 MB packet limit).
 */
export const snapshots: Migration = {
  name: '0120-snapshots',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS snapshots (
        stream_id VARCHAR(255) NOT NULL PRIMARY KEY,
        revision INT UNSIGNED NOT NULL,
        schema_version INT UNSIGNED NOT NULL,
        state LONGBLOB NOT NULL,
        created DATETIME(6) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS snapshots');
  },
};
