import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Position, RecordedEvent } from '../../application/ports/event-store.js';
import type { Projection, ProjectionTx } from '../../application/projections/projection.js';

export type CheckpointStatus = 'live' | 'rebuilding';

export interface Checkpoint {
  name: string;
  version: number;
  position: Position;
  status: CheckpointStatus;
}

export const lockName = (projection: string) => `evosync:projection:${projection}`;
/** Held by `evosync replay` while it wants or holds the projection: workers yield to it. */
export const replayLockName = (projection: string) => `evosync:projection:${projection}:replay`;

export function isStart(p: Position): boolean {
  return p.commit === 0 && p.prepare === 0;
}

export async function readCheckpoint(
  sequelize: Sequelize,
  name: string,
): Promise<Checkpoint | null> {
  const rows = await sequelize.query<{
    version: number;
    commit_position: number;
    prepare_position: number;
    status: CheckpointStatus;
  }>(
    'SELECT version, commit_position, prepare_position, status FROM projection_checkpoints WHERE name = ?',
    { replacements: [name], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null;
  return {
    name,
    version: Number(row.version),
    position: { commit: Number(row.commit_position), prepare: Number(row.prepare_position) },
    status: row.status,
  };
}

export function projectionTx(sequelize: Sequelize, transaction: Transaction): ProjectionTx {
  return {
    sequelize,
    transaction,
    async query<T>(sql: string, replacements?: unknown[]): Promise<T[]> {
      const isSelect = /^\s*SELECT/i.test(sql);
      const result = await sequelize.query(sql, {
        transaction,
        ...(replacements ? { replacements } : {}),
        ...(isSelect ? { type: QueryTypes.SELECT } : { raw: true }),
      });
      return (isSelect ? result : [result[0]]) as T[];
    },
  };
}

/**
 * Runs the projection's handler over one batch and moves the checkpoint to `through` (the last
 * event read, which may be past the last handled one) in the same transaction. `fence` runs
 * first inside that transaction and throws when this process no longer owns the projection.
 */
export async function commitBatch(
  sequelize: Sequelize,
  projection: Projection,
  events: RecordedEvent[],
  through: Position,
  fence?: (tx: ProjectionTx) => Promise<void>,
): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const tx = projectionTx(sequelize, transaction);
    if (fence) await fence(tx);
    if (events.length > 0) await projection.handle(events, tx);
    await tx.query(
      `UPDATE projection_checkpoints
          SET commit_position = ?, prepare_position = ?, updated_at = UTC_TIMESTAMP(6)
        WHERE name = ?`,
      [through.commit, through.prepare, projection.name],
    );
  });
}

/** Creates the projection's checkpoint row if missing (a new projection starts as a rebuild). */
export async function ensureCheckpoint(
  sequelize: Sequelize,
  projection: Projection,
): Promise<Checkpoint> {
  await sequelize.query(
    `INSERT IGNORE INTO projection_checkpoints (name, version, status, updated_at)
     VALUES (?, ?, 'rebuilding', UTC_TIMESTAMP(6))`,
    { replacements: [projection.name, projection.version] },
  );
  return (await readCheckpoint(sequelize, projection.name))!;
}

/**
 * Starts a rebuild from the first event. The checkpoint is reset before the tables are
 * truncated, and a rebuild that finds itself at the start truncates again (see
 * `prepareRebuild`), so a crash between the two steps cannot leave stale rows behind.
 */
export async function resetForRebuild(sequelize: Sequelize, projection: Projection): Promise<void> {
  await sequelize.query(
    `INSERT INTO projection_checkpoints (name, version, commit_position, prepare_position, status, updated_at)
     VALUES (?, ?, 0, 0, 'rebuilding', UTC_TIMESTAMP(6))
     ON DUPLICATE KEY UPDATE version = VALUES(version), commit_position = 0, prepare_position = 0,
       status = 'rebuilding', updated_at = VALUES(updated_at)`,
    { replacements: [projection.name, projection.version] },
  );
  await truncateTables(sequelize, projection);
}

/** A rebuild still at the first event may have been interrupted before its truncation. */
export async function prepareRebuild(
  sequelize: Sequelize,
  projection: Projection,
  checkpoint: Checkpoint,
): Promise<void> {
  if (isStart(checkpoint.position)) await truncateTables(sequelize, projection);
}

export async function truncateTables(sequelize: Sequelize, projection: Projection): Promise<void> {
  for (const table of projection.tables) {
    if (!/^[A-Za-z0-9_]+$/.test(table)) throw new Error(`Bad table name ${table}`);
    await sequelize.query(`TRUNCATE TABLE \`${table}\``);
  }
}

export async function markLive(sequelize: Sequelize, name: string): Promise<void> {
  await sequelize.query(
    `UPDATE projection_checkpoints SET status = 'live', updated_at = UTC_TIMESTAMP(6) WHERE name = ?`,
    { replacements: [name] },
  );
}
