import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nullApiRequestLog } from '../../src/application/ports/api-request-log.js';
import { LocalMutex } from '../../src/application/ports/mutex.js';
import { defineSyncJobs, SYNC_JOBS } from '../../src/application/sync/jobs.js';
import { rescheduleOwnRun } from '../../src/application/sync/sync-jobs.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import {
  defaultPhotoLoader,
  httpSyncGateways,
} from '../../src/infrastructure/sync/sync-adapters.js';
import { createTestDatabase } from '../support/mariadb.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import { SyncHarness } from '../support/sync-harness.js';
import { SETTINGS } from '../support/sync-settings.js';

/**
 * The owner's run interval, on the real event store and the Evotor simulator: the scheduler's
 * clock is the test's, so "in 30 minutes" is reached by moving it, never by waiting.
 */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let store: MariaDbEventStore;
let h: SyncHarness;
let clock = new Date('2026-01-10T09:00:00.000Z');
const scheduler = new MemoryScheduler({ now: () => clock });
const MIN = 60_000;

beforeAll(async () => {
  db = await createTestDatabase('run-interval');
  store = await MariaDbEventStore.create(db.url);
  h = await SyncHarness.start(store, { products: 5 });
  await h.enableAndConfirm();
  defineSyncJobs({
    store,
    commands: h.commands,
    cipher: h.cipher,
    scheduler,
    mutex: new LocalMutex(),
    gateways: httpSyncGateways(
      { EVOTOR_API_URL: h.evotor.url, VK_API_URL: h.vk.apiUrl, VK_API_VERSION: '5.199' },
      nullApiRequestLog,
    ),
    eligibleUsers: async () => [h.userId],
    settings: SETTINGS,
    defaultPhoto: defaultPhotoLoader('assets/default_product.png'),
    logger: createLogger({ level: 'silent' }),
    clock: () => clock,
  });
}, 60_000);

afterAll(async () => {
  await h?.stop();
  await store?.close();
  await db?.drop();
});

const pending = async (name: string) =>
  (await scheduler.listJobs({ name, limit: 10, skip: 0 })).jobs.map((j) => j.nextRunAt);
/** Evotor store-list requests of the user: one per catalog fetch */
const fetches = () =>
  h.evotor.admin.requestLog.filter((r) => r.userId === h.evotorUserId && /\/stores$/.test(r.path))
    .length;
const pipeline = () => scheduler.enqueue(SYNC_JOBS.pipeline, {}).then(() => scheduler.runPending());
const setInterval = async (seconds: number | null) => {
  await h.configure({ type: 'SetRunInterval', seconds });
  await rescheduleOwnRun(scheduler, h.userId, seconds, clock);
};
const later = async (ms: number) => {
  clock = new Date(clock.getTime() + ms);
  await scheduler.runPending();
};

describe('the periodic run at the owner interval', () => {
  it('on the default, every pipeline run fetches the catalog', async () => {
    const before = fetches();
    await pipeline();
    await pipeline();
    expect(fetches()).toBe(before + 2);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([]);
  });

  it('an own interval schedules the next run an interval from now, and the pipeline leaves it be', async () => {
    await setInterval(30 * 60);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([new Date(clock.getTime() + 30 * MIN)]);

    const before = fetches();
    await pipeline();
    expect(fetches()).toBe(before);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([new Date(clock.getTime() + 30 * MIN)]);

    await later(29 * MIN);
    expect(fetches()).toBe(before);
    await later(1 * MIN);
    expect(fetches()).toBe(before + 1);
    // …and the next one is another interval away.
    expect(await pending(SYNC_JOBS.periodic)).toEqual([new Date(clock.getTime() + 30 * MIN)]);
    await later(30 * MIN);
    expect(fetches()).toBe(before + 2);
  });

  it('changing the interval moves the next run; one pending run per user', async () => {
    await setInterval(2 * 60 * 60);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([new Date(clock.getTime() + 120 * MIN)]);
    const before = fetches();
    await later(30 * MIN);
    expect(fetches()).toBe(before);
    await later(90 * MIN);
    expect(fetches()).toBe(before + 1);
  });

  it('a missing chain is started by the pipeline; back on the default the chain ends', async () => {
    await scheduler.cancel(SYNC_JOBS.periodic, { userId: h.userId });
    const before = fetches();
    await pipeline();
    expect(fetches()).toBe(before + 1);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([new Date(clock.getTime() + 120 * MIN)]);

    await setInterval(null);
    expect(await pending(SYNC_JOBS.periodic)).toEqual([]);
    await pipeline();
    expect(fetches()).toBe(before + 2);
  });
});
