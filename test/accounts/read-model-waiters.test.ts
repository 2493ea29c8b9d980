import { describe, expect, it } from 'vitest';
import { CheckpointWaiter } from '../../projections/read-model-waiters.js';
import { setCheckpoint as setCheckpointRow, useMigratedDatabase } from '../support/mariadb.js';

const db = useMigratedDatabase('rm_waiter');
const setCheckpoint = (name: string, commit: number) =>
  setCheckpointRow(db.sequelize, name, commit);

describe('CheckpointWaiter', () => {
  it('resolves once the named projection reaches the position, driven by the checkpoint row', async () => {
    await setCheckpoint('users', 5);
    const waiter = new CheckpointWaiter(db.sequelize, ['users'], 30_000, 5);
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
    const waiter = new CheckpointWaiter(db.sequelize, ['users'], 50, 5);
    await expect(
      waiter.waitFor({ commit: 999, prepare: 999 }, ['not-running']),
    ).resolves.toBeUndefined();
  });
});
