import helmet from 'helmet';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { createWebApp } from '../../src/web/app.js';
import { opsRoutes } from '../../src/web/ops/index.js';
import { browserTestTimeout, launchChromium, openPage } from '../support/browser.js';
import { listenLocal } from '../support/http.js';

let server: Awaited<ReturnType<typeof listenLocal>> | undefined;
let browser: Browser;
let base: string;

beforeAll(async () => {
  // helmet's default CSP site-wide, as the real app has: the docs pages must cope with it.
  const app = createWebApp({
    logger: createLogger({ level: 'silent' }),
    healthChecks: [],
    configure: (express) => express.use(helmet()),
    routers: [opsRoutes()],
  });
  server = await listenLocal(app);
  base = server.base;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Opens a page and records what a real browser would complain about: script errors, failed
 * or refused loads of our own files, and any answer from another host (something left the
 * machine). ReDoc's attribution logo is hard-wired to its CDN; the CSP refuses it and ReDoc
 * hides the image when it fails, so that one refusal is expected and reported apart.
 */
async function open(path: string) {
  const page = await openPage(browser);
  const problems: string[] = [];
  const refusedOffSite: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/violates the following Content Security Policy/.test(m.text())) {
      const url = /'(https?:[^']+)'/.exec(m.text())?.[1] ?? m.text();
      if (!url.startsWith(base)) return void refusedOffSite.push(url);
    }
    if (!m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('response', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('blob:'))
      problems.push(`answer from another host: ${r.url()}`);
    else if (r.status() >= 400 && !r.url().endsWith('/favicon.ico'))
      problems.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}${path}`);
  return { page, problems, refusedOffSite };
}

describe('the docs pages in a browser, under the site CSP', () => {
  it(
    'ReDoc renders the document from the local bundle',
    async () => {
      const { page, problems, refusedOffSite } = await open('/redoc');
      await page.locator('h2', { hasText: 'Evotor registers a user in EvoSync' }).waitFor();
      await page.locator('h2', { hasText: 'Checks the saved VK token' }).waitFor();
      expect(await page.title()).toContain('ReDoc');
      expect(problems).toEqual([]);
      expect(refusedOffSite.every((url) => url.startsWith('https://cdn.redoc.ly/'))).toBe(true);
      await page.close();
    },
    browserTestTimeout(),
  );

  it(
    'Swagger UI renders every operation',
    async () => {
      const { page, problems, refusedOffSite } = await open('/docs/');
      await page.locator('.opblock').first().waitFor();
      const paths = await page.locator('.opblock-summary-path').allInnerTexts();
      expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(
        expect.arrayContaining(['/health', '/user/create', '/api/v1/installation/event']),
      );
      expect(problems).toEqual([]);
      expect(refusedOffSite).toEqual([]);
      await page.close();
    },
    browserTestTimeout(),
  );
});
