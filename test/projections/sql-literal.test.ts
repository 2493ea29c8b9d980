import fc from 'fast-check';
import { QueryTypes } from 'sequelize';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  sqlLiteral,
  sqlString,
  withTuples,
  type SqlCell,
} from '../../src/infrastructure/db/sql-literal.js';
import { jsonValues, propertySeed } from '../support/property.js';
import { useMigratedDatabase } from '../support/mariadb.js';

const database = useMigratedDatabase('sql_literal');
beforeAll(async () => {
  await database.sequelize.query(
    'CREATE TABLE literal_probe (id INT PRIMARY KEY, v LONGTEXT) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  );
});

/** Text with every character MariaDB treats specially in a literal, and any other code point. */
const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\0', '\n', '\r', '\x1a', "'", '\\', '"', '\b', '\t', '%', '_', '?', '`'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

const select = async (literal: string) => {
  const [row] = await database.sequelize.query<{ v: string }>(`SELECT ${literal} AS v`, {
    type: QueryTypes.SELECT,
  });
  return row!.v;
};

describe('SQL literals built without the driver', () => {
  it('give MariaDB back every string exactly, JSON texts included', async () => {
    const seed = propertySeed('SQL_LITERAL_SEED', 'SQL string literal');
    const texts = fc.oneof(
      tricky,
      jsonValues(fc.oneof(tricky, fc.integer(), fc.boolean()), tricky, 4).map((v) =>
        JSON.stringify(v),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(texts, { minLength: 1, maxLength: 8 }), async (values) => {
        // One statement per case: a multi-row INSERT as insertRows writes it, read back.
        await database.sequelize.query('DELETE FROM literal_probe');
        const rows = values.map((v, i): SqlCell[] => [i, v]);
        await database.sequelize.query(
          withTuples('INSERT INTO literal_probe (id, v) VALUES ?', rows),
        );
        const back = await database.sequelize.query<{ id: number; v: string }>(
          'SELECT id, v FROM literal_probe ORDER BY id',
          { type: QueryTypes.SELECT },
        );
        expect(back.map((r) => r.v)).toEqual(values);
        expect(await select(sqlString(values[0]!))).toBe(values[0]);
      }),
      { seed, numRuns: 150 },
    );
  });

  it('write times in UTC to the millisecond, numbers as they are, and refuse what is not a cell', async () => {
    const at = new Date('2026-11-28T23:59:58.123Z');
    const [row] = await database.sequelize.query<{ t: string; n: number; z: null }>(
      `SELECT CAST(CAST(${sqlLiteral(at)} AS DATETIME(3)) AS CHAR) AS t, ${sqlLiteral(-12.5)} AS n,
        ${sqlLiteral(null)} AS z`,
      { type: QueryTypes.SELECT },
    );
    // A decimal literal comes back as text, as MariaDB's DECIMAL does.
    expect({ ...row, n: Number(row!.n) }).toEqual({
      t: '2026-11-28 23:59:58.123',
      n: -12.5,
      z: null,
    });
    expect(() => sqlLiteral(Number.NaN)).toThrow(/finite/);
    expect(() => sqlLiteral(new Date('nonsense'))).toThrow(/date/);
    expect(() => sqlLiteral({ a: 1 } as unknown as SqlCell)).toThrow(/cell/);
  });

  it('need exactly one `VALUES ?` to fill', () => {
    expect(
      withTuples('INSERT INTO t (a, b) VALUES ? ON DUPLICATE KEY UPDATE a = 1', [[1, 'x']]),
    ).toBe("INSERT INTO t (a, b) VALUES (1, 'x') ON DUPLICATE KEY UPDATE a = 1");
    expect(() => withTuples('INSERT INTO t (a) VALUES (1)', [[1]])).toThrow(/VALUES \?/);
    expect(() => withTuples('INSERT INTO t (a) VALUES ?; INSERT INTO u VALUES ?', [[1]])).toThrow(
      /VALUES \?/,
    );
  });
});
