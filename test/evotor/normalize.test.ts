import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  normalizeGroup,
  normalizeProduct,
  normalizeStore,
  quantityToMilli,
  roublesToKopecks,
  scaleDecimal,
} from '../../src/infrastructure/evotor/normalize.js';
import type { EvotorPage, EvotorProduct } from '../../src/infrastructure/evotor/types.js';

/** Answers from Evotor's own Java SDK test resources (see /work/shared/reference). */
const example = <T>(name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

describe('roubles to kopecks', () => {
  it.each([
    [19.99, 1999],
    [0.1 + 0.2, 30],
    [0.1, 10],
    [1.005, 101], // 1.005 * 100 is 100.49999… in binary; the API sent 1.005
    [4.35, 435],
    [1.255, 126],
    [149.9, 14990],
    [43, 4300],
    [0, 0],
    [-19.99, -1999],
    [1e-7, 0],
    [123456789.12, 12345678912],
  ])('%s roubles → %s kopecks', (roubles, kopecks) => {
    expect(roublesToKopecks(roubles)).toBe(kopecks);
  });

  it('parses the exact JSON text, never the product of a float multiplication', () => {
    const price = (JSON.parse('{"price": 19.99}') as { price: number }).price;
    expect(Math.trunc(price * 100)).toBe(1998); // the trap this function avoids
    expect(roublesToKopecks(price)).toBe(1999);
  });

  it('rejects values that cannot be money', () => {
    expect(() => roublesToKopecks(Number.NaN)).toThrow(RangeError);
    expect(() => roublesToKopecks(Infinity)).toThrow(RangeError);
    expect(() => scaleDecimal(1e300, 2)).toThrow(RangeError);
  });
});

describe('quantity to thousandths', () => {
  it.each([
    [42, 42000],
    [1.5, 1500],
    [0.001, 1],
    [2.675, 2675],
    [0.1 + 0.2, 300],
    [-3.25, -3250],
    [0.0004, 0],
    [0.0005, 1],
  ])('%s → %s', (quantity, milli) => {
    expect(quantityToMilli(quantity)).toBe(milli);
  });
});

describe('normalizing Evotor answers', () => {
  it('turns a product of the reference examples into a CatalogProduct', () => {
    const page = example<EvotorPage<EvotorProduct>>('stores_2_GET_products.json');
    expect(normalizeProduct(page.items[0]!)).toEqual({
      id: '00000000-0000-0000-0000-000000000000',
      groupId: '00000000-0000-0000-0000-000000000001',
      name: 'Пицца мясная 5,4,3',
      productType: 'NORMAL',
      priceKopecks: 4300,
      costPriceKopecks: 0,
      quantityMilli: 5000,
      measureName: '',
      tax: 'VAT_18',
      allowToSell: true,
      description: '',
      articleNumber: '',
      code: '',
      barcodes: [],
    });
  });

  it('fills fields the API left out and orders barcodes', () => {
    const page = example<EvotorPage<EvotorProduct>>('stores_1_GET_products.json');
    const product = normalizeProduct({
      ...page.items[0]!,
      barcodes: ['4607001234562', '2000000000015'],
    });
    expect(product).toMatchObject({
      groupId: null,
      measureName: 'литр',
      quantityMilli: 42000,
      priceKopecks: 100,
      barcodes: ['2000000000015', '4607001234562'],
    });
  });

  it('normalizes groups and stores', () => {
    expect(normalizeGroup({ id: 'g', name: 'Хлеб', parent_id: '' })).toEqual({
      id: 'g',
      parentId: null,
      name: 'Хлеб',
    });
    expect(normalizeGroup({ id: 'g2', name: 'Ржаной', parent_id: 'g' }).parentId).toBe('g');
    const store = example<{ id: string; name: string; address: string }>('stores_GET_1.json');
    expect(normalizeStore(store)).toEqual({ id: store.id, name: 'msk', address: 'Россия, Москва' });
    expect(normalizeStore({ id: 's', name: 'Без адреса' }).address).toBe('');
  });
});
