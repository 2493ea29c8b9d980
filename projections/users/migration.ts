import type { Migration } from '../../src/infrastructure/db/migrate.js';

/**
 * The users read model. Personal data is plaintext here (the admin list searches it) and is
 * deleted with the account; `deleted_users` remembers only the id, so a redelivered
 * registration cannot bring a deleted row back.
 */
export const usersMigration: Migration = {
  name: '0101-users',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS users (
        id CHAR(36) NOT NULL PRIMARY KEY,
        email VARCHAR(320) NOT NULL,
        name VARCHAR(200) NULL,
        phone VARCHAR(64) NULL,
        status VARCHAR(16) NOT NULL,
        role VARCHAR(32) NOT NULL,
        email_confirmed TINYINT(1) NOT NULL DEFAULT 0,
        invited TINYINT(1) NOT NULL DEFAULT 0,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        last_login_at DATETIME(3) NULL,
        last_revision BIGINT NOT NULL,
        KEY users_email (email),
        KEY users_status (status),
        KEY users_role (role)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS user_roles (
        user_id CHAR(36) NOT NULL,
        role VARCHAR(32) NOT NULL,
        PRIMARY KEY (user_id, role),
        KEY user_roles_role (role)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS deleted_users (
        id CHAR(36) NOT NULL PRIMARY KEY,
        deleted_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB`);
  },
  async down({ sequelize }) {
    for (const t of ['deleted_users', 'user_roles', 'users'])
      await sequelize.query(`DROP TABLE IF EXISTS ${t}`);
  },
};
