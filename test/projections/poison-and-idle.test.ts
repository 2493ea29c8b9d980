import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../support/wait.js';
import { capturedLogger } from '../support/captured-logger.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import { cachedGroups } from '../../projections/cached-groups/index.js';
import { cachedProducts } from '../../projections/cached-products/index.js';
import type {
  EventStore,
  Position,
  SubscribeToAllOptions,
} from '../../src/application/ports/event-store.js';
import { runHealthChecks } from '../../src/application/ports/health.js';
import type { Projection } from '../../src/application/projections/projection.js';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';
import { EsdbEventStore } from '../../src/infrastructure/eventstore/esdb/esdb-event-store.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { readCheckpoint, recordFailure } from '../../src/infrastructure/projections/checkpoints.js';
import {
  POISON_AFTER_ATTEMPTS,
  projectionLagCheck,
  projectionOverview,
} from '../../src/infrastructure/projections/lag-health.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import { startEsdbSimulator, type EsdbSimulator } from '../simulators/esdb/server.js';
import { createTestDatabase, setCheckpoint } from '../support/mariadb.js';
import { newEvent, product } from './helpers.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sequelize: Sequelize;
let mariadbStore: MariaDbEventStore;
let esdb: EsdbSimulator;
let esdbStore: EsdbEventStore;
const runners: ProjectionRunner[] = [];
/** the runners' log lines, parsed: the retry delays are read from them */
const captured = capturedLogger('error');
const { logger } = captured;

beforeAll(async () => {
  db = await createTestDatabase('poison_idle');
  sequelize = createSequelize(db.url);
  await migrate(sequelize);
  mariadbStore = await MariaDbEventStore.create(sequelize, { pollMs: 50 });
  esdb = await startEsdbSimulator();
  esdbStore = new EsdbEventStore(esdb.url);
});

afterAll(async () => {
  await esdbStore?.close();
  await esdb?.stop();
  await sequelize?.close();
  await db?.drop();
});

beforeEach(async () => {
  captured.lines.length = 0;
  await sequelize.query('DELETE FROM projection_checkpoints');
  await sequelize.query('DELETE FROM events');
  for (const p of [cachedProducts, cachedGroups]) {
    for (const t of p.tables) await sequelize.query(`TRUNCATE ${t}`);
  }
});

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function runner(projection: Projection, store: EventStore): ProjectionRunner {
  const r = new ProjectionRunner({
    projection,
    sequelize,
    store,
    logger,
    batchSize: 50,
    lockPollMs: 50,
    backoff: { initialMs: 40, maxMs: 320 },
    idleCheckpointMs: 50,
  });
  runners.push(r);
  r.start();
  return r;
}

const count = async (table: string) => {
  const [row] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`, {
    type: QueryTypes.SELECT,
  });
  return Number(row?.n);
};

const productAdded = (id: string) =>
  newEvent('ProductAdded', { userId: 'u1', storeId: 's1', product: product(id) });

describe('a projection that cannot apply an event (poison event)', () => {
  it('names it in /health, retries it with growing delays, lets the others run, and goes on when fixed', async () => {
    const store = mariadbStore;
    const stream = storeCatalogStream('u1', 's1');
    const poison = productAdded('p-poison');
    await store.appendToStream(stream, [productAdded('p1'), productAdded('p2')]);
    const beforePoison = await store.appendToStream(stream, [productAdded('p3')]);
    await store.appendToStream(stream, [poison, productAdded('p5')]);

    let broken = true;
    const fragile: Projection = {
      ...cachedProducts,
      async handle(events, tx) {
        if (broken && events.some((e) => e.id === poison.id)) {
          throw new Error("Data too long for column 'measure_name' at row 1");
        }
        await cachedProducts.handle(events, tx);
      },
    };
    // Two workers: whichever holds the projection, the delays grow with the attempts on record.
    const products = runner(fragile, store);
    const otherWorker = runner(fragile, store);
    const groups = runner(cachedGroups, store);
    const check = projectionLagCheck(sequelize, store, () => ['cached-products', 'cached-groups']);

    const retriesLogged = () =>
      captured.records().filter((l) => l.eventId === poison.id && l.retryInMs !== undefined).length;
    // The checkpoint records an attempt before its runner logs the retry's delay: wait for both.
    await until('the poison event failed often enough to be reported', async () => {
      const stored = await readCheckpoint(sequelize, 'cached-products');
      return (stored?.failure?.attempts ?? 0) >= POISON_AFTER_ATTEMPTS + 2 && retriesLogged() >= 5;
    });

    // The events before it are applied and the checkpoint stops right before it.
    expect(await count('cached_products')).toBe(3);
    const stored = await readCheckpoint(sequelize, 'cached-products');
    expect(stored?.position).toEqual(beforePoison.position);
    expect(stored?.failure).toMatchObject({
      event: { id: poison.id, type: 'ProductAdded', streamId: stream },
      error: expect.stringContaining('Data too long') as string,
    });

    // /health is red and says which projection, which event and why.
    const report = await runHealthChecks([check]);
    expect(report.ok).toBe(false);
    const projections = report.checks.projections!;
    expect(projections.ok).toBe(false);
    expect(projections.error).toContain('cached-products');
    expect(projections.error).toContain(poison.id);
    expect(projections.error).toContain('Data too long');
    expect(projections.projections).toMatchObject({
      'cached-products': { condition: 'failing', failure: { eventId: poison.id } },
    });
    const statuses = await Promise.all([products.status(), otherWorker.status()]);
    expect(statuses.some((st) => st.failure?.event?.id === poison.id)).toBe(true);

    // Not a hot loop: each retry waits longer than the one before, up to the cap.
    const delays = captured
      .records()
      .filter((l) => l.eventId === poison.id)
      .map((l) => Number(l.retryInMs));
    expect(delays.slice(0, 5)).toEqual([40, 80, 160, 320, 320]);

    // The other projection goes on meanwhile.
    await store.appendToStream(stream, [
      newEvent('GroupAdded', {
        userId: 'u1',
        storeId: 's1',
        group: { id: 'g1', parentId: null, name: 'Напитки' },
      }),
    ]);
    await until('the groups projection applied the new group', async () => {
      return (await count('cached_groups')) === 1;
    });
    expect((await groups.status()).state).toBe('live');

    // Fixed (a deploy, corrected data): the next retry gets through by itself.
    broken = false;
    await until('the products projection went on', async () => {
      const s = await readCheckpoint(sequelize, 'cached-products');
      const statuses = await Promise.all([products.status(), otherWorker.status()]);
      return (
        (await count('cached_products')) === 5 &&
        s?.failure === null &&
        statuses.every((st) => st.failure === undefined)
      );
    });
    expect((await runHealthChecks([check])).ok).toBe(true);
    const { projections: overview } = await projectionOverview(sequelize, store, [
      'cached-products',
    ]);
    expect(overview[0]?.failure).toBeNull();
  });
});

describe('a failure on record', () => {
  it('is cleared by a runner whose checkpoint is already past the event (after a replay)', async () => {
    const stream = storeCatalogStream('u1', 's1');
    await mariadbStore.appendToStream(stream, [productAdded('p1'), productAdded('p2')]);
    const [first] = await mariadbStore.readStream(stream);
    await setCheckpoint(sequelize, 'cached-products', 2);
    await recordFailure(sequelize, 'cached-products', {
      error: 'fixed by the replay',
      event: first!,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    expect((await readCheckpoint(sequelize, 'cached-products'))?.failure).not.toBeNull();
    const r = runner(cachedProducts, mariadbStore);
    await until('live', async () => (await r.status()).state === 'live');
    expect((await readCheckpoint(sequelize, 'cached-products'))?.failure).toBeNull();
    expect((await r.status()).failure).toBeUndefined();
  });
});

/** Counts where subscriptions start, to see what a restarted runner reads again. */
function recordingStore(inner: EventStore, starts: Array<Position | undefined>): EventStore {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'subscribeToAll') {
        return (options?: SubscribeToAllOptions) => {
          starts.push(options?.fromPosition);
          return target.subscribeToAll(options);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

describe.each([
  ['mariadb', () => mariadbStore as EventStore],
  ['memory', () => new MemoryEventStore() as EventStore],
  // Positions are byte offsets there (no lag count), and the filter runs on the server.
  ['esdb simulator', () => esdbStore as EventStore],
])('the checkpoint of an idle projection (%s store)', (_name, makeStore) => {
  it('moves past events it does not handle, so lag reads 0 and a restart starts at the head', async () => {
    const inner = makeStore();
    const starts: Array<Position | undefined> = [];
    const store = recordingStore(inner, starts);
    const stream = storeCatalogStream('u1', 's1');
    await store.appendToStream(stream, [productAdded('p1'), productAdded('p2')]);
    const first = runner(cachedProducts, store);
    await until('live', async () => (await first.status()).state === 'live');

    // Other types only: filtered out by type (GroupAdded), or passing the type prefix filter
    // but not handled (ProductAddedToFavourites).
    for (let i = 0; i < 5; i++) {
      await store.appendToStream(`other-${i}`, [
        newEvent('GroupAdded', {
          userId: 'u1',
          storeId: 's1',
          group: { id: `g${i}`, parentId: null, name: 'Группа' },
        }),
        newEvent('ProductAddedToFavourites', { userId: 'u1' }),
      ]);
    }
    const head = (await store.headPosition())!;
    await until('the checkpoint at the head', async () => {
      const stored = await readCheckpoint(sequelize, 'cached-products');
      const reached = (await first.status()).position;
      return stored?.position.commit === head.commit && reached?.commit === head.commit;
    });
    const dense = (await store.health()).adapter !== 'esdb';
    expect(await first.status()).toMatchObject({
      state: 'live',
      position: head,
      ...(dense ? { lagEvents: 0 } : {}),
    });
    const { projections } = await projectionOverview(sequelize, store, ['cached-products']);
    expect(projections[0]).toMatchObject({ condition: 'idle', ...(dense ? { lagEvents: 0 } : {}) });

    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    const second = runner(cachedProducts, store);
    await until('live again', async () => (await second.status()).state === 'live');
    expect(starts.at(-1)).toEqual(head);
    expect(await count('cached_products')).toBe(2);
  });
});
