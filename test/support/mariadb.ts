import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll } from 'vitest';
import {
  createSequelize,
  dropDatabase,
  ensureDatabase,
} from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';

export const MARIADB_ROOT_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

/**
 * A fresh database on the real MariaDB for one test file, dropped by `drop()`. Every file gets
 * its own, so files can run in parallel.
 */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `evosync_t_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const root = new URL(MARIADB_ROOT_URL);
  const url = `${root.protocol}//${root.username || 'root'}${root.password ? `:${root.password}` : ''}@${root.host}/${name}`;
  await ensureDatabase(url);
  return {
    url,
    name,
    drop: () => dropDatabase(url),
  };
}

/**
 * For a test file of read models: a fresh migrated database for the whole file, closed and
 * dropped after it. Read `.sequelize` inside tests (it exists once beforeAll ran).
 */
export function useMigratedDatabase(label: string): { readonly sequelize: Sequelize } {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let sequelize: Sequelize | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(label);
    sequelize = createSequelize(db.url);
    await migrate(sequelize);
  });
  afterAll(async () => {
    await sequelize?.close();
    await db?.drop();
  });
  return {
    get sequelize() {
      if (!sequelize) throw new Error('the database is ready only inside tests');
      return sequelize;
    },
  };
}

/** A projection's checkpoint row as its runner writes it (status live, version 1). */
export function setCheckpoint(sequelize: Sequelize, name: string, commit: number) {
  return sequelize.query(
    `INSERT INTO projection_checkpoints (name, version, commit_position, prepare_position, status, updated_at)
     VALUES (?, 1, ?, ?, 'live', UTC_TIMESTAMP(6))
     ON DUPLICATE KEY UPDATE commit_position = VALUES(commit_position), prepare_position = VALUES(prepare_position)`,
    { replacements: [name, commit, commit] },
  );
}
