import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/infrastructure/config/config.js';
import { createLogger } from '../../src/infrastructure/logging/logger.js';
import { buildContainer, type Container } from '../../src/main/container.js';
import { buildWebApp } from '../../src/main/web-runtime.js';
import {
  listJsonRoutes,
  listRoutes,
  OPS_HTML_PAGES,
  openApiDocument,
  undocumentedRoutes,
} from '../../src/web/ops/index.js';
import { createTestDatabase } from '../support/mariadb.js';

/**
 * The pages a person reads (HTML and form posts that redirect to one, the CSV download, and the
 * favicon a browser asks for by itself).
 * Everything else the app serves answers a program and must be in the OpenAPI document.
 */
const HTML_PAGES = [
  ...OPS_HTML_PAGES,
  '/',
  '/favicon.ico',
  '/login',
  '/logout',
  '/register',
  '/confirm-email',
  '/resend-confirm',
  '/forgot-password',
  '/reset-password',
  '/invite',
  '/profile/*',
  '/admin/*',
  '/catalog/*',
  '/sync/*',
  '/vk-catalog/*',
  '/connections',
  '/connections/evotor',
  '/connections/evotor/disconnect',
  '/connections/vk',
  '/connections/vk/disconnect',
  '/connections/vk/choose',
  '/connections/vk/oauth/*',
  '/connections/vk/id/*',
];

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let container: Container;

beforeAll(async () => {
  db = await createTestDatabase('openapi');
  const config = loadConfig(
    { NODE_ENV: 'test', DATABASE_URL: db.url, EVENTSTORE_URL: db.url, LOG_LEVEL: 'silent' },
    null,
  );
  container = await buildContainer(config, createLogger({ level: 'silent' }), {
    processName: 'test',
    schedulerNamespace: `evosync-test-openapi-${randomUUID()}`,
  });
});
afterAll(async () => {
  await container?.close();
  await db?.drop();
});

describe('the OpenAPI document of the whole web app', () => {
  it('describes every route that answers a program (JSON, webhooks, metrics)', async () => {
    const { app } = await buildWebApp(container);
    const json = listJsonRoutes(app, HTML_PAGES);
    // The check is not vacuous: the webhooks and the connection tests are among them.
    expect(json).toEqual(
      expect.arrayContaining([
        { method: 'POST', path: '/user/create' },
        { method: 'POST', path: '/connections/evotor/test' },
        { method: 'GET', path: '/health' },
      ]),
    );
    expect(undocumentedRoutes(json, openApiDocument)).toEqual([]);
    // And the HTML list names only routes that exist, so it cannot hide a JSON route by accident.
    const all = listRoutes(app).map((r) => r.path);
    for (const page of HTML_PAGES.filter((p) => !p.endsWith('/*'))) {
      expect(all, page).toContain(page);
    }
  });
});
