import type { Migration } from '../../src/infrastructure/db/migrate.js';

export const rolesMigration: Migration = {
  name: '0102-roles',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS roles (
        name VARCHAR(32) NOT NULL PRIMARY KEY,
        title VARCHAR(100) NOT NULL,
        last_revision BIGINT NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS permissions (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        title VARCHAR(200) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await sequelize.query(`
      CREATE TABLE IF NOT EXISTS role_permissions (
        role VARCHAR(32) NOT NULL,
        permission VARCHAR(64) NOT NULL,
        PRIMARY KEY (role, permission)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down({ sequelize }) {
    for (const t of ['role_permissions', 'permissions', 'roles'])
      await sequelize.query(`DROP TABLE IF EXISTS ${t}`);
  },
};
