import type { Migration } from '../migrate.js';

/**
 * The audit log clustered by the event's position instead of its id. Every event of the store
 * is copied here, and a random UUID as the primary key put each row on a random page of a
 * table larger than the buffer pool; every secondary index carried that 36-character key too.
 * By position, rows are appended at the end of the table and the indexes hold 16 bytes per
 * row. The event id stays unique (INSERT IGNORE of a replayed batch, the detail page).
 * Rebuilds the table once: on a large audit log, run it when the worker may pause a while.
 */
export const auditLogPositionKey: Migration = {
  name: '0180-audit-log-position-key',
  async up({ sequelize }) {
    const [rows] = await sequelize.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_log'
          AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
    );
    if ((rows as Array<{ name: string }>)[0]?.name === 'position') return;
    await sequelize.query(
      `ALTER TABLE audit_log
         DROP PRIMARY KEY,
         ADD PRIMARY KEY (position, prepare),
         ADD UNIQUE KEY audit_event_id (event_id),
         DROP KEY audit_position`,
    );
  },
  async down({ sequelize }) {
    await sequelize.query(
      `ALTER TABLE audit_log
         DROP PRIMARY KEY,
         ADD PRIMARY KEY (event_id),
         DROP KEY audit_event_id,
         ADD KEY audit_position (position, prepare)`,
    );
  },
};
