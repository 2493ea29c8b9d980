import { sqlTime } from './sql-time.js';

/** What a multi-row INSERT built here may hold in a cell. */
export type SqlCell = string | number | null | Date;

/**
 * The characters a single-quoted MariaDB literal needs escaped (with the default sql_mode,
 * where a backslash escapes): NUL, the quote, the backslash, and CR, LF and Ctrl-Z so that a
 * statement stays on one line in logs and tools. A double quote needs nothing inside single
 * quotes.
 */
// eslint-disable-next-line no-control-regex -- NUL and Ctrl-Z are two of the characters to find
const SPECIAL = /[\0\n\r\x1a'\\]/g;
const ESCAPED: Record<string, string> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  "'": "\\'",
  '\\': '\\\\',
};
const escapeChar = (char: string) => ESCAPED[char]!;

/**
 * A string as a MariaDB literal. The drivers' escapers also escape `"`, which every JSON text
 * is full of, and then rebuild the whole string piece by piece: for the event store's JSON
 * columns that was most of the cost of writing a row. Here a JSON text usually has nothing to
 * escape and is quoted as it is. The connection's character set is utf8mb4, which has no
 * multi-byte sequence that ends in a backslash or a quote.
 */
export function sqlString(value: string): string {
  SPECIAL.lastIndex = 0;
  return SPECIAL.test(value) ? `'${value.replace(SPECIAL, escapeChar)}'` : `'${value}'`;
}

/** A cell as a MariaDB literal: a Date as DATETIME text in UTC, like every time column here. */
export function sqlLiteral(value: SqlCell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Not a finite number: ${value}`);
    return String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('Not a valid date');
    return `'${sqlTime(value)}'`;
  }
  throw new Error(`Not an SQL cell: ${typeof value}`);
}

/** The tuples of a multi-row INSERT, `(a, b), (c, d)`. */
export function sqlTuples(rows: readonly (readonly SqlCell[])[]): string {
  return rows.map((row) => `(${row.map(sqlLiteral).join(', ')})`).join(', ');
}

/**
 * `sql` with its one `VALUES ?` replaced by the rows' tuples: the statement text built here
 * rather than by the driver's placeholder formatting.
 */
export function withTuples(sql: string, rows: readonly (readonly SqlCell[])[]): string {
  const at = sql.indexOf('VALUES ?');
  if (at < 0 || sql.indexOf('VALUES ?', at + 1) >= 0)
    throw new Error('expected one `VALUES ?` in a multi-row INSERT');
  return `${sql.slice(0, at)}VALUES ${sqlTuples(rows)}${sql.slice(at + 'VALUES ?'.length)}`;
}
