import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes, type Sequelize } from 'sequelize';
import { auditLogMigration } from '../../projections/audit-log/migration.js';
import { auditOutcomesIndex } from '../../src/infrastructure/db/migrations/0160-audit-outcomes-index.js';
import { auditLogPositionKey } from '../../src/infrastructure/db/migrations/0180-audit-log-position-key.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { createTestDatabase } from '../support/mariadb.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;

beforeAll(async () => {
  db = await createTestDatabase('audit_log_key');
  sequelize = createSequelize(db.url);
  // The audit log as the earlier migrations left it, with rows in it.
  const context = { queryInterface: sequelize.getQueryInterface(), sequelize };
  await auditLogMigration.up(context);
  await auditOutcomesIndex.up(context);
  for (const position of [3, 1, 2]) await insert(`e-${position}`, position);
});
afterAll(async () => {
  await sequelize?.close();
  await db?.drop();
});

function insert(eventId: string, position: number) {
  return sequelize.query(
    `INSERT IGNORE INTO audit_log (event_id, position, prepare, stream_id, revision, type, actor,
       occurred_at, data, metadata)
     VALUES (?, ?, ?, 'catalog-u-s', ?, 'ProductAdded', 'system', UTC_TIMESTAMP(3), '{}', '{}')`,
    { replacements: [eventId, position, position, position] },
  );
}

const keyColumns = async (key: string) =>
  (
    await sequelize.query<{ name: string }>(
      `SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_log' AND INDEX_NAME = ?
        ORDER BY SEQ_IN_INDEX`,
      { replacements: [key], type: QueryTypes.SELECT },
    )
  ).map((row) => row.name);

describe('0180: the audit log keyed by position', () => {
  it('keeps every row, clusters them by position and keeps event ids unique; a second run changes nothing', async () => {
    const context = { queryInterface: sequelize.getQueryInterface(), sequelize };
    await auditLogPositionKey.up(context);
    await auditLogPositionKey.up(context);

    expect(await keyColumns('PRIMARY')).toEqual(['position', 'prepare']);
    expect(await keyColumns('audit_event_id')).toEqual(['event_id']);
    expect(await keyColumns('audit_position')).toEqual([]);
    expect(await keyColumns('audit_stream_outcomes')).toEqual([
      'stream_id',
      'type',
      'correlation_id',
      'position',
      'occurred_at',
    ]);

    // A replayed batch: the same event (id and position) is skipped, not doubled.
    await insert('e-2', 2);
    await insert('e-4', 4);
    const rows = await sequelize.query<{ event_id: string }>(
      'SELECT event_id FROM audit_log ORDER BY position',
      { type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => r.event_id)).toEqual(['e-1', 'e-2', 'e-3', 'e-4']);
  });
});
