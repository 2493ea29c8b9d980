import type { Sequelize } from 'sequelize';
import type { Mutex } from '../../application/ports/mutex.js';
import { NamedLocks } from '../projections/named-lock.js';

/**
 * MariaDB named locks (qualified by database, see NamedLocks), each on a connection of its own
 * held for the duration of the work.
 */
export class MariaDbMutex implements Mutex {
  constructor(private readonly sequelize: Sequelize) {}

  async tryWithLock<T>(name: string, work: () => Promise<T>) {
    const locks = await NamedLocks.open(this.sequelize);
    try {
      if (!(await locks.acquire(`evosync:${name}`, 0))) return { acquired: false as const };
      return { acquired: true as const, value: await work() };
    } finally {
      // Closing the session releases the lock even if RELEASE_LOCK was never reached.
      await locks.close();
    }
  }
}
