/**
 * The demo behind `npm run demo` (demo.ts): the whole sync on this machine's local defaults (MariaDB event store, Agenda
 * on Redis) against the Evotor and VK simulators: a seeded catalog (2 stores, 30 groups, 5,000
 * products), a demo shop owner with both connections, filters and a confirmed sync, the web
 * and worker processes, and the push's progress (demo-progress.ts) as items reach VK.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { syncConfigDecider } from '../domain/sync-config/decide.js';
import { syncConfigStream } from '../domain/sync-config/events.js';
import { createAccounts } from '../application/accounts/index.js';
import { EvotorConnection, VkConnection } from '../application/connections/index.js';
import { enqueueSyncJob, SYNC_JOBS } from '../application/sync/sync-jobs.js';
import { recreateDatabase } from '../infrastructure/db/database.js';
import { loadConfig, type Config } from '../infrastructure/config/config.js';
import { BcryptHasher } from '../infrastructure/crypto/bcrypt-hasher.js';
import { ConsoleMailer } from '../infrastructure/mail/mailers.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { startEvotorSimulator } from '../simulators/evotor/index.js';
import { evotorAccount, evotorAccountStream } from '../domain/connections/evotor-account.js';
import { evotorApiToken } from '../application/connections/fingerprint.js';
import { startVkSimulator } from '../simulators/vk/index.js';
import { buildContainer, type Container } from './container.js';
import { connectionAdapters } from '../infrastructure/connections/index.js';
import { sleep } from '../infrastructure/shared/sleep.js';
import { count, loadActivity } from '../web/sync/activity.js';
import { progressReporter } from './demo-progress.js';
import { plural } from '../web/shared/format.js';

const PRODUCTS = ['товар', 'товара', 'товаров'] as const;
const GROUPS = ['группа', 'группы', 'групп'] as const;

const DEMO_DB = process.env.DEMO_DATABASE ?? 'evosync_demo';
const EMAIL = 'demo@evosync.local';
const PASSWORD = 'Demo-Sync-2026';
const VK_GROUP = 220_000_001;
const VK_TOKEN = 'vk-demo-user-token';
const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
// Once the progress is shown, every line goes through it: a line never lands inside the bar.
let print: (line: string) => void = write;
const say = (line: string) => print(line);

async function createDemoUser(c: Container): Promise<string> {
  const mailer = new ConsoleMailer();
  const accounts = createAccounts({
    store: c.eventStore,
    commands: c.commands,
    cipher: c.cipher,
    hasher: new BcryptHasher(10),
    mailer,
    readModel: { waitFor: async () => {} },
    settings: {
      baseUrl: c.config.BASE_URL,
      inviteExpireHours: 48,
      confirmExpireHours: 48,
      resetExpireMinutes: 60,
    },
  });
  await accounts.roles.ensureDefaults();
  const userId = await accounts.self.register({
    email: EMAIL,
    password: PASSWORD,
    name: 'Демо-магазин',
  });
  const link = new URL(/https?:\/\/\S+/.exec(mailer.lastTo(EMAIL)?.text ?? '')?.[0] ?? '');
  await accounts.self.confirmEmail(userId, link.searchParams.get('token') ?? '');
  return userId;
}

/** Both connections through the same use cases as the connections page (the VK token is checked). */
async function connectAndConfigure(
  c: Container,
  userId: string,
  evotorToken: string,
  storeIds: string[],
  excludedGroups: Array<{ id: string; name: string; storeId: string }>,
) {
  const meta = { actor: userId };
  const connections = {
    store: c.eventStore,
    commands: c.commands,
    cipher: c.cipher,
    // The worker is not running yet: nothing to wait for.
    readModel: { waitFor: async () => {} },
    settings: c.config,
    apiLog: c.apiLog,
    ...connectionAdapters(c.config, c.sequelize, c.apiLog),
  };
  await new EvotorConnection(connections).saveToken(userId, evotorToken);
  await new VkConnection(connections).connectWithToken(userId, VK_TOKEN, VK_GROUP);
  await c.commands.handleMany(
    syncConfigDecider,
    syncConfigStream(userId),
    [
      { type: 'EnableSync', userId },
      ...excludedGroups.map((g) => ({
        type: 'SetFilterRule' as const,
        userId,
        entityType: 'group' as const,
        entityId: g.id,
        entityName: g.name,
        mode: 'exclude' as const,
        parentEntityId: g.storeId,
      })),
      { type: 'SetPriceMultiplier', userId, multiplier: '1.1' },
      { type: 'ConfirmSync', userId, storeIds },
    ],
    meta,
  );
}

function startChild(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The processes log JSON; the demo shows only warnings and errors, so the progress stays readable.
  const relay = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (/"level":"(warn|error|fatal)"/.test(line) || (line.trim() && !line.startsWith('{')))
        say(`[${name}] ${line.slice(0, 300)}`);
    }
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  return child;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  throw new Error(`the web process did not become healthy at ${url}`);
}

async function main(): Promise<void> {
  say('EvoSync — демонстрация: Эвотор → VK Маркет на симуляторах, на этой машине.');
  const base: Config = loadConfig();
  const root = new URL(base.DATABASE_URL);
  root.pathname = `/${DEMO_DB}`;
  say(`Создаю базу данных ${DEMO_DB} заново…`);
  await recreateDatabase(root.toString());

  say('Запускаю симуляторы Эвотор и VK, заполняю каталог (2 магазина, 5 000 товаров)…');
  const evotor = await startEvotorSimulator({ port: Number(process.env.DEMO_EVOTOR_PORT ?? 0) });
  const vk = await startVkSimulator({ port: Number(process.env.DEMO_VK_PORT ?? 0) });
  const evotorUser = evotor.admin.createUser({ token: 'evotor-demo-token' });
  const seeded = evotor.admin.seedCatalog(evotorUser.userId, {
    stores: 2,
    groups: 15,
    products: 2500,
    seed: 2026,
  });
  vk.admin.addShop({ token: VK_TOKEN, userId: 501, communityId: VK_GROUP, kind: 'user' });
  const storeIds = seeded.stores.map((s) => s.storeId);
  const groups = storeIds.flatMap((storeId) =>
    evotor.admin.groups(storeId).map((g) => ({ ...g, storeId })),
  );
  // The seed gives every store the same sections at the root: the banner names two of them,
  // so they are excluded in every store, not only where they were picked.
  const excludedNames = [...new Set(groups.filter((g) => !g.parent_id).map((g) => g.name))].slice(
    0,
    2,
  );
  const excluded = groups
    .filter((g) => !g.parent_id && excludedNames.includes(g.name))
    .map((g) => ({ id: g.id, name: g.name, storeId: g.storeId }));
  const excludedProductIds = productsUnder(
    storeIds.flatMap((storeId) => evotor.admin.products(storeId)),
    groups,
    new Set(excluded.map((g) => g.id)),
  );

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: root.toString(),
    EVENTSTORE_URL: root.toString(),
    AGENDA_NAMESPACE: `evosync-demo-${Date.now()}`,
    EVOTOR_API_URL: evotor.url,
    VK_API_URL: vk.apiUrl,
    VK_OAUTH_URL: vk.oauthUrl,
    EVOTOR_WEBHOOK_SECRET: process.env.EVOTOR_WEBHOOK_SECRET ?? 'demo-webhook-secret',
    CATALOG_REFRESH_INTERVAL_SECONDS: process.env.CATALOG_REFRESH_INTERVAL_SECONDS ?? '300',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const config = loadConfig(env);
  say('Создаю демо-владельца магазина, подключаю Эвотор и VK, подтверждаю синхронизацию…');
  const container = await buildContainer(config, createLogger({ level: 'warn' }), {
    processName: 'demo',
  });
  const userId = await createDemoUser(container);
  await connectAndConfigure(container, userId, evotorUser.token, storeIds, excluded);
  // Evotor's cloud knows the app as installed for this user: it sends its data notifications
  // (a price edited at the register) to the dashboard with the token EvoSync gives that user.
  await container.commands.handle(
    evotorAccount,
    evotorAccountStream(userId),
    { type: 'LinkEvotorAccount', userId, evotorUserId: evotorUser.userId, via: 'manual' },
    { actor: userId },
  );
  evotor.admin.notifier.baseUrl = `http://${config.HOST}:${config.PORT}`;
  evotor.admin.notifier.appTokens.set(
    evotorUser.userId,
    evotorApiToken(config.SECRET_KEY, evotorUser.userId),
  );

  say('Запускаю веб-приложение и воркер…');
  const web = startChild('web', 'src/main/web.ts', env);
  const worker = startChild('worker', 'src/main/worker.ts', env);
  const dashboard = `http://${config.HOST}:${config.PORT}`;
  const timers: { progress?: NodeJS.Timeout } = {};
  const stopAll = async () => {
    clearTimeout(timers.progress);
    web.kill('SIGTERM');
    worker.kill('SIGTERM');
    await container.close();
    await Promise.all([evotor.stop(), vk.stop()]);
  };
  // However the demo ends, its children end with it.
  process.on('exit', () => {
    web.kill('SIGTERM');
    worker.kill('SIGTERM');
  });
  process.on('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.on('SIGTERM', () => void stopAll().then(() => process.exit(0)));
  for (const child of [web, worker]) {
    child.on('exit', (code) => {
      if (code) {
        say(`Процесс демо завершился с кодом ${code}; останавливаю всё.`);
        void stopAll().then(() => process.exit(1));
      }
    });
  }
  await waitForHealth(dashboard, 60_000);

  const productCount = storeIds.reduce((n, s) => n + evotor.admin.products(s).length, 0);
  say('');
  say(`Панель EvoSync: ${dashboard}`);
  say(`  вход: ${EMAIL}   пароль: ${PASSWORD}`);
  say(
    `  симулятор Эвотор: ${evotor.url}   симулятор VK: ${vk.apiUrl} (3 запроса/с, ключ пользователя)`,
  );
  say(
    `  каталог: 2 магазина, ${groups.length} ${plural(groups.length, GROUPS)}, ${count(productCount)} ${plural(productCount, PRODUCTS)}; исключены группы «${excludedNames.join('», «')}» (в обоих магазинах, с подгруппами: ${count(excludedProductIds.size)} ${plural(excludedProductIds.size, PRODUCTS)} не попадут в VK)`,
  );
  say(
    `  вебхуки Эвотор: ${dashboard}/user/create … с заголовком "Authorization: Bearer ${config.EVOTOR_WEBHOOK_SECRET ?? ''}"`,
  );
  say(
    `  база демо: DATABASE_URL=${root.toString()} (для replay, config, admin create — см. README)`,
  );
  say(
    `  цена, изменённая «на кассе», доходит до VK за секунды: curl -X PATCH ${evotor.url}/__admin/stores/${storeIds[0]}/products/<id> -H 'Content-Type: application/json' -d '{"price": 123.45}'`,
  );
  say('  Ctrl-C останавливает всё.');
  say('');

  await enqueueSyncJob(container.scheduler, SYNC_JOBS.evotorFetch, userId);
  const published = () => {
    const live = vk.admin.snapshot().items.filter((i) => i.deletedAt === null && !i.hidden);
    const leaked = live.filter((i) => i.sku !== null && excludedProductIds.has(i.sku)).length;
    return { items: live.length, leaked };
  };
  const reporter = progressReporter({
    tty: process.stdout.isTTY === true,
    say: write,
    stream: process.stdout,
    done: () => {
      const { items, leaked } = published();
      return `Готово: в VK ${count(items)} ${plural(items, PRODUCTS)} (из исключённых групп: ${leaked} из ${count(excludedProductIds.size)}). Откройте ${dashboard}/sync; измените товар в симуляторе Эвотор или нажмите «Синхронизировать сейчас».`;
    },
  });
  print = (line) => reporter.print(line);
  const tick = async () => {
    try {
      reporter.update(await loadActivity(container, userId, true));
    } catch (error) {
      say(
        `Не удалось прочитать ход синхронизации: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    timers.progress = setTimeout(() => void tick(), 1000);
  };
  void tick();
}

/** Ids of the products in `groupIds` or below them (a group's exclusion covers its subgroups). */
function productsUnder(
  products: Array<{ id: string; parent_id?: string | null }>,
  groups: Array<{ id: string; parent_id?: string | null }>,
  groupIds: Set<string>,
): Set<string> {
  const parentOf = new Map(groups.map((g) => [g.id, g.parent_id ?? null]));
  const excluded = (groupId: string | null | undefined): boolean => {
    for (let id = groupId ?? null, depth = 0; id !== null && depth < 100; depth++) {
      if (groupIds.has(id)) return true;
      id = parentOf.get(id) ?? null;
    }
    return false;
  };
  return new Set(products.filter((p) => excluded(p.parent_id)).map((p) => p.id));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `evosync demo: ошибка: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
