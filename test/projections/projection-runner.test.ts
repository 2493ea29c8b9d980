import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../support/wait.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import { cachedProducts } from '../../projections/cached-products/index.js';
import type { Projection } from '../../src/application/projections/projection.js';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { lockName, readCheckpoint } from '../../src/infrastructure/projections/checkpoints.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { replayProjection } from '../../src/infrastructure/projections/replay.js';
import { NamedLocks } from '../../src/infrastructure/projections/named-lock.js';
import { createTestDatabase } from '../support/mariadb.js';
import { dumpTables, newEvent, product } from './helpers.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;
let store: MemoryEventStore;
const runners: ProjectionRunner[] = [];
const logger = createLogger({ level: process.env.TEST_LOG ?? 'silent' });

beforeAll(async () => {
  db = await createTestDatabase('projection_runner');
  sequelize = createSequelize(db.url);
  await migrate(sequelize);
});

afterAll(async () => {
  await sequelize?.close();
  await db?.drop();
});

beforeEach(async () => {
  store = new MemoryEventStore();
  await sequelize.query('DELETE FROM projection_checkpoints');
  for (const t of cachedProducts.tables) await sequelize.query(`TRUNCATE ${t}`);
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function runner(projection: Projection = cachedProducts): ProjectionRunner {
  const r = new ProjectionRunner({
    projection,
    sequelize,
    store,
    logger,
    batchSize: 50,
    lockPollMs: 50,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  runners.push(r);
  r.start();
  return r;
}

const live = (r: ProjectionRunner) => async () => (await r.status()).state === 'live';

async function appendProducts(count: number, from = 0) {
  const events = Array.from({ length: count }, (_, i) =>
    newEvent('ProductAdded', { userId: 'u1', storeId: 's1', product: product(`p${from + i}`) }),
  );
  return store.appendToStream(storeCatalogStream('u1', 's1'), events);
}

async function count(): Promise<number> {
  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM cached_products', {
    type: QueryTypes.SELECT,
  });
  return Number(row?.n);
}

describe('ProjectionRunner', () => {
  it('catches up in batches, goes live, and projects later appends (read your writes)', async () => {
    await appendProducts(120);
    const r = runner();
    await until('live', live(r));
    expect(await count()).toBe(120);
    expect((await readCheckpoint(sequelize, 'cached-products'))?.status).toBe('live');

    const { position } = await appendProducts(3, 120);
    expect(await r.waitForPosition(position, 5000)).toBe(true);
    expect(await count()).toBe(123);
    const status = await r.status();
    expect(status).toMatchObject({ state: 'live', position, headPosition: position, lagEvents: 0 });
  });

  it('writes rows and checkpoint together: a failing batch leaves neither, the retry succeeds', async () => {
    await appendProducts(30);
    let failing = true;
    const flaky: Projection = {
      ...cachedProducts,
      async handle(events, tx) {
        await cachedProducts.handle(events, tx);
        if (failing) throw new Error('handler failed after writing');
      },
    };
    const r = runner(flaky);
    await until('a failure', async () => (await r.status()).lastError !== undefined);
    expect(await count()).toBe(0);
    expect((await readCheckpoint(sequelize, 'cached-products'))?.position.commit).toBe(0);

    failing = false;
    await until('live', live(r));
    expect(await count()).toBe(30);
    expect((await readCheckpoint(sequelize, 'cached-products'))?.position.commit).toBe(30);
  });

  it('runs each projection in one place: a second runner waits for the lock', async () => {
    await appendProducts(10);
    const first = runner();
    await until('first live', live(first));
    const second = runner();
    await until('second waiting', async () => (await second.status()).state === 'waiting-for-lock');

    await first.stop();
    await until('second live', live(second));
    const { position } = await appendProducts(5, 10);
    expect(await second.waitForPosition(position, 5000)).toBe(true);
    expect(await count()).toBe(15);
  });

  it('rebuilds its tables when the projection version changes', async () => {
    await appendProducts(20);
    const v1 = runner();
    await until('v1 live', live(v1));
    await v1.stop();
    await sequelize.query(`UPDATE cached_products SET name = 'written by version 1'`);

    const v2 = runner({ ...cachedProducts, version: cachedProducts.version + 1 });
    await until('v2 live', live(v2));
    const checkpoint = await readCheckpoint(sequelize, 'cached-products');
    expect(checkpoint).toMatchObject({ version: cachedProducts.version + 1, status: 'live' });
    const [row] = await sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM cached_products WHERE name = 'written by version 1'`,
      { type: QueryTypes.SELECT },
    );
    expect(Number(row?.n)).toBe(0);
    expect(await count()).toBe(20);
  });
});

describe('replay', () => {
  async function history() {
    await appendProducts(200);
    const events = Array.from({ length: 300 }, (_, i) =>
      newEvent('ProductChanged', {
        userId: 'u1',
        storeId: 's1',
        productId: `p${(i * 7) % 200}`,
        changes: [{ field: 'priceKopecks', from: 0, to: 1000 + i }],
      }),
    );
    await store.appendToStream(storeCatalogStream('u1', 's1'), events);
    await store.appendToStream(storeCatalogStream('u1', 's1'), [
      newEvent('ProductRemoved', { userId: 'u1', storeId: 's1', productId: 'p3' }),
    ]);
  }

  it('produces the same tables as the live projection', async () => {
    await history();
    const r = runner();
    await until('live', live(r));
    await r.stop();
    const fromLive = await dumpTables(sequelize, [cachedProducts]);

    const result = await replayProjection({
      sequelize,
      store,
      projection: cachedProducts,
      pageSize: 64,
    });
    expect(result).toMatchObject({ completed: true, handled: 501 });
    expect(await dumpTables(sequelize, [cachedProducts])).toEqual(fromLive);
    expect((await readCheckpoint(sequelize, 'cached-products'))?.status).toBe('live');
  });

  it('leaves an interrupted replay marked rebuilding, and a rerun completes it', async () => {
    await history();
    const r = runner();
    await until('live', live(r));
    await r.stop();
    const fromLive = await dumpTables(sequelize, [cachedProducts]);

    const abort = new AbortController();
    let batches = 0;
    const interrupted = await replayProjection({
      sequelize,
      store,
      projection: cachedProducts,
      pageSize: 64,
      signal: abort.signal,
      onProgress: () => ++batches === 3 && abort.abort(),
    });
    expect(interrupted.completed).toBe(false);
    expect(await readCheckpoint(sequelize, 'cached-products')).toMatchObject({
      status: 'rebuilding',
      position: { commit: 192, prepare: 192 },
    });

    const rerun = await replayProjection({
      sequelize,
      store,
      projection: cachedProducts,
      pageSize: 64,
    });
    expect(rerun).toMatchObject({ completed: true, resumed: true, handled: 501 - 192 });
    expect(await dumpTables(sequelize, [cachedProducts])).toEqual(fromLive);
    expect((await readCheckpoint(sequelize, 'cached-products'))?.status).toBe('live');
  });

  it('makes a running worker yield the projection, which takes it back afterwards', async () => {
    await history();
    const r = runner();
    await until('live', live(r));
    // The running worker holds the projection's lock, so the replay can only complete if the
    // worker lets go of it. (Whether the replay had to wait for that depends on when the
    // worker's poll falls, so it is not asserted.)
    const locks = await NamedLocks.open(sequelize);
    try {
      expect(await locks.isFree(lockName('cached-products'))).toBe(false);
    } finally {
      await locks.close();
    }
    const result = await replayProjection({
      sequelize,
      store,
      projection: cachedProducts,
      pageSize: 100,
    });
    expect(result.completed).toBe(true);
    await until('live again', live(r));
    const { position } = await appendProducts(1, 500);
    expect(await r.waitForPosition(position, 5000)).toBe(true);
    expect(await count()).toBe(201);
  });
});
