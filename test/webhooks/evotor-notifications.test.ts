import express from 'express';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import { loadState } from '../../src/application/commands/load-state.js';
import { EvotorNotifications } from '../../src/application/connections/evotor-notifications.js';
import { evotorApiToken } from '../../src/application/connections/fingerprint.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { ProjectionTx } from '../../src/application/projections/projection.js';
import type { Scheduler } from '../../src/application/ports/scheduler.js';
import { mirrorSaga } from '../../src/application/sync/mirror-saga.js';
import { storeCatalogDecider } from '../../src/domain/catalog/decide.js';
import { storeCatalogStream, storesStream } from '../../src/domain/catalog/events.js';
import { storesDecider } from '../../src/domain/catalog/stores-decide.js';
import { mirrorStream } from '../../src/domain/mirror/events.js';
import { createSequelize } from '../../src/infrastructure/db/database.js';
import { migrate } from '../../src/infrastructure/db/migrate.js';
import { MariaDbEventStore } from '../../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';
import { ProjectionRunner } from '../../src/infrastructure/projections/projection-runner.js';
import {
  linkedEvotorUsers,
  notificationRoutes,
} from '../../src/web/webhooks/notification-routes.js';
import { connections } from '../../projections/connections/index.js';
import { syncLag } from '../../projections/sync-lag/index.js';
import { userVkLag } from '../../projections/sync-lag/queries.js';
import { syncConfigs } from '../../projections/sync-configs/index.js';
import { capturedLogger } from '../support/captured-logger.js';
import { listenLocal } from '../support/http.js';
import { createTestDatabase } from '../support/mariadb.js';
import { SyncHarness } from '../support/sync-harness.js';
import { until } from '../support/wait.js';

const SECRET_KEY = 'notifications-test-secret-key-0123456789';
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let store: MariaDbEventStore;
let sequelize: Sequelize;
let server: Awaited<ReturnType<typeof listenLocal>>;
let a: SyncHarness;
let b: SyncHarness;
const runners: ProjectionRunner[] = [];
const { logger } = capturedLogger('warn');

beforeAll(async () => {
  db = await createTestDatabase('notifications');
  store = await MariaDbEventStore.create(db.url);
  sequelize = createSequelize(db.url);
  await migrate(sequelize);
  const app = express();
  app.use(
    notificationRoutes({
      notifications: new EvotorNotifications({
        store,
        commands: new CommandHandler(store),
        settings: { SECRET_KEY },
        linkedUsers: linkedEvotorUsers(sequelize),
      }),
      logger,
    }),
  );
  server = await listenLocal(app);
  a = await SyncHarness.start(store, { products: 30, seed: 11 });
  b = await SyncHarness.start(
    store,
    { products: 5, seed: 12 },
    { evotorUserId: '01-000000000000002' },
  );
  for (const h of [a, b]) {
    await h.fetchEvotor();
    // The cloud sends to the app's URL with the token the app answered for this Evotor user.
    h.evotor.admin.notifier.baseUrl = server.base;
    h.evotor.admin.notifier.appTokens.set(h.evotorUserId, token(h));
  }
  for (const projection of [connections, syncLag, syncConfigs]) {
    const runner = new ProjectionRunner({
      projection,
      sequelize,
      store,
      logger,
      batchSize: 500,
      lockPollMs: 50,
      idleCheckpointMs: 50,
    });
    runner.start();
    runners.push(runner);
  }
  await until(
    'the connections read table',
    async () => (await linkedEvotorUsers(sequelize)()).length >= 2,
    60_000,
  );
});

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  await Promise.all([a?.stop(), b?.stop()]);
  await server?.close();
  await sequelize?.close();
  await store?.close();
  await db?.drop();
});

const token = (h: SyncHarness) => evotorApiToken(SECRET_KEY, h.evotorUserId);
const storeId = (h: SyncHarness) => h.storeIds[0]!;
const catalog = (h: SyncHarness) =>
  loadState(store, storeCatalogDecider, storeCatalogStream(h.userId, storeId(h)));
const streamLength = async (h: SyncHarness) =>
  (await store.readStream(storeCatalogStream(h.userId, storeId(h)))).length;

async function post(path: string, body: unknown, authorization: string | null, method = 'POST') {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(authorization !== null ? { Authorization: authorization } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const productsPath = (h: SyncHarness) => `/api/v1/inventories/stores/${storeId(h)}/products`;

/** The v1 form of a simulator product with some fields changed, as Evotor would send it. */
function v1(h: SyncHarness, index: number, fields: Record<string, unknown> = {}) {
  const p = h.evotor.admin.products(storeId(h))[index]!;
  return {
    uuid: p.id,
    parentUuid: p.parent_id ?? null,
    group: false,
    name: p.name,
    code: p.code,
    barCodes: p.barcodes,
    price: p.price,
    costPrice: p.cost_price,
    quantity: p.quantity,
    measureName: p.measure_name,
    tax: p.tax,
    allowToSell: p.allow_to_sell,
    description: p.description,
    articleNumber: p.article_number,
    type: p.type,
    ...fields,
  };
}

describe('Evotor product notifications', () => {
  it('a price edited at the register reaches VK as exactly one market.edit, in one request', async () => {
    await a.configure({ type: 'EnableSync' }, { type: 'ConfirmSync', storeIds: a.storeIds });
    await a.pushUntilSettled();
    const product = a.evotor.admin.products(storeId(a))[3]!;
    const head = (await store.headPosition())!;
    const before = { commit: head.commit + 1, prepare: head.prepare + 1 };
    a.vk.admin.resetCallLog();

    // The simulator's cloud sends the notification, Bearer-authorised, as after a register edit.
    a.evotor.admin.changeProduct(storeId(a), product.id, { price: 777.7 });
    await a.evotor.admin.notifier.settled();
    expect(a.evotor.admin.notifier.log.at(-1)).toMatchObject({ status: 200, attempt: 1 });
    expect((await catalog(a)).products.get(product.id)?.priceKopecks).toBe(77_770);

    // The saga turns the change into a push of changes; the push finds that one product.
    const enqueued: Array<{ name: string; data: Record<string, unknown> }> = [];
    const recording = {
      enqueue: async (name: string, data: Record<string, unknown>) => {
        enqueued.push({ name, data });
        return 'job';
      },
    } as unknown as Scheduler;
    const events: RecordedEvent[] = await store.readAll({ fromPosition: before });
    const saga = mirrorSaga(recording);
    await saga.handle(
      events.filter((e) => saga.eventTypes.includes(e.type)),
      {} as ProjectionTx,
    );
    expect(enqueued).toEqual([{ name: 'vk-push', data: { userId: a.userId, changes: true } }]);

    const report = await a.push({}, 'changes');
    expect(report).toMatchObject({ outcome: 'done', updated: 1, created: 0 });
    const log = a.vk.admin.callLog();
    expect(a.writeCalls()).toEqual({ 'market.edit': 1 });
    expect(log.httpRequests).toBe(1);
    const item = a.vk.admin.snapshot().items.find((i) => i.sku === product.id);
    expect(item?.price).toBe((77_770 / 100) * 1);

    // The lag read model: a change was waiting, the completed push took it out.
    await until(
      'the lag to clear',
      async () => (await userVkLag(sequelize, a.userId)).products === 0,
    );
  });

  it('changes are all taken by the next push of changes, even after a push that failed, and then none is left', async () => {
    await a.pushUntilSettled();
    const products = a.evotor.admin.products(storeId(a)).slice(5, 8);
    for (const [i, product] of products.entries())
      a.evotor.admin.changeProduct(storeId(a), product.id, { price: 500 + i });
    await a.evotor.admin.notifier.settled();
    a.vk.admin.resetCallLog();

    // A push that dies before it completes (VK unreachable) leaves its changes to the next one.
    const unreachable = new Proxy(await a.gateway(), {
      get: () => () => Promise.reject(new Error('VK unreachable')),
    });
    await expect(a.push({ gateway: unreachable }, 'changes')).rejects.toThrow('VK unreachable');

    const report = await a.push({}, 'changes');
    expect(report).toMatchObject({ outcome: 'done', updated: 3 });
    expect(a.writeCalls()).toEqual({ 'market.edit': 3 });
    expect(a.vk.admin.callLog().httpRequests).toBe(1);
    for (const [i, product] of products.entries())
      expect(a.vk.admin.snapshot().items.find((item) => item.sku === product.id)?.price).toBe(
        500 + i,
      );

    // Nothing changed since: the next push of changes appends nothing and calls nothing.
    const mirror = await store.readStream(mirrorStream(a.userId));
    expect(await a.push({}, 'changes')).toMatchObject({ outcome: 'nothing_to_do' });
    expect(await store.readStream(mirrorStream(a.userId))).toHaveLength(mirror.length);
    expect(a.vk.admin.callLog().httpRequests).toBe(1);
  });

  it('accepts the bare token too, and a repeated delivery appends nothing, even after a newer one', async () => {
    const path = productsPath(b);
    const first = [v1(b, 0, { price: 101.5 })];
    expect((await post(path, first, token(b))).status).toBe(200);
    const length = await streamLength(b);
    expect((await post(path, first, `Bearer ${token(b)}`)).status).toBe(200);
    expect(await streamLength(b)).toBe(length);

    expect((await post(path, [v1(b, 0, { price: 120 })], token(b))).status).toBe(200);
    const afterNewer = await streamLength(b);
    // Evotor retries the first delivery late: it must not set the price back.
    expect((await post(path, first, token(b))).status).toBe(200);
    expect(await streamLength(b)).toBe(afterNewer);
    const id = b.evotor.admin.products(storeId(b))[0]!.id;
    expect((await catalog(b)).products.get(id)?.priceKopecks).toBe(12_000);
  });

  it('refuses a bad token, no token and another user’s token in Evotor’s format, changing nothing', async () => {
    const length = await streamLength(a);
    const body = [v1(a, 1, { price: 1 })];
    for (const auth of ['Bearer not-a-token', null, `Bearer ${token(b)}`]) {
      const answer = await post(productsPath(a), body, auth);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ errors: [expect.objectContaining({ code: 1001 })] });
    }
    expect(await streamLength(a)).toBe(length);
    // Nor can another user's token slip a store of its own into the request.
    const receipt = { id: 'e1', data: { id: 'r-x', storeId: storeId(a), type: 'SELL', items: [] } };
    expect((await post('/api/v2/receipts', receipt, token(b))).status).toBe(401);
  });

  it('never removes products: a notification lists only what changed', async () => {
    const before = await catalog(b);
    const added = { uuid: 'new-product-1', name: 'Новый товар', price: 10, quantity: 2 };
    expect((await post(productsPath(b), [added], token(b))).status).toBe(200);
    const after = await catalog(b);
    expect(after.products.size).toBe(before.products.size + 1);
    for (const id of before.products.keys()) expect(after.products.has(id)).toBe(true);
    const events = await store.readStream(storeCatalogStream(b.userId, storeId(b)));
    expect(events.some((e) => e.type === 'ProductRemoved')).toBe(false);
  });

  it('refuses a malformed body with Evotor’s codes', async () => {
    const answer = await post(productsPath(b), [{ name: 'no uuid' }], token(b));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errors: [expect.objectContaining({ code: 2002 })] });
  });
});

describe('receipts', () => {
  it('a sale lowers the stock once per receipt, a refund raises it', async () => {
    const product = b.evotor.admin.products(storeId(b))[2]!;
    const stock = async () => (await catalog(b)).products.get(product.id)!.quantityMilli;
    const start = await stock();
    const sale = {
      id: 'event-1',
      type: 'ReceiptCreated',
      data: {
        id: 'receipt-1',
        storeId: storeId(b),
        type: 'SELL',
        items: [{ id: product.id, quantity: 1.5 }],
      },
    };
    expect((await post('/api/v2/receipts', sale, token(b))).status).toBe(200);
    expect(await stock()).toBe(start - 1500);
    expect((await post('/api/v2/receipts', sale, `Bearer ${token(b)}`)).status).toBe(200);
    expect(await stock()).toBe(start - 1500);

    // Through the simulator: a refund closed at the register.
    b.evotor.admin.closeReceipt(storeId(b), {
      type: 'PAYBACK',
      items: [{ id: product.id, quantity: 1 }],
    });
    await b.evotor.admin.notifier.settled();
    expect(await stock()).toBe(start - 500);
  });
});

describe('stores', () => {
  it('a store notification discovers a store and never loses the others', async () => {
    const stores = [{ uuid: 'store-from-notification', name: 'Новый магазин', address: null }];
    expect((await post('/api/v1/inventories/stores', stores, token(b), 'PUT')).status).toBe(200);
    const known = await loadState(store, storesDecider, storesStream(b.userId));
    expect([...known.stores.keys()].sort()).toEqual(
      [...b.storeIds, 'store-from-notification'].sort(),
    );
    expect([...known.stores.values()].every((s) => !s.lost)).toBe(true);
    // Its products are accepted now.
    const path = '/api/v1/inventories/stores/store-from-notification/products';
    expect((await post(path, [{ uuid: 'p-new', name: 'Товар', price: 5 }], token(b))).status).toBe(
      200,
    );
  });
});
