import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { syncJobKey } from '../../src/application/sync/sync-jobs.js';
import { confirmAsShown, DashboardApp, post, type Agent } from './dashboard-app.js';
import { OwnerSync } from './owner-sync.js';

let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;

beforeAll(async () => {
  d = await DashboardApp.start('sync_page');
  owner = await d.owner('owner@example.test');
}, 60_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

const page = async (agent: Agent = owner.agent) => {
  await d.settle();
  const res = await agent.get('/sync');
  expect(res.status).toBe(200);
  return res.text;
};

const save = (fields: Record<string, string>) =>
  post(owner.agent, '/sync', '/sync/settings', fields);

async function configRow(userId = owner.userId) {
  const [row] = await d.c.sequelize.query<Record<string, unknown>>(
    'SELECT * FROM sync_configs WHERE user_id = ?',
    { replacements: [userId], type: QueryTypes.SELECT },
  );
  return row;
}

describe('/sync status and confirmation', () => {
  it('starts "Не настроено" and warns that neither Evotor nor VK is connected', async () => {
    const text = await page();
    expect(text).toContain('Не настроено');
    expect(text).toContain('Эвотор не подключён');
    expect(text).toContain('VK не подключён');
    expect(text).toContain('href="/connections"');
  });

  it('refuses to confirm while sync is off, and without any store in scope', async () => {
    const off = await post(owner.agent, '/sync', '/sync/confirm');
    expect(off.status).toBe(303);
    expect(await page()).toContain('Сначала включите синхронизацию.');

    await post(owner.agent, '/sync', '/sync/toggle', { enabled: '1' });
    expect(await page()).toContain('Настроено, ожидает подтверждения');
    await confirmAsShown(owner.agent);
    const text = await page();
    expect(text).toContain('Ни один магазин не выбран для синхронизации');
    expect(text).toContain('Настроено, ожидает подтверждения');
  });

  it('confirms once the Evotor stores are known, and the warnings go away', async () => {
    shop = await OwnerSync.start(d.c, owner.userId);
    await shop.fetchEvotor();
    await d.settle();
    const before = await page();
    expect(before).not.toContain('Эвотор не подключён');
    expect(before).not.toContain('VK не подключён');
    await confirmAsShown(owner.agent);
    const text = await page();
    expect(text).toContain('Синхронизация подтверждена и запущена.');
    expect(text).toContain('Статус: <strong>Активна</strong>');
    expect(Number((await configRow())!.is_enabled)).toBe(1);
  });

  it('the master switch turns it off and on again (confirmed stays confirmed)', async () => {
    await post(owner.agent, '/sync', '/sync/toggle', { enabled: '0' });
    expect(await page()).toContain('Статус: <strong>Не настроено</strong>');
    await post(owner.agent, '/sync', '/sync/toggle', { enabled: '1' });
    expect(await page()).toContain('Статус: <strong>Активна</strong>');
  });
});

describe('/sync settings', () => {
  const revision = async () => String((await configRow())!.revision);
  const allTasks = { refresh_catalog: '1', refresh_vk_catalog: '1', mirror_to_vk: '1' };

  it.each([
    ['0', 'Множитель должен быть больше 0 и не больше 100.'],
    ['100.5', 'Множитель должен быть больше 0 и не больше 100.'],
    ['1.23456', 'Множитель — число с не более чем 4 знаками после запятой'],
    ['abc', 'Множитель — число с не более чем 4 знаками после запятой'],
    ['', 'Укажите множитель цены.'],
  ])('refuses the multiplier %j next to the field', async (value, message) => {
    const res = await save({ priceMultiplier: value, revision: await revision(), ...allTasks });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="e-priceMultiplier"');
    expect(res.text).toContain(message);
    expect((await configRow())!.price_multiplier).toBe('1');
  });

  it('saves a multiplier with a comma and the task switches in one go', async () => {
    const res = await save({
      priceMultiplier: '1,15',
      revision: await revision(),
      refresh_catalog: '1',
      refresh_vk_catalog: '1',
    });
    expect(res.status).toBe(303);
    await d.settle();
    const row = (await configRow())!;
    expect(row.price_multiplier).toBe('1.15');
    expect(Number(row.mirror_to_vk)).toBe(0);
    expect(Number(row.refresh_catalog)).toBe(1);
    const text = await page();
    expect(text).toContain('value="1.15"');
    expect(text).toMatch(/name="mirror_to_vk" value="1"\s*>/);
    expect(text).toMatch(/name="refresh_catalog" value="1" checked/);
    expect(text).toContain('Выгружать товары в VK');
  });

  it('a stale form gets the "changed meanwhile" message and the current values', async () => {
    const stale = await revision();
    await save({ priceMultiplier: '1.2', revision: stale, ...allTasks });
    const res = await save({ priceMultiplier: '3', revision: stale, ...allTasks });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Настройки изменились, пока страница была открыта');
    expect(res.text).toContain('value="1.2"');
    expect((await configRow())!.price_multiplier).toBe('1.2');
  });
});

describe('/sync runs, captcha and "sync now"', () => {
  it('"Синхронизировать сейчас" enqueues the Evotor fetch for this user', async () => {
    const res = await post(owner.agent, '/sync', '/sync/now');
    expect(res.status).toBe(303);
    const { jobs } = await d.c.scheduler.listJobs({ name: 'evotor-fetch', limit: 10, skip: 0 });
    expect(jobs.map((j) => j.data)).toContainEqual({ userId: owner.userId });
    // The one key every path uses for this job kind (the pipeline's and the saga's too).
    expect(jobs.find((j) => j.data.userId === owner.userId)?.uniqueKey).toBe(
      syncJobKey('evotor-fetch', owner.userId),
    );
  });

  it('shows a captcha pause with what to do, and "Продолжить" resumes the push', async () => {
    shop.vk.admin.addFault({ code: 14, count: 1, method: 'market.add' });
    expect((await shop.push()).outcome).toBe('paused');
    const paused = await page();
    expect(paused).toContain('VK запросил капчу');
    expect(paused).toContain('action="/sync/resume"');

    const res = await post(owner.agent, '/sync', '/sync/resume');
    expect(res.status).toBe(303);
    const text = await page();
    expect(text).toContain('Выгрузка в VK продолжится');
    expect(text).not.toContain('VK запросил капчу');
    const { jobs } = await d.c.scheduler.listJobs({ name: 'vk-push', limit: 10, skip: 0 });
    expect(jobs.map((j) => j.data)).toContainEqual({ userId: owner.userId });
  });

  it('lists the last runs with their counts, one line per push job', async () => {
    const report = await shop.push();
    expect(report.outcome).toBe('done');
    const text = await page();
    const runs = /<table class="sync-runs cards">([\s\S]*?)<\/table>/.exec(text)?.[1] ?? '';
    const rows = [...runs.matchAll(/<td data-label="Создано">([\d\u00a0]+)<\/td>/g)];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(Number(rows[0]![1]!.replace(/\u00a0/g, ''))).toBe(report.created + report.adopted);
    expect(text).toContain('капча');
  });

  it("names the failing product in Russian with its history link, never VK's English text", async () => {
    const storeId = shop.storeIds[0]!;
    const product = shop.evotor.admin.products(storeId)[0]!;
    shop.evotor.admin.changeProduct(storeId, product.id, { price: 123.45 });
    await shop.fetchEvotor();
    // More than the client's own retries of error 10: the edit fails and is recorded.
    shop.vk.admin.addFault({ code: 10, count: 20, method: 'market.edit' });
    expect((await shop.push()).retryableFailures).toBe(1);
    const text = await page();
    const list = /<table class="sync-failures cards">([\s\S]*?)<\/table>/.exec(text)?.[1] ?? '';
    expect(list).toContain('У VK временный сбой.');
    expect(list).toContain('EvoSync повторит попытку сам');
    expect(list).toContain(`href="/catalog/stores/${storeId}/products/${product.id}/history"`);
    expect(list).not.toContain('Internal server error');
    shop.vk.admin.clearFaults();
  });
});

describe('/sync access', () => {
  it('is refused (403) without the sync.use permission', async () => {
    const admin = await d.owner('admin@example.test', 'admin');
    expect((await admin.agent.get('/sync')).status).toBe(403);
    const profile = await admin.agent.get('/profile');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(profile.text)![1]!;
    const res = await admin.agent.post('/sync/now').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(403);
  });
});
