import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSyncConfig } from '../../src/application/sync/desired-state.js';
import { PASSWORD } from '../accounts/harness.js';
import { browserTestTimeout, clickAndLoad, launchChromium, openPage } from '../support/browser.js';
import { DashboardApp } from './dashboard-app.js';

/** The owner sets stock and the run interval on /sync in Chromium, as a person would. */
const ARTIFACTS = 'test-artifacts/stock-settings';
const EMAIL = 'stock-browser@example.test';
let d: DashboardApp;
let userId: string;
let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  d = await DashboardApp.start('stock_browser');
  ({ userId } = await d.owner(EMAIL));
  server = await new Promise<Server>((resolve) => {
    const s = d.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await d?.close();
});

const error = (page: Page, field: string) => page.locator(`#e-${field}`).textContent();

describe('/sync stock settings in the browser', () => {
  it(
    'refuses a too short interval in Russian, then saves «всегда N», hiding and 30 minutes',
    async () => {
      const page = await openPage(browser);
      await page.goto(`${base}/login`);
      await page.fill('#f-email', EMAIL);
      await page.fill('#f-password', PASSWORD);
      await clickAndLoad(page, 'button[type=submit]:has-text("Войти")');
      await page.goto(`${base}/sync`);

      await page.check('input[name=stockSource][value=fixed]');
      await page.fill('#f-stockFixedAmount', '25');
      await page.check('input[name=unavailableItems][value=hidden]');
      await page.fill('#f-runIntervalMinutes', '10');
      await clickAndLoad(page, 'button:has-text("Сохранить настройки")');
      expect(await error(page, 'runIntervalMinutes')).toContain(
        'Интервал — целое число минут от 15 до 1440',
      );
      // What the owner typed stays in the form.
      expect(await page.isChecked('input[name=stockSource][value=fixed]')).toBe(true);
      expect(await page.inputValue('#f-stockFixedAmount')).toBe('25');

      await page.fill('#f-runIntervalMinutes', '30');
      await clickAndLoad(page, 'button:has-text("Сохранить настройки")');
      expect(await page.locator('.flash-success').first().textContent()).toContain(
        'Настройки сохранены.',
      );
      await page.screenshot({ path: `${ARTIFACTS}/saved.png`, fullPage: true });
      const config = await loadSyncConfig(d.c.eventStore, userId);
      expect(config.stock).toEqual({ source: 'fixed', fixedAmount: 25, unavailable: 'hidden' });
      expect(config.runIntervalSeconds).toBe(30 * 60);
      expect(await page.inputValue('#f-runIntervalMinutes')).toBe('30');
      await page.close();
    },
    browserTestTimeout(6),
  );
});
