import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_JOBS } from '../../src/application/sync/jobs.js';
import { syncConfigDecider } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { startWorker, type Worker } from '../../src/main/worker-runtime.js';
import { startEsdbSimulator, type EsdbSimulator } from '../simulators/esdb/server.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { createTestDatabase } from '../support/mariadb.js';
import { connectVk, linkEvotor, registerShopOwner } from '../support/shop-owner.js';
import {
  dropNamespace,
  LOCAL_REDIS_URL,
  uniqueNamespace,
  waitFor,
} from '../scheduler/redis-namespace.js';

/**
 * The production shape of a sync: the worker's composition (`startWorker`: every read-model
 * runner and the mirror saga with checkpoints in MariaDB, the sync jobs and the periodic
 * pipeline on the Agenda scheduler) over the EventStoreDB adapter, which talks gRPC through the
 * real @eventstore/db-client to the protocol simulator. Nothing is driven by hand: the test
 * only records what an owner does (connect, configure) and what Evotor does (a price change),
 * and waits for what VK and the read tables show.
 */
const logger = createLogger({ level: 'silent' });
const VK_GROUP = 7_300_000 + Math.floor(Math.random() * 100_000);
const VK_TOKEN = `vk-${randomUUID()}`;
const namespace = uniqueNamespace('esdb-pipeline');
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

let esdb: EsdbSimulator;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let evotor: EvotorSimulator;
let vk: VkSimulator;
let container: Container;
let worker: Worker;

beforeAll(async () => {
  [esdb, db, evotor, vk] = await Promise.all([
    startEsdbSimulator(),
    createTestDatabase('esdb-pipeline'),
    startEvotorSimulator({ pageSize: 50 }),
    startVkSimulator(),
  ]);
  // The protocol of VK (execute, the client's limiter) but not its pace of 3 requests/s.
  vk.admin.setLimits({ user: 1000, community: 1000 });
  vk.admin.addShop({ token: VK_TOKEN, userId: 501, communityId: VK_GROUP });
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      EVENTSTORE_URL: esdb.url,
      AGENDA_URL: LOCAL_REDIS_URL,
      REDIS_URL: LOCAL_REDIS_URL,
      EVOTOR_API_URL: evotor.url,
      VK_API_URL: vk.apiUrl,
    },
    null,
  );
  container = await buildContainer(config, logger, {
    processName: 'esdb-pipeline',
    schedulerNamespace: namespace,
  });
  expect((await container.eventStore.health()).adapter).toBe('esdb');
  worker = await startWorker(container);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await container?.close();
  await Promise.all([esdb?.stop(), evotor?.stop(), vk?.stop()]);
  await db?.drop();
  await dropNamespace(namespace);
});

const visibleItems = () =>
  vk.admin
    .snapshot()
    .items.filter((i) => i.ownerId === -VK_GROUP && i.deletedAt === null && !i.hidden);

const writeCalls = (): Record<string, number> =>
  Object.fromEntries(
    Object.entries(vk.admin.callLog().calls).filter(
      ([method]) => !/\.(get|getAlbums|getById)$/.test(method) && method !== 'execute',
    ),
  );

/**
 * True when the worker has nothing left to do: every runner (the saga too) has handled the
 * store's head, no job is queued or running, and the head did not move meanwhile. The saga
 * enqueues before its checkpoint commits, so a runner at the head means its jobs are queued.
 */
async function workerIdle(): Promise<boolean> {
  const head = await container.eventStore.headPosition();
  if (!head) return false;
  for (const runner of worker.runners) if (!(await runner.waitForPosition(head, 0))) return false;
  for (const state of ['queued', 'running'] as const) {
    const { total } = await container.scheduler.listJobs({ state, limit: 1, skip: 0 });
    if (total > 0) return false;
  }
  const after = await container.eventStore.headPosition();
  return after?.commit === head.commit && after.prepare === head.prepare;
}

async function vkCatalogRows(userId: string) {
  return container.sequelize.query<{ sku: string; price_kopecks: number | string }>(
    `SELECT sku, price_kopecks FROM vk_cached_products
      WHERE user_id = ? AND deleted = 0 AND gone = 0 ORDER BY sku`,
    { replacements: [userId], type: QueryTypes.SELECT },
  );
}

describe('a whole sync on the EventStoreDB adapter, through the worker', () => {
  it('mirrors the in-scope products, shows them in the VK catalog, follows a price change with one edit', async () => {
    const { commands, cipher } = container;
    const userId = `u-${randomUUID().slice(0, 8)}`;
    const meta = { actor: userId };
    await registerShopOwner(commands, cipher, userId, { fingerprint });
    const owner = evotor.admin.createUser();
    const storeId = evotor.admin.seedCatalog(owner.userId, {
      stores: 1,
      groups: 3,
      products: 24,
      seed: 21,
    }).stores[0]!.storeId;
    const products = evotor.admin.products(storeId);
    // Two products the owner keeps out of VK: the scope the mirror must honour.
    const excluded = products.slice(0, 2);
    const inScope = products.filter((p) => !excluded.includes(p));

    // What the owner does in the web: link Evotor, connect VK, choose the scope, confirm.
    await linkEvotor(commands, cipher, userId, {
      evotorUserId: owner.userId,
      token: owner.token,
      fingerprint,
    });
    await connectVk(commands, cipher, userId, { token: VK_TOKEN, groupId: VK_GROUP, fingerprint });
    await commands.handleMany(
      syncConfigDecider,
      syncConfigStream(userId),
      [
        { type: 'EnableSync', userId },
        ...excluded.map(
          (p) =>
            ({
              type: 'SetFilterRule',
              userId,
              entityType: 'product',
              entityId: p.id,
              entityName: p.name,
              mode: 'exclude',
              parentEntityId: p.parent_id ?? null,
            }) as const,
        ),
        { type: 'ConfirmSync', userId, storeIds: [storeId] },
      ],
      meta,
    );

    // The saga enqueues the fetches and the push; the jobs do the rest.
    const expected = inScope.map((p) => p.id).sort();
    const skus = () =>
      visibleItems()
        .map((i) => i.sku)
        .sort();
    await waitFor(
      () => JSON.stringify(skus()) === JSON.stringify(expected),
      'the in-scope products in VK',
      40_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; VK shows ${JSON.stringify(skus())}`);
    });
    expect(skus()).toEqual(expected);
    await waitFor(
      async () =>
        JSON.stringify((await vkCatalogRows(userId)).map((r) => r.sku)) ===
        JSON.stringify(expected),
      'the VK catalog read table',
      20_000,
    );
    expect((await vkCatalogRows(userId)).map((r) => r.sku)).toEqual(expected);

    // Once the first sync's follow-up jobs are done (so none of them can be the one that
    // notices the change), Evotor changes a price; the periodic pipeline, run now, finds it
    // and the saga's push edits it.
    await waitFor(workerIdle, 'the worker to finish the first sync', 30_000);
    const changed = inScope[0]!;
    vk.admin.resetCallLog();
    evotor.admin.changeProduct(storeId, changed.id, { price: 4321 });
    await container.scheduler.enqueue(SYNC_JOBS.pipeline, {});
    const priceInVk = () => visibleItems().find((i) => i.sku === changed.id)?.price;
    await waitFor(() => priceInVk() === 4321, 'the new price in VK', 20_000);
    // A push of changes reads nothing back from VK (fifty calls for one change at 10,000
    // items): the next periodic run's VK fetch brings the edit into the read table; after it,
    // nothing else is left to write.
    await waitFor(workerIdle, 'the worker to finish the push', 30_000);
    await container.scheduler.enqueue(SYNC_JOBS.pipeline, {});
    await waitFor(
      async () =>
        Number((await vkCatalogRows(userId)).find((r) => r.sku === changed.id)?.price_kopecks) ===
        432_100,
      'the new price in the VK catalog read table',
      20_000,
    );
    expect(writeCalls()).toEqual({ 'market.edit': 1 });
    expect(skus()).toEqual(expected);
  }, 90_000);
});
