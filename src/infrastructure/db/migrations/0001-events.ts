import type { Migration } from '../migrate.js';

/**
 * The MariaDB event store: global position = commit order (see mariadb-event-store.ts).
 * `position` is the clustered primary key, so reading `$all` is a primary-key range scan.
 * Binary collation: stream and type prefixes compare case-sensitively, as in JavaScript.
 */
export const events: Migration = {
  name: '0001-events',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS events (
        position BIGINT UNSIGNED NOT NULL PRIMARY KEY,
        stream_id VARCHAR(255) NOT NULL,
        revision INT UNSIGNED NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        type VARCHAR(128) NOT NULL,
        data LONGTEXT NOT NULL,
        metadata MEDIUMTEXT NOT NULL,
        created DATETIME(6) NOT NULL,
        UNIQUE KEY events_stream_revision (stream_id, revision),
        UNIQUE KEY events_event_id (event_id),
        KEY events_type (type, position)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS events');
  },
};
