/**
 * `npm run bench:latency`: how soon a price edited at the register is in VK. One shop of
 * 10,000 products already in VK (the first sync runs with VK's limit lifted, so the setup takes
 * a minute instead of many), then VK at its published 3 requests/s for user tokens, and 100
 * single-product price changes made in the Evotor simulator one every 2 s: the simulator sends
 * its product notification to EvoSync's notification route, the mirror saga enqueues a push of
 * that product, the worker pushes it. Latency: from the edit to the new price in the VK
 * simulator's state (polled every 20 ms).
 *
 * Prints `RESULT latency p50_ms=… p95_ms=… max_ms=… vk_http_per_change=…`.
 */
import { createHash } from 'node:crypto';
import express from 'express';
import { CommandHandler } from '../src/application/commands/command-handler.js';
import { EvotorNotifications } from '../src/application/connections/evotor-notifications.js';
import { evotorApiToken } from '../src/application/connections/fingerprint.js';
import { SYNC_JOBS } from '../src/application/sync/sync-jobs.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { dropDatabase, recreateDatabase } from '../src/infrastructure/db/database.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { buildContainer } from '../src/main/container.js';
import { startWorker } from '../src/main/worker-runtime.js';
import { startEvotorSimulator } from '../src/simulators/evotor/index.js';
import { startVkSimulator } from '../src/simulators/vk/index.js';
import type { SimItem } from '../src/simulators/vk/state.js';
import { linkedEvotorUsers, notificationRoutes } from '../src/web/webhooks/notification-routes.js';
import { dropNamespace } from '../test/scheduler/redis-namespace.js';
import { listenLocal } from '../test/support/http.js';
import {
  connectVk,
  enableAndConfirmSync,
  linkEvotor,
  registerShopOwner,
} from '../test/support/shop-owner.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const EVERY_MS = Number(process.env.BENCH_EVERY_MS ?? 2_000);
const DB_URL = 'mysql://root@127.0.0.1:3306/evosync_bench_latency';
const NAMESPACE = `evosync-bench-latency-${process.pid}`;
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

await recreateDatabase(DB_URL);
const evotor = await startEvotorSimulator({ pageSize: 1000 });
const vk = await startVkSimulator();
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'bench-latency' });
const config = loadConfig(
  {
    NODE_ENV: 'test',
    DATABASE_URL: DB_URL,
    EVENTSTORE_URL: DB_URL,
    AGENDA_NAMESPACE: NAMESPACE,
    EVOTOR_API_URL: evotor.url,
    VK_API_URL: vk.apiUrl,
    CATALOG_REFRESH_INTERVAL_SECONDS: '86400',
  },
  null,
);
const container = await buildContainer(config, logger, { processName: 'bench-latency-worker' });

// EvoSync's notification route, as the web process serves it.
const app = express();
app.use(
  notificationRoutes({
    notifications: new EvotorNotifications({
      store: container.eventStore,
      commands: new CommandHandler(container.eventStore),
      settings: config,
      linkedUsers: linkedEvotorUsers(container.sequelize),
    }),
    logger,
  }),
);
const web = await listenLocal(app);

say(`setting up one shop of ${PRODUCTS} products in VK (VK's limit lifted for the setup)`);
const userId = 'latency-owner';
const { commands, cipher } = container;
await registerShopOwner(commands, cipher, userId, { fingerprint, passwordHash: 'bench' });
const owner = evotor.admin.createUser();
const [seeded] = evotor.admin.seedCatalog(owner.userId, {
  stores: 1,
  groups: 10,
  products: PRODUCTS,
  seed: 17,
}).stores;
const storeId = seeded!.storeId;
const groupId = 9_100_000;
vk.admin.addShop({ token: 'latency-vk', userId: 30_000, communityId: groupId });
vk.admin.setLimits({ user: 1000, community: 1000 });
await connectVk(commands, cipher, userId, {
  token: 'latency-vk',
  groupId,
  fingerprint,
  vkUserId: 30_000,
  vkUserName: 'Владелец',
  groupName: 'Магазин',
});
await enableAndConfirmSync(commands, userId, [storeId]);

const vkItems = (vk.admin as unknown as { core: { state: { items: Map<number, SimItem> } } }).core
  .state.items;
const bySku = () => {
  const items = new Map<string, SimItem>();
  for (const item of vkItems.values())
    if (item.ownerId === -groupId && item.deletedAt === null && item.sku) items.set(item.sku, item);
  return items;
};
async function busyJobs(): Promise<number> {
  let busy = 0;
  for (const name of [SYNC_JOBS.evotorFetch, SYNC_JOBS.vkFetch, SYNC_JOBS.vkPush]) {
    const { jobs } = await container.scheduler.listJobs({ name, limit: 500, skip: 0 });
    busy += jobs.filter((j) => j.state !== 'failed' || j.nextRunAt !== null).length;
  }
  return busy;
}

const worker = await startWorker(container);
const setupStarted = performance.now();
await linkEvotor(commands, cipher, userId, {
  evotorUserId: owner.userId,
  token: owner.token,
  fingerprint,
});
for (let quiet = 0; quiet < 3;) {
  await sleep(1_000);
  quiet = bySku().size >= PRODUCTS && (await busyJobs()) === 0 ? quiet + 1 : 0;
}
say(
  `  ${bySku().size} items in VK after ${((performance.now() - setupStarted) / 1000).toFixed(0)} s`,
);

// From here on VK's published limit, and Evotor's cloud notifies EvoSync of every edit.
vk.admin.setLimits({ user: 3, community: 20 });
evotor.admin.notifier.baseUrl = web.base;
evotor.admin.notifier.appTokens.set(owner.userId, evotorApiToken(config.SECRET_KEY, owner.userId));
vk.admin.resetCallLog();

const products = evotor.admin.products(storeId).slice(0, CHANGES);
const latencies: number[] = [];
const waiting = new Map<string, { priceKopecks: number; at: number }>();
const watcher = setInterval(() => {
  if (waiting.size === 0) return;
  const items = bySku();
  for (const [sku, want] of waiting) {
    const item = items.get(sku);
    if (item && Math.round(item.price * 100) === want.priceKopecks) {
      latencies.push(performance.now() - want.at);
      waiting.delete(sku);
    }
  }
}, 20);
say(`${CHANGES} price changes at the register, one every ${EVERY_MS} ms; VK at 3 requests/s`);
for (const product of products) {
  const price = Math.round((Number(product.price) + 11.11) * 100) / 100;
  waiting.set(product.id, { priceKopecks: Math.round(price * 100), at: performance.now() });
  evotor.admin.changeProduct(storeId, product.id, { price });
  await sleep(EVERY_MS);
}
const deadline = Date.now() + 120_000;
while (waiting.size > 0 && Date.now() < deadline) await sleep(100);
clearInterval(watcher);
const vkLog = vk.admin.callLog();

latencies.sort((x, y) => x - y);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
say(
  `  arrived: ${latencies.length}/${CHANGES}; VK: ${vkLog.httpRequests} HTTP requests, calls ${JSON.stringify(vkLog.calls)}`,
);
await worker.stop();
await web.close();
await container.close();
await Promise.all([evotor.stop(), vk.stop()]);
await dropNamespace(NAMESPACE);
await dropDatabase(DB_URL);
say(
  `RESULT latency p50_ms=${Math.round(pct(0.5))} p95_ms=${Math.round(pct(0.95))} ` +
    `max_ms=${Math.round(latencies.at(-1) ?? NaN)} vk_http_per_change=${(vkLog.httpRequests / CHANGES).toFixed(2)}` +
    (latencies.length < CHANGES ? ` missing=${CHANGES - latencies.length}` : ''),
);
process.exit(0);
