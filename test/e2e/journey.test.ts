import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { ConsoleMailer } from '../../src/infrastructure/mail/mailers.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp } from '../../src/main/web-runtime.js';
import { startWorker, type Worker } from '../../src/main/worker-runtime.js';
import { linkFrom } from '../accounts/harness.js';
import { createTestDatabase } from '../support/mariadb.js';
import { sendUserToken, sendUserVerify } from '../../src/simulators/evotor/webhooks.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import {
  BROWSER_WAIT_MS,
  browserTestTimeout,
  clickAndLoad,
  launchChromium,
  openPage,
} from '../support/browser.js';

const ARTIFACTS = 'test-artifacts/journey';
const EMAIL = 'owner@shop.test';
const PASSWORD = 'Journey-Pass-2026';
const SECRET = 'evotor-webhook-secret-for-tests';
const VK_GROUP = 4242;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let evotor: EvotorSimulator;
let vk: VkSimulator;
let container: Container;
let worker: Worker;
let server: Server;
let browser: Browser;
let base: string;
const mailer = new ConsoleMailer();
let evotorUser: { userId: string; token: string };
let storeId: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Waits on a condition of the outside world (the VK simulator), bounded; never a fixed sleep. */
async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = BROWSER_WAIT_MS,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
const vkItems = () =>
  vk.admin
    .snapshot()
    .items.filter((i) => i.ownerId === -VK_GROUP && i.deletedAt === null && !i.hidden);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await createTestDatabase('journey');
  evotor = await startEvotorSimulator();
  evotorUser = evotor.admin.createUser();
  storeId = evotor.admin.seedCatalog(evotorUser.userId, {
    stores: 1,
    groups: 4,
    products: 30,
    seed: 11,
  }).stores[0]!.storeId;
  vk = await startVkSimulator();
  vk.admin.setOAuthApp({ clientId: '51000001', clientSecret: 'vk-app-secret' });
  vk.admin.addCommunity({ id: VK_GROUP, name: 'Магазин у дома' });
  vk.admin.addUser({ id: 777 });
  vk.admin.addToken({
    token: 'vk-owner-token',
    kind: 'user',
    userId: 777,
    communityIds: [VK_GROUP],
  });
  vk.admin.setLoginUser(777);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: String(port),
      BASE_URL: base,
      DATABASE_URL: db.url,
      EVENTSTORE_URL: db.url,
      EVOTOR_API_URL: evotor.url,
      EVOTOR_WEBHOOK_SECRET: SECRET,
      VK_API_URL: vk.apiUrl,
      VK_OAUTH_URL: vk.oauthUrl,
      VK_APP_ID: '51000001',
      VK_APP_SECRET: 'vk-app-secret',
    },
    null,
  );
  // Errors only: when a step answers 500 under load (seen once in a parallel run), the cause
  // is printed beside the failed assertion instead of being swallowed.
  container = await buildContainer(config, createLogger({ level: 'error' }), {
    processName: 'journey',
    schedulerNamespace: `evosync-test-journey-${randomUUID()}`,
  });
  const { app } = await buildWebApp(container, { mailer });
  server = app.listen(port, '127.0.0.1');
  worker = await startWorker(container);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await worker?.stop();
  await container?.close();
  await Promise.all([evotor?.stop(), vk?.stop()]);
  await db?.drop();
});

describe('the shop owner’s journey, in a browser', () => {
  it(
    'register, link Evotor by webhooks, connect VK, publish one group, change a price, see it in VK and in the history',
    async () => {
      const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });

      // 1. register and confirm the email from the console outbox, then log in
      await page.goto(`${base}/register`);
      await page.fill('#f-email', EMAIL);
      await page.fill('#f-name', 'Ольга');
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password2', PASSWORD);
      await clickAndLoad(page, 'button[type=submit]');
      await page.goto(base + linkFrom(mailer, EMAIL, '/confirm-email'));
      await page.goto(`${base}/login`);
      await page.fill('#f-email', EMAIL);
      await page.fill('#f-password', PASSWORD);
      await clickAndLoad(page, 'button[type=submit]:has-text("Войти")');
      await page.waitForURL(`${base}/profile`);

      // 2. Evotor links the account through the app webhooks and hands over its API token
      const target = { baseUrl: base, secret: SECRET };
      const verified = await sendUserVerify(target, {
        userId: evotorUser.userId,
        login: EMAIL,
        password: PASSWORD,
      });
      expect(verified.status).toBe(200);
      expect(
        await sendUserToken(target, { userId: evotorUser.userId, token: evotorUser.token }),
      ).toMatchObject({ status: 200 });

      // 3. connect VK through the OAuth login and choose the community
      await page.goto(`${base}/connections`);
      await page.click('a:has-text("Войти через VK")');
      await page.waitForURL(/\/connections\/vk/);
      await page.check(`input[type=radio][value="${VK_GROUP}"]`);
      await shot(page, '01-choose-community');
      await clickAndLoad(page, 'button:has-text("Подключить")');
      await page.waitForURL(`${base}/connections`);
      await page.locator('text=Магазин у дома').first().waitFor();
      await shot(page, '02-connections');

      // 4. the catalog arrives from Evotor (fetched when the token came); include one group
      const groups = evotor.admin.groups(storeId).filter((g) => !g.parent_id);
      const chosen = groups[0]!;
      await eventually(
        'the catalog pages',
        async () => {
          await page.goto(`${base}/catalog/stores/${storeId}/groups`);
          return page.locator(`tr:has-text("${chosen.name}")`).count();
        },
        (n) => n > 0,
      );
      await clickAndLoad(
        page,
        page.locator(`tr:has-text("${chosen.name}") button[value=include]`).first(),
      );
      await page.locator(`tr:has-text("${chosen.name}") .rule-include`).first().waitFor();
      await shot(page, '03-groups');
      // on the products page every row's buttons submit the page's one form (the pressed button
      // names the mode and carries the product): exclude the first product, then clear it again
      await page.goto(`${base}/catalog/stores/${storeId}/products`);
      const firstRow = page.locator('tbody tr').first();
      const productName = (await firstRow.locator('td').first().innerText()).split('\n')[0]!;
      await clickAndLoad(page, firstRow.locator('button[name=exclude]'));
      const excluded = page.locator('tbody tr', { hasText: productName }).first();
      await excluded.locator('.rule-exclude').waitFor();
      expect(await page.locator('.flash').first().innerText()).toContain('исключён');
      await shot(page, '03b-products');
      await clickAndLoad(page, excluded.locator('button[name=clear]'));
      await page
        .locator('tbody tr', { hasText: productName })
        .first()
        .locator('.rule-none')
        .waitFor();

      // 5. switch on and confirm
      await page.goto(`${base}/sync`);
      await clickAndLoad(page, 'button:has-text("Включить синхронизацию")');
      await clickAndLoad(page, 'button:has-text("Подтвердить и запустить")');
      await page.locator('text=Активна').first().waitFor();
      await shot(page, '04-sync-active');

      // 6. the group's products appear in VK, and nothing else
      const allGroups = evotor.admin.groups(storeId);
      const inChosen = (groupId: string | null | undefined): boolean => {
        for (let g = groupId ?? null; g; g = allGroups.find((x) => x.id === g)?.parent_id ?? null)
          if (g === chosen.id) return true;
        return false;
      };
      const expected = evotor.admin
        .products(storeId)
        .filter((p) => inChosen(p.parent_id))
        .map((p) => p.id)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      await eventually(
        'the group in VK',
        () =>
          vkItems()
            .map((i) => i.sku)
            .sort(),
        (skus) => JSON.stringify(skus) === JSON.stringify(expected),
      );

      // 7. a price changes in Evotor; "sync now" brings it to VK and into the product's history
      const product = evotor.admin.products(storeId).find((p) => p.id === expected[0])!;
      evotor.admin.changeProduct(storeId, product.id, { price: 1234.5 });
      await page.goto(`${base}/sync`);
      await clickAndLoad(page, 'button:has-text("Синхронизировать сейчас")');
      await eventually(
        'the new price in VK',
        () => vkItems().find((i) => i.sku === product.id)?.price,
        (p) => p === 1234.5,
      );
      await shot(page, '05-sync-after-price');

      const history = await eventually(
        'the push in the history',
        async () => {
          await page.goto(`${base}/catalog/stores/${storeId}/products/${product.id}/history`);
          return page.locator('main').innerText();
        },
        (text) => /Обновлён в VK\s+Цена: [\d\s,]+₽ → 1\s234,50\s₽/.test(text),
      );
      expect(history).toMatch(/Изменён в Эвотор\s+Цена: [\d\s,]+₽ → 1\s234,50\s₽/);
      await shot(page, '06-history');
    },
    browserTestTimeout(5),
  );
});
