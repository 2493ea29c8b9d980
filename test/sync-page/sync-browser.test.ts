import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VkCall, VkMarketGateway } from '../../src/application/sync/ports.js';
import type { PushReport } from '../../src/application/sync/vk-push.js';
import { PASSWORD } from '../accounts/harness.js';
import {
  BROWSER_WAIT_MS,
  browserTestTimeout,
  clickAndLoad,
  launchChromium,
  openPage,
} from '../support/browser.js';
import { listenLocal } from '../support/http.js';
import { until } from '../support/wait.js';
import { DashboardApp } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

const ARTIFACTS = 'test-artifacts/sync-page';
const PRODUCTS = 120;

let d: DashboardApp;
let shop: OwnerSync;
let server: Awaited<ReturnType<typeof listenLocal>>;
let browser: Browser;
let page: Page;

/** Waits until the element's text matches (the page polls; a test never sleeps). */
const waitText = (selector: string, pattern: RegExp) =>
  until(
    `${selector} to read ${String(pattern)}`,
    async () => pattern.test((await page.locator(selector).first().textContent()) ?? ''),
    BROWSER_WAIT_MS,
  );
const text = async (selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').trim();

const shot = (name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
const sync = async () => {
  await d.settle();
  await page.goto(`${server.base}/sync`);
};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  d = await DashboardApp.start('sync_browser');
  const owner = await d.owner('live@example.test');
  shop = await OwnerSync.start(d.c, owner.userId, { products: PRODUCTS, groups: 3 });
  await shop.fetchEvotor();
  server = await listenLocal(d.app);
  browser = await launchChromium();
  page = await openPage(browser, { viewport: { width: 1366, height: 900 } });
  await page.goto(`${server.base}/login`);
  await page.fill('input[name="email"]', 'live@example.test');
  await page.fill('input[name="password"]', PASSWORD);
  await clickAndLoad(page, 'form[action="/login"] button[type="submit"]');
  await sync();
  await clickAndLoad(page, 'button:has-text("Включить синхронизацию")');
}, browserTestTimeout(3));

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await shop?.stop();
  await d?.close();
});

/** «будет создано 3 997, изменено 0, …» as numbers. */
async function previewCounts() {
  const text = (await page.locator('#sync-preview-sentence').textContent()) ?? '';
  const [create, update, hide, remove] = [...text.matchAll(/[\d\s\u00a0]+\d|\d/g)].map((m) =>
    Number(m[0].replace(/[\s\u00a0]/g, '')),
  );
  return { create, update, hide, delete: remove, text };
}

describe('/sync in a browser', () => {
  it(
    'tells the owner when the catalog changed since the preview they are confirming',
    async () => {
      await sync();
      expect((await previewCounts()).create).toBe(PRODUCTS);
      // Evotor changes while the page is open: the confirm carries the old preview.
      shop.evotor.admin.addProduct(shop.storeIds[0]!, { name: 'Новинка дня', price: 99 });
      await shop.fetchEvotor();
      await d.settle();
      await clickAndLoad(page, 'button:has-text("Подтвердить и запустить")');
      expect(await text('.flash-error:has-text("Каталог изменился")')).toContain(
        'проверьте его и подтвердите ещё раз',
      );
      expect((await previewCounts()).create).toBe(PRODUCTS + 1);
      expect(await text('#sync-status strong')).toBe('Настроено, ожидает подтверждения');
    },
    browserTestTimeout(4),
  );

  it(
    'shows the push live («N из M») and the preview equals what the push then does',
    async () => {
      // The page as the owner opens it once the workers are idle, not the one the test above
      // left: a job of that test finishing late would make this confirm a stale preview's.
      await sync();
      const preview = await previewCounts();
      expect(preview.text).toMatch(/^будет создано 121, изменено 0, скрыто 0, удалено 0$/);
      await clickAndLoad(page, 'button:has-text("Подтвердить и запустить")');
      // Either outcome's message, so that a refused confirm fails here with its reason.
      expect(await text(`.flash-success, .flash-error:has-text("Каталог изменился")`)).toContain(
        'Синхронизация подтверждена',
      );

      // The push stops after its first chunk until the browser has shown the progress.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let chunks = 0;
      shop.wrapGateway = (g: VkMarketGateway): VkMarketGateway => ({
        fetchAlbums: () => g.fetchAlbums(),
        fetchItems: () => g.fetchItems(),
        uploadProductPhoto: (file, name) => g.uploadProductPhoto(file, name),
        postProductPhoto: (url, file, name) => g.postProductPhoto(url, file, name),
        run: async (calls: VkCall[]) => {
          if (calls[0]?.method === 'market.add' && chunks++ === 1) await gate;
          return g.run(calls);
        },
      });
      const pushing: Promise<PushReport> = shop.push({ chunkSize: 40 });
      try {
        await sync();
        await page.locator('#sync-progress').waitFor({ state: 'visible' });
        await waitText('#sync-progress-text', /^40 из 121$/);
        expect(await text('#sync-phase')).toBe('Выгружает товары в VK');
        expect(await page.locator('#sync-progress-bar').getAttribute('value')).toBe('40');
        expect(await text('#sync-progress-percent')).toBe('33 %');
        // Rendered by the server as well: the running push is not listed as a finished run.
        await sync();
        expect(await text('#sync-progress-text')).toBe('40 из 121');
        expect(await text('tr.row-running')).toContain('идёт');
        await shot('1-during-push');
      } finally {
        release();
        await pushing.catch(() => undefined);
      }
      const report = await pushing;
      shop.wrapGateway = null;
      expect(report.outcome).toBe('done');
      expect({
        create: report.created + report.adopted,
        update: report.updated + report.restored,
        hide: report.hidden,
        delete: report.deleted,
      }).toEqual({
        create: preview.create,
        update: preview.update,
        hide: preview.hide,
        delete: preview.delete,
      });
      expect(shop.visibleItems()).toHaveLength(121);

      // The open page notices the end by itself (polling) and shows the run as finished.
      await d.settle();
      await waitText('#sync-last-run', /выгрузка завершена/);
      await page.locator('#sync-progress').waitFor({ state: 'hidden' });
      await sync();
      expect(await text('.sync-runs tbody tr:first-child td[data-label="Создано"]')).toBe('121');
      expect(await text('#sync-last-run')).toContain('выгрузка завершена');
      expect(await page.locator('tr.row-running').count()).toBe(0);
      expect(await text('#sync-status strong')).toBe('Активна');
      await shot('2-after-push');
    },
    browserTestTimeout(6),
  );

  it(
    'turns the status red with a Russian reason when VK refuses the token during a push',
    async () => {
      await sync();
      expect(await text('#sync-status strong')).toBe('Активна');
      const [product] = shop.evotor.admin.products(shop.storeIds[0]!);
      shop.evotor.admin.changeProduct(shop.storeIds[0]!, product!.id, { price: 777 });
      await shop.fetchEvotor();
      shop.vk.admin.addFault({ code: 5, count: 1, method: 'market.edit' });
      expect((await shop.push()).outcome).toBe('auth_failed');
      // No reload: the open page picks the refusal up on its own.
      await d.settle();
      await waitText('#sync-status strong', /^Не работает$/);
      expect(await page.locator('#sync-status').getAttribute('class')).toContain(
        'sync-status-broken',
      );
      expect(await text('#sync-reasons')).toContain('VK отклонил ключ доступа');
      await page.locator('#sync-reasons a[href="/connections"]').waitFor({ state: 'visible' });
      const color = await page
        .locator('#sync-status strong')
        .evaluate(
          (el) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }
            ).getComputedStyle(el).color,
        );
      expect(color).toBe('rgb(200, 50, 47)');
      await shot('3-vk-token-refused');
    },
    browserTestTimeout(4),
  );
});
