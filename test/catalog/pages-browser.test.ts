import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestTimeout, clickAndLoad, launchChromium, openPage } from '../support/browser.js';
import { listenLocal } from '../support/http.js';
import { recordVkItems, seedEvotor, type CatalogFixture } from './fixture.js';
import { CatalogApp, PASSWORD } from './harness.js';

/**
 * The owner's pages in Chromium at a laptop's and a phone's size: a failing product's Russian
 * reason with its history link, a catalog row's status and buttons on a 390 px screen, and the
 * 404 page inside the site with the menu of whoever asks. Screenshots go to test-artifacts/.
 */
const ARTIFACTS = 'test-artifacts';
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const EMAIL = 'browser-owner@example.test';
const ADMIN = 'browser-root@example.test';

let h: CatalogApp;
let f: CatalogFixture;
let server: Awaited<ReturnType<typeof listenLocal>>;
let browser: Browser;
let ownerId: string;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  h = await CatalogApp.start('pages_browser');
  f = await seedEvotor();
  ownerId = (await h.owner(EMAIL)).userId;
  await h.connectAndFetch(ownerId, f.evotor, f.owner, 7_000_001);
  await recordVkItems(h.c.eventStore, ownerId, f);
  await h.web.accounts.accounts.admin.createSystemAccount(ADMIN, PASSWORD);
  await h.settle();
  server = await listenLocal(h.app);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
  await f?.evotor.stop();
});

/** A signed-in owner's page at the given size (through the login form, as a person would). */
async function signedIn(viewport: { width: number; height: number }, email = EMAIL): Promise<Page> {
  const page = await openPage(browser, { viewport });
  await page.goto(`${server.base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await clickAndLoad(page, 'form[action="/login"] button[type=submit]');
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

/** The element lies wholly inside the screen's width (no sideways scrolling needed). */
async function withinWidth(page: Page, selector: string, width: number) {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

describe('catalog in a browser', () => {
  it(
    'shows a failing product’s reason in Russian, with a link to its history',
    async () => {
      const page = await signedIn(DESKTOP);
      await page.goto(`${server.base}/catalog/stores/${f.storeA}/products`);
      const row = page.locator(`tr[data-product="${f.products.bag}"]`);
      await expect.poll(() => row.locator('.status-error').textContent()).toBe('ошибка');
      const reason = await row.locator('.status-reason').textContent();
      expect(reason).toContain('VK отклонил ключ доступа вашей страницы VK');
      expect(reason).toContain('Подключите VK заново');
      expect(reason).not.toMatch(/[A-Za-z]{5,}/);
      await row.scrollIntoViewIfNeeded();
      await shot(page, 'catalog-products-1366');
      await clickAndLoad(page, row.locator('a', { hasText: 'история' }));
      expect(new URL(page.url()).pathname).toBe(
        `/catalog/stores/${f.storeA}/products/${f.products.bag}/history`,
      );
      expect(await page.locator('.history-error').textContent()).toContain('VK отклонил');
      await shot(page, 'history-1366');
      await page.close();
    },
    browserTestTimeout(4),
  );

  it(
    'keeps a catalog row’s status and buttons on a phone’s screen',
    async () => {
      const page = await signedIn(PHONE);
      await page.goto(`${server.base}/catalog/stores/${f.storeA}/products`);
      const row = `tr[data-product="${f.products.bag}"]`;
      await page.locator(row).scrollIntoViewIfNeeded();
      await withinWidth(page, `${row} .product-status .status`, PHONE.width);
      await withinWidth(page, `${row} button[name=exclude]`, PHONE.width);
      await withinWidth(page, `${row} button[name=include]`, PHONE.width);
      expect(await page.locator(`${row} .product-status`).isVisible()).toBe(true);
      // the page as a whole does not scroll sideways
      // a string: the test's TypeScript has no DOM types
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'catalog-products-390');
      await page.goto(`${server.base}/catalog/stores`);
      await withinWidth(page, `tr:has(a[href$="${f.storeA}/products"]) .counts`, PHONE.width);
      await shot(page, 'catalog-stores-390');
      await page.close();
    },
    browserTestTimeout(4),
  );
});

describe('the 404 page in a browser', () => {
  it(
    'is inside the layout, with the signed-in menu for a signed-in owner',
    async () => {
      for (const [viewport, size] of [
        [DESKTOP, '1366'],
        [PHONE, '390'],
      ] as const) {
        const page = await signedIn(viewport);
        const answer = await page.goto(`${server.base}/no-such-page`);
        expect(answer?.status()).toBe(404);
        expect(await page.locator('h1').textContent()).toBe('Страница не найдена');
        const menu = page.locator('header.topbar nav');
        await expect.poll(() => menu.textContent()).toContain('Каталог');
        expect(await menu.textContent()).toContain('Выйти');
        expect(await menu.locator('a[href="/login"]').count()).toBe(0);
        await shot(page, `404-signed-in-${size}`);
        await page.close();
      }
    },
    browserTestTimeout(4),
  );

  it(
    'shows the signed-out menu to a visitor',
    async () => {
      const page = await openPage(browser, { viewport: DESKTOP });
      const answer = await page.goto(`${server.base}/no-such-page`);
      expect(answer?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Страница не найдена');
      const menu = page.locator('header.topbar nav');
      expect(await menu.locator('a[href="/login"]').count()).toBe(1);
      expect(await menu.textContent()).not.toContain('Выйти');
      await shot(page, '404-signed-out-1366');
      await page.close();
    },
    browserTestTimeout(2),
  );
});

describe('the admin’s user page in a browser', () => {
  it(
    'shows the owner’s shop with the failing product, at both sizes',
    async () => {
      for (const [viewport, size] of [
        [DESKTOP, '1366'],
        [PHONE, '390'],
      ] as const) {
        const page = await signedIn(viewport, ADMIN);
        await page.goto(`${server.base}/admin/users/${ownerId}`);
        const shop = page.locator('section.admin-shop');
        await expect.poll(() => shop.locator('h2').textContent()).toBe('Магазин');
        const failures = await shop.locator('table.shop-failures').textContent();
        expect(failures).toContain('Пакет');
        expect(failures).toContain('User authorization failed');
        expect(failures).toContain('VK отклонил ключ доступа вашей страницы VK');
        await withinWidth(page, 'section.admin-shop h2', viewport.width);
        await shot(page, `admin-user-${size}`);
        await page.close();
      }
    },
    browserTestTimeout(4),
  );
});
