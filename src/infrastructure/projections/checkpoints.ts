import type { Connection as CallbackConnection } from 'mysql2';
import { QueryTypes, Sequelize, type Transaction } from 'sequelize';
import type { Position, RecordedEvent } from '../../application/ports/event-store.js';
import type { Projection, ProjectionTx } from '../../application/projections/projection.js';
import { withTuples } from '../db/sql-literal.js';
import { fitText } from './column-fit.js';

export type CheckpointStatus = 'live' | 'rebuilding';

export interface Checkpoint {
  name: string;
  version: number;
  position: Position;
  status: CheckpointStatus;
  failure: ProjectionFailure | null;
}

/** Why a projection does not go on, as the runner last recorded it (see recordFailure). */
export interface ProjectionFailure {
  error: string;
  /** the event it cannot apply; null when the failure is not tied to one (database down) */
  event: { id: string; type: string; streamId: string; position: Position } | null;
  /** failures in a row on the same event (or without one) */
  attempts: number;
  since: Date;
  lastFailedAt: Date;
  nextRetryAt: Date | null;
}

export const FAILURE_COLUMNS = `last_error, failing_event_id, failing_event_type, failing_stream_id,
  failing_commit, failing_prepare, attempts, failing_since, last_failed_at, next_retry_at`;

export interface FailureRow {
  last_error: string | null;
  failing_event_id: string | null;
  failing_event_type: string | null;
  failing_stream_id: string | null;
  failing_commit: number | string | null;
  failing_prepare: number | string | null;
  attempts: number | string;
  failing_since: Date | string | null;
  last_failed_at: Date | string | null;
  next_retry_at: Date | string | null;
}

/** The columns are DATETIME in UTC; the driver may hand them back as Dates or strings. */
const utc = (v: Date | string) => (v instanceof Date ? v : new Date(`${v.replace(' ', 'T')}Z`));

export function failureOf(row: FailureRow): ProjectionFailure | null {
  if (row.last_error === null) return null;
  return {
    error: row.last_error,
    event:
      row.failing_event_id === null
        ? null
        : {
            id: row.failing_event_id,
            type: row.failing_event_type ?? '',
            streamId: row.failing_stream_id ?? '',
            position: { commit: Number(row.failing_commit), prepare: Number(row.failing_prepare) },
          },
    attempts: Number(row.attempts),
    since: utc(row.failing_since ?? row.last_failed_at ?? new Date()),
    lastFailedAt: utc(row.last_failed_at ?? new Date()),
    nextRetryAt: row.next_retry_at === null ? null : utc(row.next_retry_at),
  };
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
  const rows = await sequelize.query<
    {
      version: number;
      commit_position: number;
      prepare_position: number;
      status: CheckpointStatus;
    } & FailureRow
  >(
    `SELECT version, commit_position, prepare_position, status, ${FAILURE_COLUMNS}
       FROM projection_checkpoints WHERE name = ?`,
    { replacements: [name], type: QueryTypes.SELECT },
  );
  const row = rows[0];
  if (!row) return null;
  return {
    name,
    version: Number(row.version),
    position: { commit: Number(row.commit_position), prepare: Number(row.prepare_position) },
    status: row.status,
    failure: failureOf(row),
  };
}

export function projectionTx(
  sequelize: Sequelize,
  transaction: Transaction,
  eventsTable?: string | null,
): ProjectionTx {
  return {
    sequelize,
    transaction,
    ...(eventsTable ? { eventsTable } : {}),
    async query<T>(sql: string, replacements?: unknown[]): Promise<T[]> {
      const isSelect = /^\s*SELECT/i.test(sql);
      const result = await sequelize.query(sql, {
        transaction,
        ...(replacements ? { replacements } : {}),
        ...(isSelect ? { type: QueryTypes.SELECT } : { raw: true }),
      });
      return (isSelect ? result : [result[0]]) as T[];
    },
    // Straight to the driver on the transaction's own connection, as text built here:
    // Sequelize would scan the whole statement (megabytes for a batch) for placeholders and
    // statement kinds, and the driver's escaper rebuilds every JSON text (see sql-literal).
    async insertRows(sql, rows) {
      if (rows.length === 0) return;
      const { connection } = transaction as unknown as { connection: CallbackConnection };
      await connection.promise().query(withTuples(sql, rows));
    },
  };
}

/**
 * Runs the projection's handler over one batch and moves the checkpoint to `through` (the last
 * event read, which may be past the last handled one) in the same transaction. `fence` runs
 * first inside that transaction and throws when this process no longer owns the projection.
 * With `clearFailure`, a recorded failure the batch got past is cleared with it.
 */
export async function commitBatch(
  sequelize: Sequelize,
  projection: Projection,
  events: RecordedEvent[],
  through: Position,
  options: {
    fence?: (tx: ProjectionTx) => Promise<void>;
    clearFailure?: boolean;
    /** the table the events are rows of in this database, if they are (see ProjectionTx) */
    eventsTable?: string | null;
  } = {},
): Promise<void> {
  const { fence, clearFailure = false, eventsTable } = options;
  await sequelize.transaction(async (transaction) => {
    const tx = projectionTx(sequelize, transaction, eventsTable);
    if (fence) await fence(tx);
    if (events.length > 0) await projection.handle(events, tx);
    await tx.query(
      `UPDATE projection_checkpoints
          SET commit_position = ?, prepare_position = ?, updated_at = UTC_TIMESTAMP(6)
        WHERE name = ?`,
      [through.commit, through.prepare, projection.name],
    );
    if (clearFailure) await clearFailureThrough(tx, projection.name, through);
  });
}

/** Clears a recorded failure the checkpoint has got past (or one not tied to an event). */
export async function clearFailureThrough(
  db: ProjectionTx | Sequelize,
  name: string,
  through: Position,
): Promise<void> {
  const sql = `UPDATE projection_checkpoints SET ${CLEARED}
    WHERE name = ? AND last_error IS NOT NULL
      AND (failing_commit IS NULL OR (failing_commit, failing_prepare) <= (?, ?))`;
  const replacements = [name, through.commit, through.prepare];
  if (db instanceof Sequelize) await db.query(sql, { replacements });
  else await db.query(sql, replacements);
}

const CLEARED = `last_error = NULL, failing_event_id = NULL, failing_event_type = NULL,
  failing_stream_id = NULL, failing_commit = NULL, failing_prepare = NULL, attempts = 0,
  failing_since = NULL, last_failed_at = NULL, next_retry_at = NULL`;

/**
 * Notes a failed attempt outside the failed transaction, so every process can show it. Attempts
 * count up while the failure stays on the same event (or stays without one), and the delay
 * before the next attempt doubles with them: it is kept here, not in one runner, so that a
 * second worker taking the projection over waits as long (see `retryDue`). Returns the delay.
 */
export async function recordFailure(
  sequelize: Sequelize,
  name: string,
  failure: {
    error: string;
    event: RecordedEvent | null;
    backoff: { initialMs: number; maxMs: number };
  },
): Promise<{ attempts: number; retryInMs: number }> {
  const e = failure.event;
  const { initialMs, maxMs } = failure.backoff;
  await sequelize.query(
    // Assignments run left to right: attempts and since compare with the previous event id,
    // and the delay uses the attempts just counted.
    `UPDATE projection_checkpoints
        SET attempts = IF(failing_event_id <=> ?, attempts + 1, 1),
            failing_since = IF(failing_event_id <=> ? AND failing_since IS NOT NULL,
                               failing_since, UTC_TIMESTAMP(6)),
            failing_event_id = ?, failing_event_type = ?, failing_stream_id = ?,
            failing_commit = ?, failing_prepare = ?, last_error = ?,
            last_failed_at = UTC_TIMESTAMP(6),
            next_retry_at = UTC_TIMESTAMP(6)
              + INTERVAL FLOOR(LEAST(?, ? * POW(2, LEAST(attempts, 40) - 1)) * 1000) MICROSECOND
      WHERE name = ?`,
    {
      replacements: [
        e?.id ?? null,
        e?.id ?? null,
        e ? fitText(e.id, { chars: 64 }) : null,
        e ? fitText(e.type, { chars: 128 }) : null,
        e ? fitText(e.streamId, { chars: 255 }) : null,
        e?.position.commit ?? null,
        e?.position.prepare ?? null,
        fitText(failure.error || 'unknown error', { bytes: 65_535 }),
        maxMs,
        initialMs,
        name,
      ],
    },
  );
  const [row] = await sequelize.query<{ attempts: number; wait_us: number | null }>(
    `SELECT attempts, TIMESTAMPDIFF(MICROSECOND, last_failed_at, next_retry_at) AS wait_us
       FROM projection_checkpoints WHERE name = ?`,
    { replacements: [name], type: QueryTypes.SELECT },
  );
  if (!row) throw new Error(`No checkpoint row for ${name}`);
  return { attempts: Number(row.attempts), retryInMs: Math.round(Number(row.wait_us) / 1000) };
}

/** False while a recorded failure's next attempt lies ahead: no worker retries before it. */
export async function retryDue(sequelize: Sequelize, name: string): Promise<boolean> {
  const [row] = await sequelize.query<{ due: number | null }>(
    `SELECT next_retry_at IS NULL OR next_retry_at <= UTC_TIMESTAMP(6) AS due
       FROM projection_checkpoints WHERE name = ?`,
    { replacements: [name], type: QueryTypes.SELECT },
  );
  return !row || Number(row.due) === 1;
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
       status = 'rebuilding', updated_at = VALUES(updated_at), ${CLEARED}`,
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
