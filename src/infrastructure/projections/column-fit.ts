import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { ProjectionTx } from '../../application/projections/projection.js';

/** How much a text column holds: VARCHAR/CHAR count characters, the TEXT types bytes. */
export interface ColumnLimit {
  chars?: number;
  bytes?: number;
}

export type ColumnLimits = Map<string, ColumnLimit>;

const cache = new WeakMap<Sequelize, Map<string, Promise<ColumnLimits>>>();

/**
 * The text columns of a read table and their sizes, read once per process from the live
 * schema: a value from Evotor or VK is cut to what the column holds today, so a later migration
 * that widens a column takes effect without touching the projections.
 */
export function columnLimits(tx: ProjectionTx, table: string): Promise<ColumnLimits> {
  let tables = cache.get(tx.sequelize);
  if (!tables) cache.set(tx.sequelize, (tables = new Map()));
  let limits = tables.get(table);
  if (!limits) {
    limits = readLimits(tx, table);
    tables.set(table, limits);
    // A failed read (the transaction aborted, say) is not remembered.
    limits.catch(() => tables.delete(table));
  }
  return limits;
}

async function readLimits(tx: ProjectionTx, table: string): Promise<ColumnLimits> {
  const rows = await tx.query<{
    name: string;
    type: string;
    chars: number | string | null;
    bytes: number | string | null;
  }>(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS chars,
            CHARACTER_OCTET_LENGTH AS bytes
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
    [table],
  );
  const limits: ColumnLimits = new Map();
  for (const row of rows) {
    if (row.chars === null) continue;
    const type = row.type.toLowerCase();
    limits.set(
      row.name,
      type === 'varchar' || type === 'char'
        ? { chars: Number(row.chars) }
        : { bytes: Number(row.bytes ?? row.chars) },
    );
  }
  return limits;
}

const ELLIPSIS = '…';

/**
 * Cuts a display value to the column, marking the cut with an ellipsis. The event keeps the
 * whole value; only the read table shows less of it.
 */
export function fitText(value: string, limit: ColumnLimit | undefined): string {
  if (!limit || !tooLong(value, limit)) return value;
  let cut = value;
  if (limit.chars !== undefined)
    cut = Array.from(value)
      .slice(0, limit.chars - 1)
      .join('');
  if (limit.bytes !== undefined) cut = cutBytes(cut, limit.bytes - Buffer.byteLength(ELLIPSIS));
  return cut + ELLIPSIS;
}

/** The longest prefix of whole characters within `bytes` bytes of UTF-8. */
function cutBytes(value: string, bytes: number): string {
  const buffer = Buffer.from(value);
  if (buffer.length <= bytes) return value;
  let end = Math.max(0, bytes);
  // 10xxxxxx is the inside of a character: step back to where one starts.
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString();
}

/**
 * An identifier that does not fit its key column: a cut alone could make two ids equal, so the
 * tail is replaced by a hash of the whole id. The same id always maps to the same key.
 */
export function fitKey(value: string, limit: ColumnLimit | undefined): string {
  if (!limit || !tooLong(value, limit)) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 16);
  const points = Array.from(value);
  let keep = Math.max(0, Math.min(points.length, (limit.chars ?? Infinity) - hash.length - 1));
  const key = () => `${points.slice(0, keep).join('')}~${hash}`;
  while (keep > 0 && tooLong(key(), limit)) keep--;
  return key();
}

function tooLong(value: string, limit: ColumnLimit): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8 and at least a part of one character: most values
  // are told apart without counting.
  if (value.length <= (limit.chars ?? Infinity) && value.length * 3 <= (limit.bytes ?? Infinity)) {
    return false;
  }
  if (limit.chars !== undefined && value.length > limit.chars) {
    // length counts UTF-16 units; the column counts characters
    if (Array.from(value).length > limit.chars) return true;
  }
  return limit.bytes !== undefined && Buffer.byteLength(value) > limit.bytes;
}
