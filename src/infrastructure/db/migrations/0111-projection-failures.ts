import type { Migration } from '../migrate.js';

/**
 * What a projection that cannot go on is stuck on, so that any process (the web's /health and
 * admin page) can tell: the event it failed on, the error, how often it has tried and when it
 * tries next. Cleared by the commit that gets past that event. `failing_*` columns stay NULL
 * for failures not tied to one event (the store or the database unreachable).
 */
export const projectionFailures: Migration = {
  name: '0111-projection-failures',
  async up({ sequelize }) {
    await sequelize.query(`
      ALTER TABLE projection_checkpoints
        ADD COLUMN IF NOT EXISTS last_error TEXT NULL,
        ADD COLUMN IF NOT EXISTS failing_event_id VARCHAR(64) NULL,
        ADD COLUMN IF NOT EXISTS failing_event_type VARCHAR(128) NULL,
        ADD COLUMN IF NOT EXISTS failing_stream_id VARCHAR(255) NULL,
        ADD COLUMN IF NOT EXISTS failing_commit BIGINT UNSIGNED NULL,
        ADD COLUMN IF NOT EXISTS failing_prepare BIGINT UNSIGNED NULL,
        ADD COLUMN IF NOT EXISTS attempts INT NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS failing_since DATETIME(6) NULL,
        ADD COLUMN IF NOT EXISTS last_failed_at DATETIME(6) NULL,
        ADD COLUMN IF NOT EXISTS next_retry_at DATETIME(6) NULL`);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      ALTER TABLE projection_checkpoints
        DROP COLUMN IF EXISTS last_error, DROP COLUMN IF EXISTS failing_event_id,
        DROP COLUMN IF EXISTS failing_event_type, DROP COLUMN IF EXISTS failing_stream_id,
        DROP COLUMN IF EXISTS failing_commit, DROP COLUMN IF EXISTS failing_prepare,
        DROP COLUMN IF EXISTS attempts, DROP COLUMN IF EXISTS failing_since,
        DROP COLUMN IF EXISTS last_failed_at, DROP COLUMN IF EXISTS next_retry_at`);
  },
};
