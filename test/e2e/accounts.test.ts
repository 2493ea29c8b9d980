import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkFrom, PASSWORD, startHarness, type Harness } from '../accounts/harness.js';
import { browserTestTimeout, clickAndLoad, launchChromium, openPage } from '../support/browser.js';
import { listenLocal } from '../support/http.js';

const ARTIFACTS = 'test-artifacts/accounts';

let h: Harness;
let server: Awaited<ReturnType<typeof listenLocal>> | undefined;
let browser: Browser;
let base: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness('e2e_accounts');
  server = await listenLocal(h.app);
  base = server.base;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
});

/** The element's text once it is there (waiting on the page, never on a timer). */
async function text(page: Page, selector: string): Promise<string> {
  const element = page.locator(selector).first();
  try {
    await element.waitFor();
  } catch (error) {
    // Once in a full run (28 November) a flash never came: say which page came instead.
    const shown = await page
      .locator('body')
      .innerText({ timeout: 5_000 })
      .catch(() => '(unreadable)');
    throw new Error(
      `${selector} did not appear on ${page.url()}, which shows: ${shown.slice(0, 600)}`,
      { cause: error },
    );
  }
  return element.innerText();
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

async function logIn(page: Page, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await clickAndLoad(page, 'button[type=submit]:has-text("Войти")');
}

describe('accounts in a browser', () => {
  it(
    'register → confirm from the outbox → log in → edit profile → log out; suspended by an admin, then refused',
    async () => {
      const page = await openPage(browser, { viewport: { width: 390, height: 844 } });
      await page.goto(`${base}/register`);
      await shot(page, '01-register');
      await page.fill('#f-email', 'shopper@example.test');
      await page.fill('#f-name', '<b>Магазин</b>');
      await page.fill('#f-password', PASSWORD);
      await page.fill('#f-password2', PASSWORD);
      await clickAndLoad(page, 'button[type=submit]');
      expect(await text(page, 'h1')).toBe('Проверьте почту');

      await page.goto(base + linkFrom(h.mailer, 'shopper@example.test', '/confirm-email'));
      expect(await text(page, '.flash-success')).toContain('Email подтверждён');
      await shot(page, '02-login-after-confirm');

      await logIn(page, 'shopper@example.test', PASSWORD);
      await page.waitForURL(`${base}/profile`);
      expect(await text(page, '#profile-name')).toBe('<b>Магазин</b>');
      await shot(page, '03-profile');

      await clickAndLoad(page, 'a:has-text("Изменить")');
      await page.fill('#f-name', 'Магазин у дома');
      await page.fill('#f-phone', '+7 900 123-45-67');
      await clickAndLoad(page, 'button:has-text("Сохранить")');
      await page.waitForURL(`${base}/profile`);
      expect(await text(page, '#profile-name')).toBe('Магазин у дома');
      expect(await text(page, '.flash-success')).toContain('Профиль сохранён');

      await clickAndLoad(page, 'button:has-text("Выйти")');
      await page.waitForURL(`${base}/login`);

      await h.module.accounts.admin.createSystemAccount('boss@example.test', PASSWORD);
      const admin = await openPage(browser, { viewport: { width: 1280, height: 900 } });
      await logIn(admin, 'boss@example.test', PASSWORD);
      await admin.goto(`${base}/admin/users?q=shopper`);
      await shot(admin, '04-admin-users');
      await clickAndLoad(admin, 'a:has-text("shopper@example.test")');
      await shot(admin, '05-admin-user');
      await clickAndLoad(admin, 'button:has-text("Заблокировать")');
      expect(await text(admin, '.flash-success')).toContain('Пользователь заблокирован');
      await admin.goto(`${base}/admin/roles`);
      await shot(admin, '06-admin-roles');
      await admin.goto(`${base}/admin/audit`);
      await shot(admin, '07-admin-audit');
      // The event's Russian label is the link; its code name stands beside it.
      await clickAndLoad(
        admin,
        'table tr:has(.event-type:text-is("UserSuspended")) td[data-label="Событие"] a',
      );
      expect(await text(admin, '#event-data')).toContain('userId');
      await shot(admin, '08-admin-audit-event');
      await admin.goto(`${base}/admin/logs`);
      await shot(admin, '09-admin-logs');

      await logIn(page, 'shopper@example.test', PASSWORD);
      expect(await text(page, '.flash-error')).toContain('Учётная запись заблокирована');
      await shot(page, '10-login-suspended');
      expect(page.url()).toBe(`${base}/login`);
    },
    browserTestTimeout(3),
  );
});
