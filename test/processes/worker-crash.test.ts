import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_JOBS } from '../../src/application/sync/sync-jobs.js';
import { evotorAccount, evotorAccountStream } from '../../src/domain/connections/evotor-account.js';
import { vkAccount, vkAccountStream } from '../../src/domain/connections/vk-account.js';
import { syncConfigDecider } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream } from '../../src/domain/sync-config/events.js';
import { userDecider } from '../../src/domain/users/decide.js';
import { userStreamId } from '../../src/domain/users/events.js';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { createTestDatabase } from '../support/mariadb.js';
import { dropNamespace, uniqueNamespace } from '../scheduler/redis-namespace.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import {
  startVkSimulator,
  type VkSimulator,
  type VkSimulatorOptions,
} from '../../src/simulators/vk/index.js';

const USER = 'crash-test-owner';
const VK_GROUP = 3_100_001;
const VK_TOKEN = 'vk-crash-token';
const PRODUCTS = 30;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let evotor: EvotorSimulator;
let vk: VkSimulator;
const vkOptions: VkSimulatorOptions = {};
let container: Container;
let env: NodeJS.ProcessEnv;
const namespace = uniqueNamespace('worker-crash');
const children: ChildProcess[] = [];

async function until<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  ms = 90_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/worker.ts'], {
    env,
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

const items = () =>
  vk.admin.snapshot().items.filter((i) => i.ownerId === -VK_GROUP && i.deletedAt === null);

beforeAll(async () => {
  db = await createTestDatabase('crash');
  evotor = await startEvotorSimulator();
  const evotorUser = evotor.admin.createUser();
  const [store] = evotor.admin.seedCatalog(evotorUser.userId, {
    stores: 1,
    groups: 2,
    products: PRODUCTS,
    seed: 4,
  }).stores;
  vk = await startVkSimulator(vkOptions);
  vk.admin.addShop({ token: VK_TOKEN, userId: 501, communityId: VK_GROUP });

  // Vite puts BASE_URL ("/") into the environment; the worker must not inherit it.
  const { BASE_URL: _vite, ...inherited } = process.env;
  env = {
    ...inherited,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    EVENTSTORE_URL: db.url,
    AGENDA_NAMESPACE: namespace,
    SECRET_KEY: 'crash-test-secret-key-0123456789',
    EVOTOR_API_URL: evotor.url,
    VK_API_URL: vk.apiUrl,
  };
  container = await buildContainer(loadConfig(env, null), createLogger({ level: 'silent' }), {
    processName: 'test',
  });
  const { commands, cipher } = container;
  const meta = { actor: USER };
  const fp = (t: string) => createHash('sha256').update(t).digest('hex');
  // A shop owner: only role `user` accounts are synced.
  await commands.handle(
    userDecider,
    userStreamId(USER),
    {
      type: 'RegisterUser',
      userId: USER,
      email: await cipher.encrypt(USER, 'crash@example.com'),
      emailHash: fp('crash@example.com'),
      name: null,
      passwordHash: await cipher.encrypt(USER, 'not-a-real-hash'),
      roles: ['user'],
      status: 'active',
      confirmation: null,
    },
    meta,
  );
  await commands.handle(
    syncConfigDecider,
    syncConfigStream(USER),
    { type: 'EnableSync', userId: USER },
    meta,
  );
  await commands.handle(
    syncConfigDecider,
    syncConfigStream(USER),
    { type: 'ConfirmSync', userId: USER, storeIds: [store!.storeId] },
    meta,
  );
  await commands.handle(
    vkAccount,
    vkAccountStream(USER),
    {
      type: 'ConnectVkCommunity',
      userId: USER,
      vkUserId: 501,
      vkUserName: 'Тест',
      groupId: VK_GROUP,
      groupName: 'Магазин',
      tokenCiphertext: await cipher.encrypt(USER, VK_TOKEN),
      tokenFingerprint: fp(VK_TOKEN),
      tokenKind: 'user',
    },
    meta,
  );
  // The token's arrival makes the worker's saga fetch the catalog, which makes it push.
  await commands.handle(
    evotorAccount,
    evotorAccountStream(USER),
    {
      type: 'ReceiveEvotorToken',
      userId: USER,
      tokenCiphertext: await cipher.encrypt(USER, evotorUser.token),
      tokenFingerprint: fp(evotorUser.token),
    },
    meta,
  );
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await container?.close();
  await Promise.all([evotor?.stop(), vk?.stop()]);
  await dropNamespace(namespace);
  await db?.drop();
});

describe('a worker killed between market.add and recording its outcome', () => {
  it('leaves no duplicate item, and the restarted worker carries on within two minutes', async () => {
    const first = startWorkerProcess();
    // Once the albums exist the adds come next: slow VK's answers down so the process can be
    // killed after VK executed the adds but before their answer (and so their outcome) arrived.
    await until(
      'the album',
      () => vk.admin.callLog().calls['market.addAlbum'] ?? 0,
      (n) => n > 0,
    );
    vkOptions.latencyMs = { min: 3000, max: 3000 };
    const added = await until(
      'the first adds in VK',
      () => items().length,
      (n) => n > 0,
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    vkOptions.latencyMs = undefined;
    // Requests already on their way still reach VK after the kill, as they would for real.
    const inVkAtCrash = items().length;
    const mirror = await container.eventStore.readStream(`vk-mirror-${USER}`);
    expect(mirror.filter((e) => e.type === 'VkItemCreated')).toHaveLength(0);
    expect(mirror.filter((e) => e.type === 'VkItemCreateRequested').length).toBeGreaterThanOrEqual(
      added,
    );

    // The killed run's push job stays locked by the dead worker. Other pushes that were waiting
    // (triggers that arrived during the run) are removed, so only that job can finish the work.
    const pushes = async () =>
      (await container.scheduler.listJobs({ name: SYNC_JOBS.vkPush, limit: 50, skip: 0 })).jobs;
    // Locked by the dead worker: the run it was in, and any it had locked ahead of its turn.
    const held = (await pushes()).filter((job) => job.state === 'running').map((job) => job.id);
    expect(held.length).toBeGreaterThan(0);
    for (const job of await pushes())
      if (job.state !== 'running') await container.scheduler.cancelJob(job.id);

    // Restart, and nothing else: the dead worker's lock (60 s, renewed by heartbeats while it
    // lived) expires and the new worker takes the job over.
    startWorkerProcess();
    // Liveness, not a benchmark: two minutes is what the shop may wait after a crash.
    await until(
      'every product in VK',
      () => items().length,
      (n) => n >= PRODUCTS,
      120_000,
    );
    await until(
      "the dead worker's jobs taken over and finished",
      pushes,
      (jobs) => !jobs.some((job) => held.includes(job.id)),
    );
    await until(
      'the outcomes recorded',
      async () => (await container.eventStore.readStream(`vk-mirror-${USER}`)).map((e) => e.type),
      (types) =>
        types.filter((t) => t === 'VkItemCreated' || t === 'VkItemAdopted').length === PRODUCTS,
    );

    const skus = items().map((i) => i.sku);
    expect(skus).toHaveLength(PRODUCTS);
    expect(new Set(skus).size).toBe(PRODUCTS);
    const types = (await container.eventStore.readStream(`vk-mirror-${USER}`)).map((e) => e.type);
    // Every item VK made for the killed worker was adopted by its sku, the rest created once.
    const adopted = types.filter((t) => t === 'VkItemAdopted').length;
    expect(adopted).toBeGreaterThanOrEqual(inVkAtCrash);
    expect(types.filter((t) => t === 'VkItemCreated')).toHaveLength(PRODUCTS - adopted);
  }, 180_000);
});
