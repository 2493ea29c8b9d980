import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardApp, post, type Agent } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

/**
 * VK's error 14 as VK sends it today (a `redirect_uri` to its captcha page) and as it used to
 * (`captcha_img`), from the VK simulator through the push to the owner's /sync page.
 */
let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;

beforeAll(async () => {
  d = await DashboardApp.start('captcha_page');
  owner = await d.owner('captcha-owner@example.test');
  shop = await OwnerSync.start(d.c, owner.userId);
  await shop.fetchEvotor();
  await shop.enableAndConfirm();
}, 60_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

const page = async () => {
  await d.settle();
  const res = await owner.agent.get('/sync');
  expect(res.status).toBe(200);
  return res.text;
};

const captchaLink = (html: string) =>
  /<a href="([^"]+)"[^>]*class="captcha-link">([^<]+)<\/a>/.exec(html);

/** The page address VK put into the last error 14 the simulator answered. */
const lastRedirectUri = async () => {
  const events = await d.c.eventStore.readStream(`vk-mirror-${owner.userId}`);
  const paused = events.filter((e) => e.type === 'VkPushPaused').at(-1);
  return (paused?.data as { redirectUri?: string }).redirectUri;
};

describe('the captcha pause on /sync', () => {
  it('pauses on VK captcha page, links the owner to it, and «Продолжить» resumes', async () => {
    shop.vk.admin.addFault({ code: 14, count: 1, method: 'market.add' });
    expect((await shop.push()).outcome).toBe('paused');
    const uri = await lastRedirectUri();
    expect(uri).toMatch(/^https:\/\/id\.vk\.com\/not_robot_captcha\?.*session_token=/);

    const paused = await page();
    expect(paused).toContain('VK запросил капчу');
    const link = captchaLink(paused)!;
    expect(link[1]!.replace(/&amp;/g, '&')).toBe(uri);
    expect(link[2]).toBe('Пройдите проверку VK');
    expect(paused).toContain('action="/sync/resume"');
    // Still paused: a push before «Продолжить» sends nothing.
    shop.vk.admin.resetCallLog();
    expect((await shop.push()).outcome).toBe('paused');
    expect(shop.writeCalls()).toEqual({});

    const res = await post(owner.agent, '/sync', '/sync/resume');
    expect(res.status).toBe(303);
    const resumed = await page();
    expect(resumed).toContain('Выгрузка в VK продолжится');
    expect(resumed).not.toContain('VK запросил капчу');
    const reports = await shop.pushUntilSettled();
    expect(reports[0]!.created).toBeGreaterThan(0);
    expect(shop.visibleItems().length).toBe(shop.evotor.admin.products(shop.storeIds[0]!).length);
  });

  it('falls back to the old captcha picture when VK sends only that', async () => {
    const first = shop.evotor.admin.products(shop.storeIds[0]!)[0]!;
    shop.evotor.admin.changeProduct(shop.storeIds[0]!, first.id, { price: 1234.5 });
    await shop.fetchEvotor();
    shop.vk.admin.addFault({ code: 14, count: 1, method: 'market.edit', captcha: 'legacy' });
    expect((await shop.push()).outcome).toBe('paused');
    const link = captchaLink(await page())!;
    expect(link[1]).toMatch(/^https:\/\/api\.vk\.com\/captcha\.php\?sid=\d+$/);
    expect(link[2]).toBe('картинка капчи');

    await post(owner.agent, '/sync', '/sync/resume');
    expect(await page()).not.toContain('VK запросил капчу');
    await shop.pushUntilSettled();
    expect(shop.visibleItems().find((i) => i.sku === first.id)!.price).toBe(1234.5);
  });
});
