import type { Migration } from '../migrate.js';

/**
 * The zone a user's pages show times in (`UserTimeZoneChanged`, projected by `users`): an
 * IANA id, NULL until the user chooses one (the site's default zone, Moscow, applies).
 */
export const userTimeZone: Migration = {
  name: '0170-user-time-zone',
  async up({ sequelize }) {
    await sequelize.query('ALTER TABLE users ADD COLUMN IF NOT EXISTS time_zone VARCHAR(64) NULL');
  },
  async down({ sequelize }) {
    await sequelize.query('ALTER TABLE users DROP COLUMN IF EXISTS time_zone');
  },
};
