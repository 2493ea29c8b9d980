import type { ProjectionTx } from '../../application/projections/projection.js';
import { sqlLiteral } from '../db/sql-literal.js';
import { columnLimits, fitKey, fitText, type ColumnLimits } from './column-fit.js';

export type Cell = string | number | null;
export type Row = Record<string, Cell | undefined>;

/**
 * A read table whose rows are each written by one event stream, so the stream revision of the
 * last event applied (`last_revision`) orders every write to a row on every adapter (on
 * EventStoreDB the events of one append share a commit position; revisions never collide).
 */
export interface KeyedTable {
  table: string;
  /** primary key columns; all but the last select a scope (e.g. user and store) */
  key: string[];
  /** the other columns, without `last_revision` */
  columns: string[];
  /**
   * Columns the changes need to see (default: all). With fewer, a row holds only those plus
   * what the changes set, and only those columns are written back: an update of one price
   * neither reads nor sends the rest of the row. Every column then needs a default.
   */
  load?: string[];
  /**
   * Columns whose value must be kept whole (JSON that is parsed back): never cut to the
   * column, so their columns are sized for anything an event can hold.
   */
  whole?: string[];
}

/** One event's effect on one row: returns the new row, or null when it changes nothing. */
export interface RowChange {
  key: Cell[];
  revision: number;
  apply(row: Row | null): Row | null;
}

const LOAD_CHUNK = 1000;
const WRITE_CHUNK = 1000;

export function rowKey(values: Cell[]): string {
  return values.map((v) => String(v)).join('\u0001');
}

/**
 * Applies a batch's changes: loads the rows they touch, folds the changes in order (skipping
 * any whose revision the row has already seen: that is what makes redelivery harmless),
 * then writes the changed rows with multi-row upserts. Returns the changed rows with what
 * they were before the batch.
 */
export async function foldRows(
  tx: ProjectionTx,
  spec: KeyedTable,
  changes: RowChange[],
): Promise<Array<{ before: Row | null; after: Row }>> {
  if (changes.length === 0) return [];
  // Values from Evotor and VK can be longer than a column: keys are made to fit (the same way
  // on every read and write), other text is cut on write, so one odd value cannot stop a
  // projection. The events keep every value whole.
  const limits = await columnLimits(tx, spec.table);
  changes = changes.map((c) => ({ ...c, key: fitKeyCells(spec, limits, c.key) }));
  const current = await loadRows(
    tx,
    spec,
    changes.map((c) => c.key),
  );
  const before = new Map<string, Row | null>();
  for (const change of changes) {
    const id = rowKey(change.key);
    const row = current.get(id) ?? null;
    if (row && Number(row.last_revision) >= change.revision) continue;
    const next = change.apply(row);
    if (!next) continue;
    if (!before.has(id)) before.set(id, row);
    spec.key.forEach((column, i) => (next[column] = change.key[i] ?? null));
    next.last_revision = change.revision;
    current.set(id, next);
  }
  const dirty = [...before.keys()].map((id) => ({
    before: before.get(id) ?? null,
    after: current.get(id)!,
  }));
  const whole = new Set(spec.whole ?? []);
  await upsertRows(
    tx,
    spec,
    dirty.map((d) => fitRow(d.after, limits, whole)),
  );
  return dirty;
}

function fitKeyCells(spec: KeyedTable, limits: ColumnLimits, key: Cell[]): Cell[] {
  return key.map((v, i) => (typeof v === 'string' ? fitKey(v, limits.get(spec.key[i]!)) : v));
}

function fitRow(row: Row, limits: ColumnLimits, whole: Set<string>): Row {
  let fitted: Row | null = null;
  for (const [column, value] of Object.entries(row)) {
    if (typeof value !== 'string' || whole.has(column)) continue;
    // An id in another column (`group_id`, `parent_id`…) must match the key it refers to.
    const fit = column.endsWith('_id') ? fitKey : fitText;
    const cut = fit(value, limits.get(column));
    if (cut !== value) (fitted ??= { ...row })[column] = cut;
  }
  return fitted ?? row;
}

export async function loadRows(
  tx: ProjectionTx,
  spec: KeyedTable,
  keys: Cell[][],
): Promise<Map<string, Row>> {
  // Group by scope so each SELECT is a primary-key range with an IN list on the last column.
  const scopes = new Map<string, { scope: Cell[]; last: Set<Cell> }>();
  for (const key of keys) {
    const scope = key.slice(0, -1);
    const id = rowKey(scope);
    let entry = scopes.get(id);
    if (!entry) scopes.set(id, (entry = { scope, last: new Set() }));
    entry.last.add(key.at(-1) ?? null);
  }
  const rows = new Map<string, Row>();
  const lastColumn = spec.key.at(-1)!;
  const selected = spec.load ? [...spec.key, ...spec.load, 'last_revision'].join(', ') : '*';
  for (const { scope, last } of scopes.values()) {
    const values = [...last];
    for (let i = 0; i < values.length; i += LOAD_CHUNK) {
      const where = scope.map((v, j) => `${spec.key[j]} = ${sqlLiteral(v)}`);
      const list = values.slice(i, i + LOAD_CHUNK).map((v) => sqlLiteral(v));
      where.push(`${lastColumn} IN (${list.join(',')})`);
      const found = await tx.query<Row>(
        `SELECT ${selected} FROM ${spec.table} WHERE ${where.join(' AND ')}`,
      );
      for (const row of found) rows.set(rowKey(spec.key.map((c) => row[c] ?? null)), row);
    }
  }
  return rows;
}

/**
 * Multi-row upserts guarded by `last_revision`, one statement per set of columns present (rows
 * built from partial loads carry only what changed). MariaDB evaluates the assignments left
 * to right and later ones see the columns already updated, so `last_revision` goes last.
 */
export async function upsertRows(tx: ProjectionTx, spec: KeyedTable, rows: Row[]): Promise<void> {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>();
  for (const row of rows) {
    const present = spec.columns.filter((c) => row[c] !== undefined);
    const signature = present.join(',');
    const group = groups.get(signature) ?? { columns: present, rows: [] };
    group.rows.push(row);
    groups.set(signature, group);
  }
  for (const group of groups.values()) await upsertGroup(tx, spec, group.columns, group.rows);
}

async function upsertGroup(
  tx: ProjectionTx,
  spec: KeyedTable,
  values: string[],
  rows: Row[],
): Promise<void> {
  const columns = [...spec.key, ...values, 'last_revision'];
  const newer = 'VALUES(last_revision) > last_revision';
  const assignments = [
    ...values.map((c) => `${c} = IF(${newer}, VALUES(${c}), ${c})`),
    'last_revision = GREATEST(last_revision, VALUES(last_revision))',
  ].join(', ');
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const tuples = rows.slice(i, i + WRITE_CHUNK).map((row) =>
      columns.map((c) => {
        const value = row[c] ?? null;
        if (typeof value === 'number' && !Number.isFinite(value)) {
          throw new Error(`Not a finite number: ${value}`);
        }
        return value;
      }),
    );
    await tx.insertRows(
      `INSERT INTO ${spec.table} (${columns.join(',')}) VALUES ?
       ON DUPLICATE KEY UPDATE ${assignments}`,
      tuples,
    );
  }
}
