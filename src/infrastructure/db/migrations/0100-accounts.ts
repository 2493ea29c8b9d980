import type { Migration } from '../migrate.js';

/**
 * Tables of the accounts module that are not read models: per-user encryption keys (outside
 * the event store, so that they can be destroyed) and web sessions (so logins survive restarts).
 */
export const accounts: Migration = {
  name: '0100-accounts',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS user_keys (
        owner_id VARCHAR(64) NOT NULL PRIMARY KEY,
        wrapped_key VARBINARY(128) NOT NULL,
        created_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS web_sessions (
        sid VARCHAR(128) NOT NULL PRIMARY KEY,
        user_id CHAR(36) NULL,
        expires_at DATETIME NOT NULL,
        data TEXT NOT NULL,
        KEY web_sessions_expires (expires_at),
        KEY web_sessions_user (user_id)
      ) ENGINE=InnoDB`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE IF EXISTS web_sessions');
    await sequelize.query('DROP TABLE IF EXISTS user_keys');
  },
};
