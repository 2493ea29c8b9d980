/**
 * Web benchmark of the catalog browser: 10,000 products of one store (50 groups) written as
 * Evotor catalog events into a dedicated MariaDB database (also the event store), projected by
 * the worker's runners; the real web app on a random port, a logged-in owner, and autocannon
 * on a middle page of /catalog/stores/{id}/products against a bare Express route in the same
 * process, both asked as a browser asks (Accept-Encoding: gzip), taking turns in five rounds
 * (BENCH_DURATION seconds each in all). The last line is machine-readable:
 *   RESULT web products_rps=<n> products_p99_ms=<n> bare_rps=<n>
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import express from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { NewEvent } from '../src/application/ports/event-store.js';
import {
  storeCatalogStream,
  storesStream,
  type CatalogProduct,
} from '../src/domain/catalog/events.js';
import { mirrorStream } from '../src/domain/mirror/events.js';
import { syncConfigStream } from '../src/domain/sync-config/events.js';
import { loadConfig } from '../src/infrastructure/config/config.js';
import { recreateDatabase } from '../src/infrastructure/db/database.js';
import { createLogger } from '../src/infrastructure/logging/logger.js';
import { buildContainer } from '../src/main/container.js';
import { buildWebApp } from '../src/main/web-runtime.js';
import { startReadModelRunners } from '../test/catalog/settle.js';
import { newEvent } from '../test/support/events.js';
import { listenLocal } from '../test/support/http.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const GROUPS = 50;
/** seconds per target, in ROUNDS turns */
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = 5;
const CONNECTIONS = 10;
const PAGE = Number(process.env.BENCH_PAGE ?? Math.ceil(PRODUCTS / 50 / 2));
const ROOT = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const DB = 'evosync_bench_web';
const PASSWORD = 'Bench-password-42';

let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const KINDS = ['Молоко', 'Сок', 'Чай', 'Кофе', 'Хлеб', 'Сыр', 'Печенье', 'Шоколад', 'Вода'];
const BRANDS = ['Простоквашино', 'Добрый', 'Greenfield', 'Jacobs', 'Хлебный дом', 'Alpen Gold'];

function catalogEvents(userId: string, storeId: string): NewEvent[] {
  const groups: Array<{ id: string; parentId: string | null; name: string }> = [];
  for (let i = 0; i < GROUPS; i++) {
    // ten top-level groups, each with four subgroups
    const parentId = i < 10 ? null : groups[i % 10]!.id;
    groups.push({ id: randomUUID(), parentId, name: `${KINDS[i % KINDS.length]} ${i + 1}` });
  }
  const events = groups.map((group) => newEvent('GroupAdded', { userId, storeId, group }));
  for (let i = 0; i < PRODUCTS; i++) {
    const kind = KINDS[Math.floor(random() * KINDS.length)]!;
    const product: CatalogProduct = {
      id: randomUUID(),
      groupId: groups[Math.floor(random() * GROUPS)]!.id,
      name: `${kind} ${BRANDS[Math.floor(random() * BRANDS.length)]} ${i + 1}`,
      productType: 'NORMAL',
      priceKopecks: 1000 + Math.floor(random() * 500_000),
      costPriceKopecks: 500,
      quantityMilli: Math.floor(random() * 100_000),
      measureName: 'шт',
      tax: 'NO_VAT',
      allowToSell: random() > 0.1,
      description: `${kind}, описание`,
      articleNumber: `A-${String(i).padStart(6, '0')}`,
      code: String(i),
      barcodes: [`46${String(10_000_000_000 + i)}`],
    };
    events.push(newEvent('ProductAdded', { userId, storeId, product }));
  }
  return events;
}

async function main() {
  const url = `${ROOT.replace(/\/$/, '')}/${DB}`;
  await recreateDatabase(url);
  const logger = createLogger({ level: 'warn' });
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATABASE_URL: url,
      EVENTSTORE_URL: url,
      AGENDA_URL: process.env.AGENDA_URL ?? 'redis://127.0.0.1:6379',
      SECRET_KEY: 'bench-secret-key-0123456789',
      BASE_URL: 'http://127.0.0.1:9',
      EMAIL_PROVIDER: 'console',
      LOG_LEVEL: 'warn',
    },
    null,
  );
  const c = await buildContainer(config, logger, {
    processName: 'bench-web',
    schedulerNamespace: `bench-web-${randomUUID().slice(0, 8)}`,
  });
  const web = await buildWebApp(c);
  // What NODE_ENV=production turns on in Express: compiled templates are kept.
  web.app.enable('view cache');
  const runners = startReadModelRunners(c, logger);
  const { settler } = runners;

  const email = 'bench@example.test';
  const userId = await web.accounts.accounts.admin.createSystemAccount(email, PASSWORD);
  const storeId = randomUUID();
  const seeded = Date.now();
  await c.eventStore.appendToStream(storesStream(userId), [
    newEvent('StoreDiscovered', {
      userId,
      store: { id: storeId, name: 'Магазин «Бенчмарк»', address: 'Москва' },
    }),
  ]);
  const events = catalogEvents(userId, storeId);
  for (let i = 0; i < events.length; i += 1000) {
    await c.eventStore.appendToStream(
      storeCatalogStream(userId, storeId),
      events.slice(i, i + 1000),
    );
  }
  // Some published items and two rules, so the page's joins and scope marks do real work.
  const productIds = events
    .filter((e) => e.type === 'ProductAdded')
    .map((e) => (e.data as { product: CatalogProduct }).product.id);
  const mirror = productIds
    .slice(0, 3000)
    .flatMap((productId, i) => [
      newEvent('VkItemCreateRequested', { userId, productId, sku: productId, requestId: `r${i}` }),
      newEvent('VkItemAdopted', { userId, productId, requestId: `r${i}`, itemId: 100_000 + i }),
    ]);
  for (let i = 0; i < mirror.length; i += 1000) {
    await c.eventStore.appendToStream(mirrorStream(userId), mirror.slice(i, i + 1000));
  }
  const rule = (entityType: string, entityId: string, mode: string) =>
    newEvent('SyncFilterRuleSet', {
      userId,
      rule: { entityType, entityId, entityName: entityId, mode, parentEntityId: null },
    });
  const someGroup = (events[3]!.data as { group: { id: string } }).group.id;
  await c.eventStore.appendToStream(syncConfigStream(userId), [
    rule('group', someGroup, 'exclude'),
    rule('product', productIds[42]!, 'exclude'),
  ]);
  await settler.settle(600_000);
  const [{ n }] = (await c.sequelize.query(
    'SELECT COUNT(*) AS n FROM cached_products WHERE user_id = ? AND removed = 0',
    { replacements: [userId], type: QueryTypes.SELECT },
  )) as [{ n: number }];
  console.log(
    `seeded ${n} products, ${GROUPS} groups in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );

  const server = await listenLocal(web.app);
  const { base } = server;
  const cookie = await login(base, email);
  const bare = express();
  bare.get('/bench/bare', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  const bareServer = await listenLocal(bare);
  const bareUrl = `${bareServer.base}/bench/bare`;

  const pagePath = `/catalog/stores/${storeId}/products?page=${PAGE}`;
  const check = await fetch(base + pagePath, {
    headers: { cookie, 'accept-encoding': 'gzip, deflate, br' },
  });
  const html = await check.text();
  if (check.headers.get('content-encoding') !== 'gzip') throw new Error('the page is not gzipped');
  const rows = html.match(/form="rule-form" name="include"/g)?.length ?? 0;
  if (check.status !== 200 || rows !== 50 || !html.includes(`Страница ${PAGE} из`)) {
    throw new Error(`products page is not what the bench expects: ${check.status}, ${rows} rows`);
  }
  console.log(`page ${PAGE}: ${html.length} bytes, ${rows} products`);
  await explain(c.sequelize, userId, storeId);

  // As a browser asks: the page is sent gzip-compressed then (the bare route ignores it).
  const browser = { 'accept-encoding': 'gzip, deflate, br' };
  const run = (target: string, seconds: number, headers: Record<string, string> = {}) =>
    autocannon({
      url: target,
      connections: CONNECTIONS,
      duration: seconds,
      headers: { ...browser, ...headers },
    });
  // The two take turns in short rounds, so that a slower stretch of a shared machine falls on
  // both alike; the figures are over all rounds.
  const bareRuns: autocannon.Result[] = [];
  const pageRuns: autocannon.Result[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await run(bareUrl, DURATION / ROUNDS));
    pageRuns.push(await run(base + pagePath, DURATION / ROUNDS, { cookie }));
  }
  // For scale: a signed-in page doing no catalog work (session, current user, a small render).
  const profileResult = await run(`${base}/profile`, DURATION / ROUNDS, { cookie });
  console.log(`profile page (signed-in baseline): ${profileResult.requests.average} req/s avg`);
  const summary = (runs: autocannon.Result[]) => ({
    rps: runs.reduce((n, r) => n + r.requests.total, 0) / DURATION,
    p50: Math.max(...runs.map((r) => r.latency.p50)),
    p99: Math.max(...runs.map((r) => r.latency.p99)),
    bytes:
      runs.reduce((n, r) => n + r.throughput.total, 0) /
      runs.reduce((n, r) => n + r.requests.total, 0),
    failed: runs.reduce((n, r) => n + r.non2xx + r.errors, 0),
  });
  const bareResult = summary(bareRuns);
  const pageResult = summary(pageRuns);
  for (const [name, r] of [
    ['bare', bareResult],
    ['products', pageResult],
  ] as const) {
    console.log(
      `${name}: ${r.rps.toFixed(0)} req/s, p50 ≤ ${r.p50} ms, p99 ≤ ${r.p99} ms (worst round), ` +
        `${Math.round(r.bytes)} bytes per response, ${r.failed} failed`,
    );
    if (r.failed > 0) throw new Error(`${name}: failed requests`);
  }
  const ratio = pageResult.rps / bareResult.rps;
  console.log(`products page at ${(ratio * 100).toFixed(1)}% of bare (target ≥ 25%)`);

  await bareServer.close();
  await server.close();
  await runners.stop();
  await c.close();
  console.log(
    `RESULT web products_rps=${Math.round(pageResult.rps)} ` +
      `products_p99_ms=${pageResult.p99} bare_rps=${Math.round(bareResult.rps)}`,
  );
}

/** GET /login for the session and CSRF token, POST the credentials, keep the new session. */
async function login(base: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${base}/login`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: csrf }).toString(),
  });
  keep(res);
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  return cookie();
}

/** The plan of the page's id query as the app runs it (product-queries.ts names the index). */
async function explain(sequelize: Sequelize, userId: string, storeId: string): Promise<void> {
  const plan = await sequelize.query<Record<string, unknown>>(
    `EXPLAIN SELECT product_id FROM cached_products FORCE INDEX (cached_products_live_name)
     WHERE user_id = ? AND store_id = ? AND removed = 0
     ORDER BY name ASC, product_id ASC LIMIT 50 OFFSET ?`,
    { replacements: [userId, storeId, (PAGE - 1) * 50], type: QueryTypes.SELECT },
  );
  for (const row of plan) {
    console.log(
      `EXPLAIN page ids: key=${String(row.key)} rows=${String(row.rows)} extra=${String(row.Extra)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
