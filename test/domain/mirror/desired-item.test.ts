import { describe, expect, it } from 'vitest';
import {
  desiredEntry,
  desiredVkItem,
  vkItemDescription,
  vkItemName,
  vkSku,
} from '../../../src/domain/mirror/desired-item.js';
import { DEFAULT_STOCK_POLICY, type StockPolicy } from '../../../src/domain/sync-config/stock.js';
import { group, product } from '../catalog/fixtures.js';

const settings = { categoryId: 40932, stockAmount: 1000 };
const fromEvotor = { priceMultiplier: '1', stock: DEFAULT_STOCK_POLICY };
const uuid = '0b5e5c4a-8a1c-4f3e-9d1e-2f8c6b7a9e10';

describe('desiredVkItem', () => {
  it('maps a product on sale by weight, with the multiplied price, category, fixed stock and album', () => {
    const item = desiredVkItem(
      product(uuid, { name: 'Яблоки', measureName: 'кг', priceKopecks: 10_050, groupId: 'g1' }),
      group('g1', { name: 'Фрукты' }),
      { priceMultiplier: '1.15', stock: DEFAULT_STOCK_POLICY },
      settings,
    );
    expect(item).toEqual({
      sku: uuid,
      name: 'Яблоки',
      description: 'Яблоки (цена за 1 кг.)',
      priceKopecks: 11_558,
      categoryId: 40932,
      stockAmount: 1000,
      available: true,
      albumKey: 'g1',
      albumTitle: 'Фрукты',
      photos: [],
      photoSources: [],
    });
  });

  it("takes the product's Evotor images as photos: main first, each content once, at most VK's 5", () => {
    const image = (sha256: string, url = `https://evotor.test/${sha256}.png`) => ({
      sha256,
      evotorId: `id-${sha256}`,
      url,
      fileSize: 1000,
      width: 300,
      height: 300,
    });
    const images = ['a', 'b', 'a', 'c', 'd', 'e', 'f'].map((sha) => image(sha));
    const item = desiredVkItem(product('p1', { images }), null, fromEvotor, settings);
    expect(item.photos).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(item.photoSources[0]).toEqual({ sha256: 'a', url: 'https://evotor.test/a.png' });
  });

  it('shows a product not allowed to sell as unavailable with no stock, outside any album', () => {
    const item = desiredVkItem(product('p1', { allowToSell: false }), null, fromEvotor, settings);
    expect([item.available, item.stockAmount, item.albumKey, item.albumTitle]).toEqual([
      false,
      0,
      null,
      null,
    ]);
  });
});

describe('stock in VK', () => {
  const stockOf = (overrides: Parameters<typeof product>[1], stock: Partial<StockPolicy> = {}) => {
    const config = { priceMultiplier: '1', stock: { ...DEFAULT_STOCK_POLICY, ...stock } };
    const item = desiredVkItem(product('p1', overrides), null, config, settings);
    return [item.stockAmount, item.available];
  };

  it('from Evotor: the register quantity in whole units, rounded down', () => {
    expect(stockOf({ quantityMilli: 7_000 })).toEqual([7, true]);
    expect(stockOf({ quantityMilli: 12_999 })).toEqual([12, true]);
  });

  it('from Evotor: clamped to VK range, so a huge or negative quantity is never refused', () => {
    expect(stockOf({ quantityMilli: 5_000_000_000 })).toEqual([999_999, true]);
    expect(stockOf({ quantityMilli: -3_000 })).toEqual([0, false]);
  });

  it('from Evotor: nothing at the register (or less than one piece) is «нет в наличии»', () => {
    expect(stockOf({ quantityMilli: 0 })).toEqual([0, false]);
    expect(stockOf({ quantityMilli: 500 })).toEqual([0, false]);
  });

  it('products sold by measure keep a fixed stock whatever the register weighs', () => {
    expect(stockOf({ measureName: 'кг', quantityMilli: 2_350 })).toEqual([1000, true]);
    expect(stockOf({ measureName: 'л.', quantityMilli: 0 })).toEqual([1000, true]);
    expect(stockOf({ measureName: 'кг', quantityMilli: 2_350 }, { fixedAmount: 5 })).toEqual([
      5,
      true,
    ]);
  });

  it('«всегда N»: the owner N, or the configured default, whatever the quantity', () => {
    expect(stockOf({ quantityMilli: 0 }, { source: 'fixed', fixedAmount: 25 })).toEqual([25, true]);
    expect(stockOf({ quantityMilli: 3_000 }, { source: 'fixed' })).toEqual([1000, true]);
  });

  it('a product the register does not sell cannot be bought, whatever the stock setting', () => {
    expect(stockOf({ allowToSell: false }, { source: 'fixed', fixedAmount: 25 })).toEqual([
      0,
      false,
    ]);
    expect(stockOf({ allowToSell: false, quantityMilli: 9_000 })).toEqual([0, false]);
  });
});

describe('desiredEntry', () => {
  const hiding = {
    priceMultiplier: '1',
    stock: { ...DEFAULT_STOCK_POLICY, unavailable: 'hidden' as const },
  };

  it('lists what cannot be bought as unavailable by default', () => {
    const item = desiredEntry(product('p1', { quantityMilli: 0 }), null, fromEvotor, settings);
    expect(item && [item.available, item.stockAmount]).toEqual([false, 0]);
  });

  it('hides what cannot be bought when the owner chose so, and keeps what can', () => {
    expect(desiredEntry(product('p1', { quantityMilli: 0 }), null, hiding, settings)).toBeNull();
    expect(desiredEntry(product('p2', { allowToSell: false }), null, hiding, settings)).toBeNull();
    const onSale = desiredEntry(product('p3', { quantityMilli: 4_000 }), null, hiding, settings);
    expect(onSale && [onSale.available, onSale.stockAmount]).toEqual([true, 4]);
  });
});

describe('vkItemName', () => {
  it.each([
    ['  Молоко   3,2%  ', '', 'Молоко 3,2%'],
    ['Чай', '1205', 'Чай 1205'],
    ['Чай', '', 'Чай товар'],
    ['', '', 'Товар'],
    ['Ф', '7', 'Ф 7 товар'],
  ])('%j (article %j) → %j', (name, articleNumber, expected) => {
    expect(vkItemName({ name, articleNumber })).toBe(expected);
  });

  it('cuts a long name at a word boundary with an ellipsis, within 100 characters', () => {
    const name = vkItemName({ name: 'Очень '.repeat(30), articleNumber: '' });
    expect(Array.from(name).length).toBeLessThanOrEqual(100);
    expect(name).toMatch(/^(Очень )+Очень…$/);
  });

  it('cuts a long word in the middle when there is no boundary', () => {
    const name = vkItemName({ name: 'Я'.repeat(150), articleNumber: '' });
    expect(name).toBe(`${'Я'.repeat(99)}…`);
  });
});

describe('vkItemDescription', () => {
  it.each([
    [{ description: '', measureName: 'шт' }, 'Хлеб', 'Хлеб (цена за 1 шт.)'],
    [{ description: '', measureName: 'шт.' }, 'Хлеб', 'Хлеб (цена за 1 шт.)'],
    [
      { description: 'Ржаной, на закваске', measureName: 'шт' },
      'Хлеб',
      'Ржаной, на закваске\n(цена за 1 шт.)',
    ],
    [
      { description: 'Ржаной хлеб на закваске', measureName: '' },
      'Хлеб',
      'Ржаной хлеб на закваске',
    ],
    [{ description: '', measureName: '' }, 'Хлеб', 'Товар «Хлеб»'],
    [{ description: 'Вкусный', measureName: '' }, 'Хлеб', 'Товар «Хлеб»'],
    [{ description: '', measureName: '' }, 'Хлеб белый', 'Хлеб белый'],
  ])('%j for %j → %j', (product, name, expected) => {
    const description = vkItemDescription(product, name);
    expect(description).toBe(expected);
    expect(Array.from(description).length).toBeGreaterThanOrEqual(10);
  });
});

describe('vkSku', () => {
  it('keeps an Evotor UUID as it is', () => {
    expect(vkSku(uuid)).toBe(uuid);
  });

  it('shortens a longer id to 50 characters, deterministically and distinctly', () => {
    const a = vkSku(`${'x'.repeat(60)}-a`);
    const b = vkSku(`${'x'.repeat(60)}-b`);
    expect(a).toHaveLength(50);
    expect(a).toBe(vkSku(`${'x'.repeat(60)}-a`));
    expect(a).not.toBe(b);
  });
});
