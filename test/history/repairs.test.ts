import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardApp, type Agent } from '../sync-page/dashboard-app.js';
import { OwnerSync } from '../sync-page/owner-sync.js';

let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;

beforeAll(async () => {
  d = await DashboardApp.start('history_repairs');
  owner = await d.owner('repairs-owner@example.test');
  shop = await OwnerSync.start(d.c, owner.userId, { groups: 1, products: 3, seed: 5 });
  await shop.fetchEvotor();
  await shop.enableAndConfirm();
  await shop.pushUntilSettled();
  shop.advance(1_000);
  await shop.fetchVk();
}, 120_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

const historyOf = async (productId: string) => {
  await d.settle();
  const res = await owner.agent.get(
    `/catalog/stores/${shop.storeIds[0]!}/products/${productId}/history`,
  );
  expect(res.status).toBe(200);
  return res.text;
};

describe('product history: repairs and failures', () => {
  it('says which field was set back after a hand edit in VK, and why', async () => {
    const item = shop.visibleItems()[0]!;
    shop.vk.admin.changeItem(item.id, { price: 1.5 });
    shop.advance(1_000);
    await shop.fetchVk();
    expect((await shop.push()).updated).toBe(1);
    const text = await historyOf(item.sku!);
    expect(text).toContain('Исправлен в VK после ручной правки');
    expect(text).toContain(
      'Цена: в VK изменено вручную (было 1,50\u00a0₽) — возвращено, потому что этим полем управляет EvoSync',
    );
  });

  it('shows a failing product with its reason and when it is tried again', async () => {
    const product = shop.evotor.admin.products(shop.storeIds[0]!)[1]!;
    shop.evotor.admin.changeProduct(shop.storeIds[0]!, product.id, { price: 321 });
    await shop.fetchEvotor();
    shop.vk.admin.addFault({ code: 10, count: 100, method: 'market.edit' });
    const report = await shop.push();
    shop.vk.admin.clearFaults();
    expect(report.nextRetryAt).not.toBeNull();
    const text = await historyOf(product.id);
    // the owner reads VK's error 10 in Russian, not VK's English text
    expect(text).toContain('Ошибка VK: У VK временный сбой.');
    expect(text).toContain('EvoSync повторит попытку сам');
    expect(text).toMatch(/Попытка 1; следующая — \d/);
  });
});
