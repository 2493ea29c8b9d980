import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { DashboardApp, post, type Agent } from '../sync-page/dashboard-app.js';
import { formatRoubles } from '../../src/web/shared/format.js';
import { OwnerSync } from '../sync-page/owner-sync.js';

let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;
let path: string;
let oldPrice: number;

/** Russian money style: no-break spaces between thousands and before the sign, a comma. */
const rub = (kopecks: number) => formatRoubles(kopecks);

beforeAll(async () => {
  d = await DashboardApp.start('history');
  owner = await d.owner('history-owner@example.test');
  shop = await OwnerSync.start(d.c, owner.userId, { groups: 1, products: 3, seed: 3 });
  await shop.fetchEvotor();
  await shop.enableAndConfirm();
  await d.settle();
  const [config] = await d.c.sequelize.query<{ revision: number }>(
    'SELECT revision FROM sync_configs WHERE user_id = ?',
    { replacements: [owner.userId], type: QueryTypes.SELECT },
  );
  const saved = await post(owner.agent, '/sync', '/sync/settings', {
    priceMultiplier: '1.5',
    revision: String(config!.revision),
    refresh_catalog: '1',
    refresh_vk_catalog: '1',
    mirror_to_vk: '1',
  });
  expect(saved.status).toBe(303);
  expect((await shop.push()).outcome).toBe('done');

  const storeId = shop.storeIds[0]!;
  const product = shop.evotor.admin.products(storeId).find((p) => p.price > 0)!;
  oldPrice = Math.round(product.price * 100);
  shop.evotor.admin.changeProduct(storeId, product.id, { price: 777.7 });
  await shop.fetchEvotor();
  expect((await shop.push()).updated).toBe(1);
  await d.settle();
  path = `/catalog/stores/${storeId}/products/${product.id}/history`;
}, 120_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

describe('product history', () => {
  it('shows the price change and the push that followed, in order', async () => {
    const res = await owner.agent.get(path);
    expect(res.status).toBe(200);
    const text = res.text;
    const steps = [
      'Появился в Эвотор',
      'Изменён множитель цены',
      'Создан в VK',
      'Изменён в Эвотор',
      'Обновлён в VK',
    ].map((s) => text.indexOf(s));
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(text).toContain(`Цена: ${rub(oldPrice)} → ${rub(77_770)}`);
    expect(text).toContain(`Цена: ${rub(Math.round(oldPrice * 1.5))} → ${rub(116_655)}`);
    expect(text).toContain('1 → 1,5');
  });

  it('answers "why this price": Evotor price × multiplier, and the last pushed price', async () => {
    const text = (await owner.agent.get(path)).text;
    expect(text).toContain(`<strong>${rub(77_770)}</strong> × множитель <strong>1,5</strong>`);
    expect(text).toContain(`<strong class="history-desired">${rub(116_655)}</strong>`);
    expect(text).toMatch(new RegExp(`class="history-pushed">${rub(116_655)}, \\d`));
  });

  it("is a 404 for another user's product and unknown ids", async () => {
    const other = await d.owner('history-other@example.test');
    expect((await other.agent.get(path)).status).toBe(404);
    expect((await owner.agent.get(path.replace(/products\/[^/]+/, 'products/nope'))).status).toBe(
      404,
    );
  });

  it('is refused (403) without the sync.use permission', async () => {
    const admin = await d.owner('history-admin@example.test', 'admin');
    expect((await admin.agent.get(path)).status).toBe(403);
  });
});
