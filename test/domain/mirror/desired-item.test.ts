import { describe, expect, it } from 'vitest';
import {
  desiredVkItem,
  vkItemDescription,
  vkItemName,
  vkSku,
} from '../../../src/domain/mirror/desired-item.js';
import { group, product } from '../catalog/fixtures.js';

const settings = { categoryId: 40932, stockAmount: 1000 };
const uuid = '0b5e5c4a-8a1c-4f3e-9d1e-2f8c6b7a9e10';

describe('desiredVkItem', () => {
  it('maps a product on sale, with the multiplied price, category, stock and album', () => {
    const item = desiredVkItem(
      product(uuid, { name: 'Яблоки', measureName: 'кг', priceKopecks: 10_050, groupId: 'g1' }),
      group('g1', { name: 'Фрукты' }),
      { priceMultiplier: '1.15' },
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
    const item = desiredVkItem(product('p1', { images }), null, { priceMultiplier: '1' }, settings);
    expect(item.photos).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(item.photoSources[0]).toEqual({ sha256: 'a', url: 'https://evotor.test/a.png' });
  });

  it('shows a product not allowed to sell as unavailable with no stock, outside any album', () => {
    const item = desiredVkItem(
      product('p1', { allowToSell: false }),
      null,
      { priceMultiplier: '1' },
      settings,
    );
    expect([item.available, item.stockAmount, item.albumKey, item.albumTitle]).toEqual([
      false,
      0,
      null,
      null,
    ]);
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
