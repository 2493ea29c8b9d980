import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/**
 * Debian's Chromium (never a downloaded build), headless, with the flags this closed network
 * needs: without the background-networking ones Chromium keeps dialling out and is refused.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * How long a browser test waits for a condition (an element, a navigation, a load). A test
 * waits for conditions, never on a timer, so a long bound costs nothing when all is well; on
 * a machine busy with other work a page can take many seconds, and Playwright's 30 s default
 * then failed tests that were right.
 */
export const BROWSER_WAIT_MS = 120_000;

/** A vitest timeout for a browser test of `waits` sequential page steps. */
export const browserTestTimeout = (waits = 1) => Math.max(1, waits) * BROWSER_WAIT_MS;

/** A new page whose every wait (locators, navigations) is bounded by BROWSER_WAIT_MS. */
export async function openPage(
  browser: Browser,
  options: Parameters<Browser['newPage']>[0] = {},
): Promise<Page> {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(BROWSER_WAIT_MS);
  page.setDefaultNavigationTimeout(BROWSER_WAIT_MS);
  return page;
}

/**
 * Clicks a control that submits a form or follows a link, and returns once the page it leads
 * to has loaded. Without this, the next step (a `goto`, or a look for an element that the old
 * page also has) can run before the server answered: a `goto` then cancels the submission.
 */
export async function clickAndLoad(page: Page, target: string | Locator): Promise<void> {
  const control = typeof target === 'string' ? page.locator(target).first() : target;
  await Promise.all([page.waitForEvent('load'), control.click()]);
}
