import type { Migration } from '../migrate.js';

/**
 * The /sync page's recent pushes group the mirror stream's outcome events by run (correlation
 * id). Through `audit_stream` every such event was a lookup of its whole row (with its data):
 * 250 ms for an owner with a thousand items pushed, growing with every push. This index holds
 * all the query reads, so it walks index entries only (5 ms; `npm run bench:web`).
 */
export const auditOutcomesIndex: Migration = {
  name: '0160-audit-outcomes-index',
  async up({ sequelize }) {
    await sequelize.query(
      `CREATE INDEX IF NOT EXISTS audit_stream_outcomes
         ON audit_log (stream_id, type, correlation_id, position, occurred_at)`,
    );
  },
  async down({ sequelize }) {
    await sequelize.query('DROP INDEX IF EXISTS audit_stream_outcomes ON audit_log');
  },
};
