import type { CatalogGroup, CatalogProduct } from '../../../src/domain/catalog/events.js';

export function group(id: string, overrides: Partial<CatalogGroup> = {}): CatalogGroup {
  return { id, parentId: null, name: `Группа ${id}`, ...overrides };
}

export function product(id: string, overrides: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    id,
    groupId: null,
    name: `Товар ${id}`,
    productType: 'NORMAL',
    priceKopecks: 10_000,
    costPriceKopecks: 6_000,
    quantityMilli: 5_000,
    measureName: 'шт',
    tax: 'NO_VAT',
    allowToSell: true,
    description: '',
    articleNumber: '',
    code: '1',
    barcodes: [],
    ...overrides,
  };
}
