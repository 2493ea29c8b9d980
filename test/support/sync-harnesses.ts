import { afterAll, beforeAll } from 'vitest';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { createTestDatabase } from './mariadb.js';
import { SyncHarness } from './sync-harness.js';

/**
 * For a test file of syncs (like useMigratedDatabase): a fresh database with the MariaDB event
 * store for the whole file, and the harnesses its tests start on it, all stopped, closed and
 * dropped after it. Read `.store` and call `.start` inside tests (once beforeAll ran).
 */
export function useSyncHarnesses(label: string): {
  readonly store: MariaDbEventStore;
  start(...args: DropFirst<Parameters<typeof SyncHarness.start>>): Promise<SyncHarness>;
} {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let store: MariaDbEventStore | undefined;
  const started: SyncHarness[] = [];
  beforeAll(async () => {
    db = await createTestDatabase(label);
    store = await MariaDbEventStore.create(db.url);
  });
  afterAll(async () => {
    await Promise.all(started.map((h) => h.stop()));
    await store?.close();
    await db?.drop();
  });
  const ready = () => {
    if (!store) throw new Error('the event store is ready only inside tests');
    return store;
  };
  return {
    get store() {
      return ready();
    },
    async start(...args) {
      const h = await SyncHarness.start(ready(), ...args);
      started.push(h);
      return h;
    },
  };
}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer Rest] ? Rest : never;
