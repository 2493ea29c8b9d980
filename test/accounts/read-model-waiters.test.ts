import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';
import { CheckpointWaiter } from '../../projections/read-model-waiters.js';
import { createTestDatabase } from '../support/mariadb.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;
beforeAll(async () => {
  db = await createTestDatabase('rm_waiter');
  sequelize = createSequelize(db.url);
  await migrate(sequelize);
});
afterAll(async () => {
  await sequelize?.close();
  await db?.drop();
});

const setCheckpoint = (name: string, commit: number) =>
  sequelize.query(
    `INSERT INTO projection_checkpoints (name, version, commit_position, prepare_position, status, updated_at)
     VALUES (?, 1, ?, ?, 'live', UTC_TIMESTAMP(6))
     ON DUPLICATE KEY UPDATE commit_position = VALUES(commit_position), prepare_position = VALUES(prepare_position)`,
    { replacements: [name, commit, commit] },
  );

describe('CheckpointWaiter', () => {
  it('resolves once the named projection reaches the position, driven by the checkpoint row', async () => {
    await setCheckpoint('users', 5);
    const waiter = new CheckpointWaiter(sequelize, ['users'], 30_000, 5);
    let done = false;
    const waiting = waiter.waitFor({ commit: 7, prepare: 7 }).then(() => {
      done = true;
    });
    await waiter.waitFor({ commit: 5, prepare: 5 });
    expect(done).toBe(false);
    await setCheckpoint('users', 7);
    await waiting;
    expect(done).toBe(true);
  });

  it('gives up at the deadline instead of hanging when the projection is not running', async () => {
    const waiter = new CheckpointWaiter(sequelize, ['users'], 50, 5);
    await expect(
      waiter.waitFor({ commit: 999, prepare: 999 }, ['not-running']),
    ).resolves.toBeUndefined();
  });
});
