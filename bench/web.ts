/**
 * Web benchmark shaped like real use (issue 15). BENCH_OWNERS (20) shop owners, each with a
 * catalog of BENCH_PRODUCTS (10,000) products in 50 groups, a thousand of them published in
 * VK and two filter rules, written as events into a dedicated MariaDB database (also the event
 * store) and projected. Then the web process (`src/main/web.ts`, NODE_ENV=production, its real
 * middleware) and a worker (`src/main/worker.ts`) run as child processes; every owner signs in
 * and opens a page about once a second for BENCH_DURATION (30) seconds, in an open loop: each
 * request is sent on schedule, not when the previous one answered, and its time counts from
 * when it was due. The pages take turns: a middle page of the catalog, a search, a sorted
 * view, and `/sync`. Then, for information, a closed loop (autocannon, 10 connections, the
 * same pages) gives the most requests per second. No compression: nginx does it in production.
 * The last line is machine-readable:
 *   RESULT web products_p95_ms=<n> sync_p95_ms=<n> max_rps=<n>
 * Target: p95 ≤ 150 ms for both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { QueryTypes } from 'sequelize';
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
import { createLogger, type Logger } from '../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../src/main/container.js';
import { buildWebApp, type WebRuntime } from '../src/main/web-runtime.js';
import { startReadModelRunners } from '../test/catalog/settle.js';
import { newEvent } from '../test/support/events.js';

const OWNERS = Number(process.env.BENCH_OWNERS ?? 20);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const GROUPS = 50;
const PUBLISHED = Math.min(1000, PRODUCTS);
/** seconds of the open-loop run */
const DURATION = Number(process.env.BENCH_DURATION ?? 30);
/** seconds of the closed-loop run (max_rps) */
const CLOSED_DURATION = Number(process.env.BENCH_CLOSED_DURATION ?? 10);
const PAGE_SIZE = 50;
const MIDDLE_PAGE = Math.max(1, Math.ceil(PRODUCTS / PAGE_SIZE / 2));
const ROOT = process.env.BENCH_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';
const DB = 'evosync_bench_web';
const PASSWORD = 'Bench-password-42';
const SECRET_KEY = 'bench-secret-key-0123456789';

let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const KINDS = ['Молоко', 'Сок', 'Чай', 'Кофе', 'Хлеб', 'Сыр', 'Печенье', 'Шоколад', 'Вода'];
const BRANDS = ['Простоквашино', 'Добрый', 'Greenfield', 'Jacobs', 'Хлебный дом', 'Alpen Gold'];

interface Owner {
  email: string;
  userId: string;
  storeId: string;
  cookie: string;
}

type Kind = 'page' | 'search' | 'sorted' | 'sync';
const KIND_ORDER: Kind[] = ['page', 'search', 'sorted', 'sync'];

function pathOf(owner: Owner, kind: Kind): string {
  const products = `/catalog/stores/${owner.storeId}/products`;
  switch (kind) {
    case 'page':
      return `${products}?page=${MIDDLE_PAGE}`;
    case 'search':
      return `${products}?q=${encodeURIComponent('молоко')}`;
    case 'sorted':
      return `${products}?sort=price&dir=desc&page=${Math.max(1, Math.floor(MIDDLE_PAGE / 2))}`;
    case 'sync':
      return '/sync';
  }
}

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

async function appendInParts(c: Container, stream: string, events: NewEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await c.eventStore.appendToStream(stream, events.slice(i, i + 1000));
  }
}

/** One owner's store, catalog, published items and two rules, as the sync would record them. */
async function seedOwner(c: Container, userId: string): Promise<string> {
  const storeId = randomUUID();
  await c.eventStore.appendToStream(storesStream(userId), [
    newEvent('StoreDiscovered', {
      userId,
      store: { id: storeId, name: 'Магазин «Бенчмарк»', address: 'Москва' },
    }),
  ]);
  const events = catalogEvents(userId, storeId);
  await appendInParts(c, storeCatalogStream(userId, storeId), events);
  const productIds = events
    .filter((e) => e.type === 'ProductAdded')
    .map((e) => (e.data as { product: CatalogProduct }).product.id);
  const mirror = productIds
    .slice(0, PUBLISHED)
    .flatMap((productId, i) => [
      newEvent('VkItemCreateRequested', { userId, productId, sku: productId, requestId: `r${i}` }),
      newEvent('VkItemAdopted', { userId, productId, requestId: `r${i}`, itemId: 100_000 + i }),
    ]);
  await appendInParts(c, mirrorStream(userId), mirror);
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
  return storeId;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `src/main/{name}.ts` as its own process, as `npm run web` / `npm run worker` start it. */
function startProcess(name: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/main/${name}.ts`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} process ended early (${code ?? signal})`);
      process.exit(1);
    }
  });
  return child;
}
let stopping = false;

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const ended = once(child, 'exit');
  child.kill('SIGTERM');
  await ended;
}

async function waitForHealth(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the web process did not come up');
}

/**
 * GET /login for the session and CSRF token, POST the credentials, keep the new session. Each
 * owner comes from an address of their own (X-Forwarded-For, as nginx sends it): the login
 * limit is per address.
 */
async function login(base: string, email: string, address: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const headers = { 'x-forwarded-for': address };
  const form = await fetch(`${base}/login`, { headers });
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookie(),
    },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: csrf }).toString(),
  });
  keep(res);
  if (res.status !== 303) throw new Error(`login of ${email} failed: ${res.status}`);
  return cookie();
}

/** Each page kind answers as the bench expects before anything is measured. */
async function checkPages(base: string, owner: Owner): Promise<void> {
  for (const kind of KIND_ORDER) {
    const res = await fetch(base + pathOf(owner, kind), { headers: { cookie: owner.cookie } });
    const html = await res.text();
    const rows = html.match(/form="rule-form" name="include"/g)?.length ?? 0;
    const fine =
      res.status === 200 &&
      (kind === 'sync'
        ? html.includes('Синхронизация')
        : rows > 0 && (kind !== 'page' || html.includes(`Страница ${MIDDLE_PAGE} из`)));
    if (!fine) throw new Error(`${kind} page is not what the bench expects: ${res.status}`);
    console.log(`${kind}: ${pathOf(owner, kind)} → ${html.length} bytes, ${rows} product rows`);
  }
}

/**
 * Until the worker is idle (under a tenth of a core over two seconds): its mirror saga (not
 * run while seeding) first reads every seeded event, and would share the machine with the
 * measurement. Checkpoints cannot tell: a projection's stays behind the events it ignores.
 */
async function idle(worker: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const before = cpuMs(worker.pid!);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (cpuMs(worker.pid!) - before < 200) return;
  }
  throw new Error('the worker did not settle');
}

/** user + system CPU time of a process so far (Linux /proc, in clock ticks of 10 ms) */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

async function openLoop(base: string, owners: Owner[]) {
  const times: Record<Kind, number[]> = { page: [], search: [], sorted: [], sync: [] };
  let failed = 0;
  const started = performance.now() + 500;
  const requests: Promise<void>[] = [];
  owners.forEach((owner, i) => {
    // Owners start spread over the first second; each then opens a page about once a second.
    for (let k = 0; k < DURATION; k++) {
      const due = started + (i * 1000) / owners.length + k * 1000 + (random() - 0.5) * 200;
      const kind = KIND_ORDER[(i + k) % KIND_ORDER.length]!;
      requests.push(
        (async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
          try {
            const res = await fetch(base + pathOf(owner, kind), {
              headers: { cookie: owner.cookie },
            });
            await res.arrayBuffer();
            if (res.status !== 200) failed++;
          } catch {
            failed++;
          }
          // From when it was due: a late start counts, as a waiting owner would feel it.
          times[kind].push(performance.now() - due);
        })(),
      );
    }
  });
  await Promise.all(requests);
  return { times, failed };
}

/** BENCH_REUSE=1: measure again on the database a previous run seeded (same BENCH_OWNERS). */
const REUSE = process.env.BENCH_REUSE === '1';

/** Accounts, catalogs and VK items of every owner, projected by the worker's runners. */
async function seedAll(c: Container, seeding: WebRuntime, logger: Logger): Promise<Owner[]> {
  const runners = startReadModelRunners(c, logger);
  const seeded = Date.now();
  const admin = await seeding.accounts.accounts.admin.createSystemAccount(
    'bench-admin@example.test',
    PASSWORD,
  );
  const owners: Owner[] = [];
  for (let i = 0; i < OWNERS; i++) {
    const email = `owner-${i + 1}@example.test`;
    const userId = await seeding.accounts.accounts.admin.createSystemAccount(email, PASSWORD);
    // A shop owner (role `user`), as registration makes one.
    await seeding.accounts.accounts.admin.edit({ userId: admin, roles: ['system'] }, userId, {
      role: 'user',
    });
    owners.push({ email, userId, storeId: await seedOwner(c, userId), cookie: '' });
  }
  await runners.settler.settle(1_800_000);
  const [{ n }] = (await c.sequelize.query(
    'SELECT COUNT(*) AS n FROM cached_products WHERE removed = 0',
    { type: QueryTypes.SELECT },
  )) as [{ n: number }];
  console.log(
    `seeded ${OWNERS} owners, ${n} products in all, in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );
  await runners.stop();
  return owners;
}

async function seededOwners(c: Container, seeding: WebRuntime): Promise<Owner[]> {
  const owners: Owner[] = [];
  for (let i = 0; i < OWNERS; i++) {
    const email = `owner-${i + 1}@example.test`;
    const userId = await seeding.accounts.accounts.context.userIdByEmail(email);
    if (!userId) throw new Error(`BENCH_REUSE: no ${email} in ${DB}`);
    const [store] = await c.sequelize.query<{ store_id: string }>(
      'SELECT store_id FROM cached_products WHERE user_id = ? LIMIT 1',
      { replacements: [userId], type: QueryTypes.SELECT },
    );
    owners.push({ email, userId, storeId: store!.store_id, cookie: '' });
  }
  return owners;
}

async function main() {
  const url = `${ROOT.replace(/\/$/, '')}/${DB}`;
  if (!REUSE) await recreateDatabase(url);
  const namespace = `bench-web-${randomUUID().slice(0, 8)}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    EVENTSTORE_URL: url,
    AGENDA_URL: process.env.AGENDA_URL ?? 'redis://127.0.0.1:6379',
    AGENDA_NAMESPACE: namespace,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    SECRET_KEY,
    BASE_URL: 'http://127.0.0.1:9',
    EMAIL_PROVIDER: 'console',
    LOG_LEVEL: 'warn',
  };
  const logger = createLogger({ level: 'warn' });
  const c = await buildContainer(loadConfig({ ...env, NODE_ENV: 'test' }, null), logger, {
    processName: 'bench-web-seed',
    schedulerNamespace: namespace,
  });
  const seeding = await buildWebApp(c);
  const owners: Owner[] = REUSE
    ? await seededOwners(c, seeding)
    : await seedAll(c, seeding, logger);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const worker = startProcess('worker', env);
  await c.close();
  await idle(worker);
  const web = startProcess('web', { ...env, HOST: '127.0.0.1', PORT: String(port) });
  try {
    await waitForHealth(base);
    for (const [i, owner] of owners.entries()) {
      owner.cookie = await login(base, owner.email, `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    }
    await checkPages(base, owners[0]!);

    console.log(`open loop: ${OWNERS} owners, a page a second each, ${DURATION} s`);
    // The machine's load and the web process's own CPU time, to read the latencies by: on a
    // shared machine the tail is mostly other processes' doing.
    const cpuBefore = { web: cpuMs(web.pid!), worker: cpuMs(worker.pid!) };
    const { times, failed } = await openLoop(base, owners);
    const cpuPerRequest = (cpuMs(web.pid!) - cpuBefore.web) / (OWNERS * DURATION);
    const workerShare = (cpuMs(worker.pid!) - cpuBefore.worker) / (DURATION * 1000);
    console.log(
      `web process CPU ${cpuPerRequest.toFixed(1)} ms per request; the worker used ` +
        `${(workerShare * 100).toFixed(0)}% of a core meanwhile; load average ` +
        `${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    );
    const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
    const products = sorted([...times.page, ...times.search, ...times.sorted]);
    const sync = sorted(times.sync);
    for (const [name, list] of [
      ...KIND_ORDER.map((k) => [k, sorted(times[k])] as const),
      ['products (all three)', products] as const,
    ]) {
      console.log(
        `${name}: ${list.length} requests, p50 ${percentile(list, 0.5).toFixed(0)} ms, ` +
          `p95 ${percentile(list, 0.95).toFixed(0)} ms, max ${(list.at(-1) ?? 0).toFixed(0)} ms`,
      );
    }
    if (failed > 0) throw new Error(`${failed} requests failed`);

    const owner = owners[0]!;
    const closed = await autocannon({
      url: base,
      connections: 10,
      duration: CLOSED_DURATION,
      headers: { cookie: owner.cookie },
      requests: KIND_ORDER.map((kind) => ({ method: 'GET' as const, path: pathOf(owner, kind) })),
    });
    const maxRps = closed.requests.total / CLOSED_DURATION;
    console.log(
      `closed loop (10 connections, ${CLOSED_DURATION} s, the four pages in turn): ` +
        `${maxRps.toFixed(0)} req/s, p50 ${closed.latency.p50} ms, p99 ${closed.latency.p99} ms, ` +
        `${closed.non2xx + closed.errors} failed`,
    );
    const p95 = (list: number[]) => Math.round(percentile(list, 0.95));
    console.log(
      `RESULT web products_p95_ms=${p95(products)} sync_p95_ms=${p95(sync)} ` +
        `max_rps=${Math.round(maxRps)}`,
    );
  } finally {
    stopping = true;
    // Requests the closed loop left in flight are answered before the web process stops.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await Promise.all([stopProcess(web), stopProcess(worker)]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
