import { createHash } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import type { Sequelize } from 'sequelize';
import type { ProjectionTx } from '../../application/projections/projection.js';

/**
 * Named locks belong to the whole MariaDB server, not to one database: two deployments (or two
 * test files) on one server must not block each other, so every name gets a short tag of the
 * database it is about. MariaDB allows 64 characters per lock name.
 */
export function qualifiedLockName(database: string, name: string): string {
  const tag = createHash('sha1').update(database).digest('hex').slice(0, 6);
  const qualified = `${tag}:${name}`;
  if (qualified.length > 64) throw new Error(`lock name too long: ${qualified}`);
  return qualified;
}

/**
 * MariaDB named locks on a connection of their own: a named lock belongs to a session, so it
 * must not live on a pooled connection that other queries borrow and return. When the
 * process dies the server drops the session and the locks with it. Names are qualified by the
 * database (`qualifiedLockName`).
 */
export class NamedLocks {
  private constructor(
    private readonly connection: Connection,
    /** the session id that owns the locks, as `IS_USED_LOCK()` reports it */
    readonly connectionId: number,
    private readonly database: string,
  ) {}

  /** the server-wide name of a lock of this database */
  qualify(name: string): string {
    return qualifiedLockName(this.database, name);
  }

  static async open(sequelize: Sequelize): Promise<NamedLocks> {
    const c = sequelize.config;
    const connection = await createConnection({
      host: c.host,
      port: Number(c.port || 3306),
      user: c.username,
      password: c.password ?? undefined,
      database: c.database,
    });
    // A dead lock connection must surface as an error, never as an unhandled event.
    connection.on('error', () => undefined);
    const [rows] = await connection.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    return new NamedLocks(connection, Number(rows[0]?.id), c.database);
  }

  /** Waits up to `timeoutSeconds` (0 = just try). */
  async acquire(name: string, timeoutSeconds = 0): Promise<boolean> {
    const [rows] = await this.connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [
      this.qualify(name),
      timeoutSeconds,
    ]);
    return rows[0]?.got === 1;
  }

  async release(name: string): Promise<void> {
    await this.connection.query('SELECT RELEASE_LOCK(?)', [this.qualify(name)]);
  }

  async isFree(name: string): Promise<boolean> {
    const [rows] = await this.connection.query<RowDataPacket[]>('SELECT IS_FREE_LOCK(?) AS free', [
      this.qualify(name),
    ]);
    return rows[0]?.free === 1;
  }

  async close(): Promise<void> {
    try {
      await this.connection.end();
    } catch {
      this.connection.destroy();
    }
  }
}

/**
 * Throws inside a batch transaction when the lock is no longer held by `connectionId`.
 * `name` is the qualified name (`NamedLocks.qualify`).
 */
export async function assertLockHeld(
  tx: ProjectionTx,
  name: string,
  connectionId: number,
): Promise<void> {
  const [row] = await tx.query<{ holder: number | null }>('SELECT IS_USED_LOCK(?) AS holder', [
    name,
  ]);
  if (row?.holder === null || Number(row?.holder) !== connectionId) {
    throw new LockLostError(name);
  }
}

export class LockLostError extends Error {
  constructor(readonly lock: string) {
    super(`Lost the lock ${lock}`);
    this.name = 'LockLostError';
  }
}
