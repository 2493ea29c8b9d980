import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../accounts/harness.js';
import { browserTestTimeout, clickAndLoad, launchChromium, openPage } from '../support/browser.js';
import { listenLocal } from '../support/http.js';
import { confirmAsShown, DashboardApp, post } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

/**
 * /sync on a phone (390×844): the runs and the failures are cards, and a run's status and a
 * failure's product link are on screen without scrolling sideways.
 */
const ARTIFACTS = 'test-artifacts/sync-page';
const PHONE = { width: 390, height: 844 };
const EMAIL = 'phone-owner@example.test';

let d: DashboardApp;
let shop: OwnerSync;
let server: Awaited<ReturnType<typeof listenLocal>>;
let browser: Browser;
let failingProduct: { id: string; name: string; storeId: string };

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  d = await DashboardApp.start('sync_phone');
  const owner = await d.owner(EMAIL);
  shop = await OwnerSync.start(d.c, owner.userId);
  await shop.fetchEvotor();
  await post(owner.agent, '/sync', '/sync/toggle', { enabled: '1' });
  await d.settle();
  await confirmAsShown(owner.agent);
  expect((await shop.push()).outcome).toBe('done');
  // A product edit that VK keeps refusing with a server error: a failure with its product.
  const storeId = shop.storeIds[0]!;
  const product = shop.evotor.admin.products(storeId)[0]!;
  failingProduct = { id: product.id, name: product.name, storeId };
  shop.evotor.admin.changeProduct(storeId, product.id, { price: 321.5 });
  await shop.fetchEvotor();
  shop.vk.admin.addFault({ code: 10, count: 20, method: 'market.edit' });
  expect((await shop.push()).retryableFailures).toBe(1);
  shop.vk.admin.clearFaults();
  await d.settle();
  server = await listenLocal(d.app);
  browser = await launchChromium();
}, browserTestTimeout(2));

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await shop?.stop();
  await d?.close();
});

/** The element, once scrolled to, lies wholly inside the phone's screen. */
async function onScreen(page: Page, selector: string) {
  const element = page.locator(selector).first();
  await element.scrollIntoViewIfNeeded();
  expect(await element.isVisible(), selector).toBe(true);
  const box = await element.boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.x, selector).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, selector).toBeLessThanOrEqual(PHONE.width);
  expect(box!.y, selector).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, selector).toBeLessThanOrEqual(PHONE.height);
}

describe('/sync on a phone', () => {
  it(
    'shows each run and failure as a card with its status and product link on screen',
    async () => {
      const page = await openPage(browser, { viewport: PHONE });
      await page.goto(`${server.base}/login`);
      await page.fill('input[name=email]', EMAIL);
      await page.fill('input[name=password]', PASSWORD);
      await clickAndLoad(page, 'form[action="/login"] button[type=submit]');
      await page.goto(`${server.base}/sync`);

      // The newest run had a failure: its card says so, next to its time.
      const run = '.sync-runs tbody tr:first-child';
      expect((await page.locator(`${run} .card-status`).textContent())?.trim()).toBe('с ошибками');
      await onScreen(page, `${run} .card-status .badge`);
      await onScreen(page, `${run} .card-title`);
      // The table's header row is hidden: a card heads each value with its column's name.
      expect(await page.locator('.sync-runs thead').isVisible()).toBe(false);
      await page.screenshot({ path: `${ARTIFACTS}/sync-390-runs.png` });

      const link = `.sync-failures tbody tr:first-child .card-title a`;
      expect(await page.locator(link).textContent()).toBe(failingProduct.name);
      expect(await page.locator(link).getAttribute('href')).toBe(
        `/catalog/stores/${failingProduct.storeId}/products/${failingProduct.id}/history`,
      );
      await onScreen(page, link);
      await onScreen(page, `.sync-failures tbody tr:first-child .card-status`);
      await page.screenshot({ path: `${ARTIFACTS}/sync-390-failures.png` });
      // The page as a whole does not scroll sideways (a string: no DOM types in the tests).
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: `${ARTIFACTS}/sync-390.png`, fullPage: true });
      await page.close();
    },
    browserTestTimeout(4),
  );
});
