import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { ProjectionTx } from '../../src/application/projections/projection.js';
import type {
  EnqueueOptions,
  JobData,
  JobHandler,
  Scheduler,
} from '../../src/application/ports/scheduler.js';
import { LocalMutex } from '../../src/application/ports/mutex.js';
import { defineSyncJobs, SYNC_JOBS } from '../../src/application/sync/jobs.js';
import { mirrorSaga } from '../../src/application/sync/mirror-saga.js';
import type { SyncGateways, VkMarketGateway } from '../../src/application/sync/ports.js';
import { enqueueChangesPush, enqueueSyncJob } from '../../src/application/sync/sync-jobs.js';
import { evotorAccountStream } from '../../src/domain/connections/evotor-account.js';
import { vkAccountStream } from '../../src/domain/connections/vk-account.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { userDecider } from '../../src/domain/users/decide.js';
import { userStreamId } from '../../src/domain/users/events.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { MemoryScheduler } from '../support/memory-scheduler.js';
import {
  defaultPhotoLoader,
  eligibleUsers,
  httpSyncGateways,
} from '../../src/infrastructure/sync/sync-adapters.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { startReadModelRunners, type Settler } from '../catalog/settle.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { createTestDatabase } from '../support/mariadb.js';
import {
  enableAndConfirmSync,
  connectVk as connectVkCommunity,
  linkEvotor,
  registerShopOwner,
} from '../support/shop-owner.js';

/**
 * The sync jobs as the worker defines them, on the real event store and read tables, against
 * the Evotor and VK simulators over HTTP. The in-memory scheduler runs each enqueued job at
 * once, so a test reads as "this path enqueued that job; this is what reached Evotor and VK".
 */
const logger = createLogger({ level: 'silent' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let container: Container;
let evotor: EvotorSimulator;
const vkSims: VkSimulator[] = [];
let readModels: { settler: Settler; stop(): Promise<void> };
const scheduler = new MemoryScheduler({ runImmediately: true });
const mutex = new LocalMutex();
/** whose VK community lives on which simulator */
const vkOf = new Map<string, VkSimulator>();
/** users whose token VK revokes at the next VK call of a job */
const revokeAtNextCall = new Set<string>();
let eligible: () => Promise<string[]>;
/** a seed per shop: the simulator derives store ids from it */
let seeds = 10;

interface Shop {
  userId: string;
  evotorUserId: string;
  vkToken: string;
  groupId: number;
  vk: VkSimulator;
}

async function vkSimulator(): Promise<VkSimulator> {
  const vk = await startVkSimulator();
  vk.admin.setLimits({ user: 1000, community: 1000 });
  vkSims.push(vk);
  return vk;
}

const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

function revokeVkToken(vk: VkSimulator, token: string): void {
  // What VK does when the owner revokes the app's access: the token stops existing.
  const core = (vk.admin as unknown as { core: { state: { tokens: Map<string, unknown> } } }).core;
  core.state.tokens.delete(token);
}

async function connectVk(shop: Shop, token: string): Promise<void> {
  shop.vk.admin.addToken({ token, kind: 'community', communityIds: [shop.groupId] });
  await connectVkCommunity(container.commands, container.cipher, shop.userId, {
    token,
    groupId: shop.groupId,
    fingerprint,
    tokenKind: 'community',
    vkUserId: null,
    vkUserName: null,
    groupName: 'Магазин',
  });
  shop.vkToken = token;
}

/** An account with these roles, both connections and a confirmed sync of a seeded store. */
async function openShop(roles: string[], vk: VkSimulator, products = 12): Promise<Shop> {
  const userId = `u-${randomUUID().slice(0, 8)}`;
  const { commands, cipher } = container;
  await registerShopOwner(commands, cipher, userId, { roles, fingerprint, actor: 'test' });
  const owner = evotor.admin.createUser();
  const [store] = evotor.admin.seedCatalog(owner.userId, {
    stores: 1,
    groups: 2,
    products,
    seed: ++seeds,
  }).stores;
  await linkEvotor(commands, cipher, userId, {
    evotorUserId: owner.userId,
    token: owner.token,
    fingerprint,
    actor: 'test',
  });
  const shop: Shop = {
    userId,
    evotorUserId: owner.userId,
    vkToken: '',
    groupId: 8_000_000 + Math.floor(Math.random() * 1_000_000),
    vk,
  };
  vk.admin.addCommunity({ id: shop.groupId });
  vkOf.set(userId, vk);
  await connectVk(shop, `vk-${randomUUID()}`);
  await enableAndConfirmSync(commands, userId, [store!.storeId], 'test');
  return shop;
}

function gateways(): SyncGateways {
  const evotorGateways = httpSyncGateways(
    { EVOTOR_API_URL: evotor.url, VK_API_URL: 'http://127.0.0.1:1', VK_API_VERSION: '5.199' },
    container.apiLog,
  );
  return {
    evotor: evotorGateways.evotor,
    evotorImages: evotorGateways.evotorImages,
    vk: (userId, connection) => {
      const vk = vkOf.get(userId)!;
      const gateway = httpSyncGateways(
        { EVOTOR_API_URL: evotor.url, VK_API_URL: vk.apiUrl, VK_API_VERSION: '5.199' },
        container.apiLog,
      ).vk(userId, connection);
      return revoking(userId, vk, connection.token, gateway);
    },
  };
}

/** The gateway, but VK revokes the token just before the first call when the test asked. */
function revoking(
  userId: string,
  vk: VkSimulator,
  token: string,
  gateway: VkMarketGateway,
): VkMarketGateway {
  const before = () => {
    if (revokeAtNextCall.delete(userId)) revokeVkToken(vk, token);
  };
  return {
    fetchAlbums: () => (before(), gateway.fetchAlbums()),
    fetchItems: () => (before(), gateway.fetchItems()),
    run: (calls) => (before(), gateway.run(calls)),
    uploadProductPhoto: (file, name) => (before(), gateway.uploadProductPhoto(file, name)),
    postProductPhoto: (url, file, name) => (before(), gateway.postProductPhoto(url, file, name)),
  };
}

const evotorRequestsOf = (shops: Shop[]) =>
  evotor.admin.requestLog.filter((r) => shops.some((s) => s.evotorUserId === r.userId)).length;
const vkItemsOf = (shop: Shop) =>
  shop.vk.admin.snapshot().items.filter((i) => i.ownerId === -shop.groupId && i.deletedAt === null);

/** A shop of `products` through a first sync's order: Evotor, then the push; all in VK. */
async function firstSyncedShop(products: number): Promise<Shop> {
  const shop = await openShop(['user'], await vkSimulator(), products);
  await enqueueSyncJob(scheduler, SYNC_JOBS.evotorFetch, shop.userId);
  await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, shop.userId);
  expect(vkItemsOf(shop)).toHaveLength(products);
  return shop;
}

beforeAll(async () => {
  db = await createTestDatabase('sync-jobs');
  evotor = await startEvotorSimulator();
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      EVENTSTORE_URL: db.url,
      EVOTOR_API_URL: evotor.url,
    },
    null,
  );
  container = await buildContainer(config, logger, { processName: 'test' });
  readModels = startReadModelRunners(container, logger);
  eligible = () => eligibleUsers(container.sequelize);
  defineSyncJobs({
    store: container.eventStore,
    commands: container.commands,
    cipher: container.cipher,
    scheduler,
    mutex,
    gateways: gateways(),
    eligibleUsers: () => eligible(),
    settings: { categoryId: 40932, stockAmount: 1000 },
    defaultPhoto: defaultPhotoLoader('assets/default_product.png'),
    logger,
  });
}, 60_000);

afterAll(async () => {
  await readModels?.stop();
  await container?.close();
  await Promise.all([evotor?.stop(), ...vkSims.map((vk) => vk.stop())]);
  await db?.drop();
});

describe('accounts that are not shop owners', () => {
  it('get no Evotor and no VK call through any path: pipeline, saga, sync now, resume', async () => {
    const staffVk = await vkSimulator();
    const system = await openShop(['system'], staffVk);
    const promoted = await openShop(['user'], staffVk);
    await container.commands.handle(
      userDecider,
      userStreamId(promoted.userId),
      { type: 'ChangeRoles', roles: ['user', 'admin'] },
      { actor: 'test' },
    );
    const ownerVk = await vkSimulator();
    const owner = await openShop(['user'], ownerVk);
    const staff = [system, promoted];
    await readModels.settler.settle();

    // The pipeline, from the read tables: the owner only.
    const listed = await eligibleUsers(container.sequelize);
    expect(listed).toContain(owner.userId);
    expect(listed).not.toContain(system.userId);
    expect(listed).not.toContain(promoted.userId);
    await scheduler.enqueue(SYNC_JOBS.pipeline, {});

    // The pipeline again, as if the read tables were behind a role change.
    eligible = async () => staff.map((s) => s.userId);
    await scheduler.enqueue(SYNC_JOBS.pipeline, {});
    eligible = () => eligibleUsers(container.sequelize);

    // The mirror saga, given every event of the staff accounts' connections and sync config.
    const events: RecordedEvent[] = [];
    for (const s of staff) {
      for (const stream of [
        evotorAccountStream(s.userId),
        vkAccountStream(s.userId),
        syncConfigStream(s.userId),
      ])
        events.push(...(await container.eventStore.readStream(stream)));
    }
    await mirrorSaga(scheduler).handle(events, {} as ProjectionTx);

    // «Синхронизировать сейчас», resume, and any other path: every job kind, enqueued directly.
    for (const s of staff) {
      for (const job of [SYNC_JOBS.evotorFetch, SYNC_JOBS.vkFetch, SYNC_JOBS.vkPush] as const)
        await enqueueSyncJob(scheduler, job, s.userId);
    }

    expect(evotorRequestsOf(staff)).toBe(0);
    expect(staffVk.admin.callLog().httpRequests).toBe(0);
    // The same paths did reach Evotor and VK for the shop owner.
    expect(evotorRequestsOf([owner])).toBeGreaterThan(0);
    expect(ownerVk.admin.callLog().httpRequests).toBeGreaterThan(0);
  }, 120_000);
});

describe('after a push that wrote to VK', () => {
  it('the VK catalog read model shows the items it created', async () => {
    const shop = await firstSyncedShop(15);
    await readModels.settler.settle();
    const [row] = await container.sequelize.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM vk_cached_products
        WHERE user_id = ? AND deleted = 0 AND gone = 0`,
      { replacements: [shop.userId], type: QueryTypes.SELECT },
    );
    expect(Number(row?.n)).toBe(15);
  }, 120_000);
});

describe('pushes of changes', () => {
  it('ten changes that arrive while a push holds the lock become one following push: one execute', async () => {
    const shop = await firstSyncedShop(15);

    // Another push holds the user's lock; ten prices change at the register meanwhile, each
    // change asking for a push of changes (as the mirror saga does).
    let release!: () => void;
    const held = mutex.tryWithLock(
      `vk-push:${shop.userId}`,
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    const [store] = evotor.admin.storesOf(shop.evotorUserId);
    const changed = evotor.admin.products(store!.store.id).slice(0, 10);
    for (const [i, product] of changed.entries())
      evotor.admin.changeProduct(store!.store.id, product.id, { price: 300 + i });
    await enqueueSyncJob(scheduler, SYNC_JOBS.evotorFetch, shop.userId);
    shop.vk.admin.resetCallLog();
    const asked = changed.map(() => enqueueChangesPush(scheduler, shop.userId));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(shop.vk.admin.callLog().httpRequests).toBe(0);

    release();
    await held;
    await Promise.all(asked);
    await scheduler.runPending();
    // One push after the lock was free: the ten edits in one execute, and nothing after it.
    expect(shop.vk.admin.callLog()).toMatchObject({
      httpRequests: 1,
      calls: { execute: 1, 'market.edit': 10 },
    });
    const prices = new Map(vkItemsOf(shop).map((item) => [item.sku, item.price]));
    for (const [i, product] of changed.entries()) expect(prices.get(product.id)).toBe(300 + i);
  }, 120_000);
});

describe('a VK token revoked during a push', () => {
  it('is recorded as the connection health at once and stops VK work until reconnected', async () => {
    const shop = await openShop(['user'], await vkSimulator(), 10);
    await enqueueSyncJob(scheduler, SYNC_JOBS.evotorFetch, shop.userId);
    revokeAtNextCall.add(shop.userId);
    await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, shop.userId);

    const state = async () =>
      (await container.eventStore.readStream(vkAccountStream(shop.userId)))
        .map((e) => e.data as { healthy?: boolean })
        .filter((d) => d.healthy !== undefined)
        .map((d) => d.healthy);
    // The fetch found the token working; the push met the refusal and recorded it at once.
    expect(await state()).toEqual([true, false]);
    await readModels.settler.settle();
    const health = async () =>
      (
        await container.sequelize.query<{ healthy: number | null }>(
          'SELECT healthy FROM vk_connections WHERE user_id = ?',
          { replacements: [shop.userId], type: QueryTypes.SELECT },
        )
      )[0]?.healthy;
    expect(await health()).toBe(0);

    // Until the owner reconnects, no job of this user calls VK.
    const calls = shop.vk.admin.callLog().httpRequests;
    for (const job of [SYNC_JOBS.vkPush, SYNC_JOBS.vkFetch, SYNC_JOBS.evotorFetch] as const)
      await enqueueSyncJob(scheduler, job, shop.userId);
    expect(shop.vk.admin.callLog().httpRequests).toBe(calls);
    expect(vkItemsOf(shop)).toHaveLength(0);

    await connectVk(shop, `vk-${randomUUID()}`);
    await enqueueSyncJob(scheduler, SYNC_JOBS.vkPush, shop.userId);
    expect(vkItemsOf(shop)).toHaveLength(10);
    // The fetch after the push found the new token working.
    expect(await state()).toEqual([true, false, true]);
  }, 120_000);
});

describe('one unique key per job kind', () => {
  it('the pipeline, the saga and the owner page enqueue the Evotor fetch under one key', async () => {
    const keys: Array<{ name: string; key: string | undefined }> = [];
    const handlers = new Map<string, JobHandler>();
    const recording = {
      define: (name: string, handler: JobHandler) => handlers.set(name, handler),
      enqueue: async (name: string, _data: JobData, options?: EnqueueOptions) => {
        keys.push({ name, key: options?.uniqueKey });
        return 'job';
      },
    } as unknown as Scheduler;
    defineSyncJobs({
      store: container.eventStore,
      commands: container.commands,
      cipher: container.cipher,
      scheduler: recording,
      mutex: new LocalMutex(),
      gateways: gateways(),
      eligibleUsers: async () => ['u-key'],
      settings: { categoryId: 40932, stockAmount: 1000 },
      defaultPhoto: defaultPhotoLoader('assets/default_product.png'),
      logger,
    });
    const ctx = {
      jobId: 'pipeline',
      attempt: 1,
      touch: async () => {},
      signal: new AbortController().signal,
    };
    await handlers.get(SYNC_JOBS.pipeline)!({}, ctx);
    const tokenReceived = { type: 'EvotorTokenReceived', data: { userId: 'u-key' } };
    await mirrorSaga(recording).handle(
      [tokenReceived as unknown as RecordedEvent],
      {} as ProjectionTx,
    );
    // What «Синхронизировать сейчас» calls.
    await enqueueSyncJob(recording, SYNC_JOBS.evotorFetch, 'u-key');

    const fetchKeys = keys.filter((k) => k.name === SYNC_JOBS.evotorFetch).map((k) => k.key);
    expect(fetchKeys).toEqual(['evotor-fetch:u-key', 'evotor-fetch:u-key', 'evotor-fetch:u-key']);
  });
});
