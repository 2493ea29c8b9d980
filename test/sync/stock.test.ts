import { describe, expect, it } from 'vitest';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

/**
 * Stock from the register, on the real event store against both simulators: what VK shows as
 * `stock_amount` and availability follows Evotor's quantity or the owner's «всегда N», and
 * what cannot be bought is listed as unavailable or hidden, as the owner chose.
 */
const harnesses = useSyncHarnesses('stock');

/** A synced shop with three products of its own: two by the piece, one by weight. */
async function shop() {
  const h = await harnesses.start({ products: 0, groups: 1 });
  const storeId = h.storeIds[0]!;
  const add = (name: string, fields: Record<string, unknown>) =>
    h.evotor.admin.addProduct(storeId, { name, price: 100, ...fields }).id;
  const ids = {
    tea: add('Чай зелёный', { quantity: 12 }),
    honey: add('Мёд липовый', { quantity: 3.999 }),
    cheese: add('Сыр весовой', { quantity: 2.35, measure_name: 'кг' }),
  };
  await h.fetchEvotor();
  await h.enableAndConfirm();
  await h.pushUntilSettled();
  const item = (id: string) => h.vk.admin.snapshot().items.find((i) => i.sku === id)!;
  /** stock as VK keeps it, and VK's availability: 0 on sale, 2 unavailable */
  const shown = (id: string) => {
    const i = item(id);
    return { stock: i.stockAmount, hidden: i.hidden };
  };
  const change = async (id: string, fields: Record<string, unknown>) => {
    h.evotor.admin.changeProduct(storeId, id, fields);
    await h.fetchEvotor();
  };
  return { h, ids, shown, change };
}

describe('stock in VK from the register', () => {
  it('shows the register quantity in whole units; weighed products keep the fixed stock', async () => {
    const { ids, shown } = await shop();
    expect(shown(ids.tea)).toEqual({ stock: 12, hidden: false });
    expect(shown(ids.honey)).toEqual({ stock: 3, hidden: false });
    expect(shown(ids.cheese)).toEqual({ stock: 1000, hidden: false });
  });

  it('a quantity change moves stock_amount with one edit; an unchanged resync writes nothing', async () => {
    const { h, ids, shown, change } = await shop();
    h.vk.admin.resetCallLog();
    await h.fetchEvotor();
    expect((await h.push()).outcome).toBe('nothing_to_do');
    expect(h.writeCalls()).toEqual({});

    await change(ids.tea, { quantity: 7 });
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 1 });
    expect(shown(ids.tea)).toEqual({ stock: 7, hidden: false });

    // A weighed product sold down at the register keeps its fixed stock: nothing to send.
    h.vk.admin.resetCallLog();
    await change(ids.cheese, { quantity: 0.4 });
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({});
    expect(shown(ids.cheese)).toEqual({ stock: 1000, hidden: false });
  });

  it('0 at the register lists the item as unavailable; stock coming back makes it buyable', async () => {
    const { h, ids, shown, change } = await shop();
    await change(ids.tea, { quantity: 0 });
    await h.pushUntilSettled();
    expect(shown(ids.tea)).toEqual({ stock: 0, hidden: false });
    const listed = await h.gateway().then((g) => g.fetchItems());
    expect(listed.find((i) => i.sku === ids.tea)!.availability).toBe(2);

    await change(ids.tea, { quantity: 5 });
    await h.pushUntilSettled();
    expect(shown(ids.tea)).toEqual({ stock: 5, hidden: false });
  });

  it('hides what cannot be bought when the owner chose so, and shows it again on sale', async () => {
    const { h, ids, shown, change } = await shop();
    await h.configure({ type: 'SetUnavailableItemsMode', mode: 'hidden' });
    await change(ids.honey, { quantity: 0 });
    await change(ids.cheese, { allow_to_sell: false });
    h.vk.admin.resetCallLog();
    await h.pushUntilSettled();
    expect(shown(ids.honey).hidden).toBe(true);
    expect(shown(ids.cheese).hidden).toBe(true);
    expect(shown(ids.tea)).toEqual({ stock: 12, hidden: false });
    expect(h.visibleItems().map((i) => i.sku)).toEqual([ids.tea]);

    await change(ids.honey, { quantity: 2 });
    await h.pushUntilSettled();
    expect(shown(ids.honey)).toEqual({ stock: 2, hidden: false });
  });

  it('«всегда N» shows N for every product on sale; back to Evotor edits only what differs', async () => {
    const { h, ids, shown } = await shop();
    h.vk.admin.resetCallLog();
    await h.configure({ type: 'SetStockSource', source: 'fixed', fixedAmount: 40 });
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 3 });
    for (const id of Object.values(ids)) expect(shown(id)).toEqual({ stock: 40, hidden: false });

    // Back to Evotor: the weighed product shows the configured default again.
    h.vk.admin.resetCallLog();
    await h.configure({ type: 'SetStockSource', source: 'evotor', fixedAmount: null });
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 3 });
    expect(shown(ids.tea)).toEqual({ stock: 12, hidden: false });
    expect(shown(ids.cheese)).toEqual({ stock: 1000, hidden: false });

    // «всегда N» with the configured default: the weighed product already shows it.
    h.vk.admin.resetCallLog();
    await h.configure({ type: 'SetStockSource', source: 'fixed', fixedAmount: null });
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 2 });
    for (const id of Object.values(ids)) expect(shown(id)).toEqual({ stock: 1000, hidden: false });
  });
});
