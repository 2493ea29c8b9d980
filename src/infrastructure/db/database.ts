import { format, type SqlValue, type Timezone } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { Sequelize } from 'sequelize';
import type { Logger } from '../logging/logger.js';

export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`Database name in the URL must be letters, digits and _ (got "${name}")`);
  }
  return name;
}

/** Runs statements on the URL's server, with no database selected. */
async function onServer(databaseUrl: string, statements: string[]): Promise<void> {
  const url = new URL(databaseUrl);
  const connection = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
  });
  try {
    for (const sql of statements) await connection.query(sql);
  } finally {
    await connection.end();
  }
}

const create = (name: string, ifMissing = false) =>
  `CREATE DATABASE ${ifMissing ? 'IF NOT EXISTS ' : ''}\`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

/** Creates the database named in the URL when it is missing, so a fresh clone just runs. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  await onServer(databaseUrl, [create(databaseName(databaseUrl), true)]);
}

/** Drops the database named in the URL, if there, and creates it empty (demo, benches). */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await onServer(databaseUrl, [`DROP DATABASE IF EXISTS \`${name}\``, create(name)]);
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  await onServer(databaseUrl, [`DROP DATABASE IF EXISTS \`${databaseName(databaseUrl)}\``]);
}

/**
 * mysql2's own formatting, except that a statement with no values goes as it is. mysql2 formats
 * every statement, and its formatter reads the whole text looking for a placeholder even when
 * there is no value to put in one: for the multi-row INSERTs built by sql-literal (megabytes of
 * text, no placeholder) that scan cost as much as the escaping it replaced.
 */
function formatQuery(sql: string, values: SqlValue | SqlValue[], timezone: Timezone): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0))
    return sql;
  return format(sql, values, false, timezone);
}

export function createSequelize(
  databaseUrl: string,
  options: { logger?: Logger; pool?: number } = {},
): Sequelize {
  const url = new URL(databaseUrl);
  return new Sequelize(
    databaseName(databaseUrl),
    decodeURIComponent(url.username || 'root'),
    decodeURIComponent(url.password),
    {
      host: url.hostname,
      port: Number(url.port || 3306),
      dialect: 'mysql',
      logging: options.logger ? (sql: string) => options.logger?.trace({ sql }, 'sql') : false,
      pool: { max: options.pool ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
      dialectOptions: {
        // BIGINT columns come back as strings beyond 2^53 only; positions never get there.
        supportBigNumbers: true,
        bigNumberStrings: false,
        dateStrings: false,
        charset: 'utf8mb4',
        queryFormat: formatQuery,
      },
      define: { underscored: true, timestamps: false, freezeTableName: true },
      timezone: '+00:00',
    },
  );
}
