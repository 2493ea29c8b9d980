import type { Migration } from '../../src/infrastructure/db/migrate.js';

/** Every event, for the admin audit viewer; personal data and secrets are left out. */
export const auditLogMigration: Migration = {
  name: '0103-audit-log',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS audit_log (
        event_id CHAR(36) NOT NULL PRIMARY KEY,
        position BIGINT UNSIGNED NOT NULL,
        prepare BIGINT UNSIGNED NOT NULL,
        stream_id VARCHAR(255) NOT NULL,
        revision INT UNSIGNED NOT NULL,
        type VARCHAR(128) NOT NULL,
        actor VARCHAR(64) NOT NULL,
        correlation_id VARCHAR(64) NULL,
        causation_id VARCHAR(64) NULL,
        occurred_at DATETIME(3) NOT NULL,
        data MEDIUMTEXT NOT NULL,
        metadata TEXT NOT NULL,
        KEY audit_position (position, prepare),
        KEY audit_actor (actor, position),
        KEY audit_stream (stream_id, position),
        KEY audit_type (type, position),
        KEY audit_occurred (occurred_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS audit_log');
  },
};
