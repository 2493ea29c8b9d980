import type {
  CatalogGroup,
  CatalogProduct,
  ReceiptKind,
  StoreInfo,
} from '../../domain/catalog/events.js';
import type { EvotorV1Product, EvotorV1Store, EvotorV2Receipt } from './notification-types.js';
import type { EvotorGroup, EvotorProduct, EvotorStore } from './types.js';

/**
 * Scales a JSON decimal number to an integer number of 1/10^decimals units, exactly.
 *
 * `Math.round(value * 100)` is wrong for values such as 1.005 (1.005 * 100 = 100.4999…): the
 * multiplication happens in binary. Instead this works on the shortest decimal text of the
 * double (what `JSON.parse` read), so the number the API sent is the number that is rounded,
 * half away from zero.
 */
export function scaleDecimal(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  const negative = value < 0;
  const [mantissa = '0', exponent] = Math.abs(value).toString().split('e');
  const [intPart = '0', fracPart = ''] = mantissa.split('.');
  let digits = intPart + fracPart;
  let point = intPart.length + Number(exponent ?? 0) + decimals;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let scaled = Number(digits.slice(0, point) || '0');
  if ((digits[point] ?? '0') >= '5') scaled += 1;
  if (!Number.isSafeInteger(scaled)) throw new RangeError(`Out of range: ${value}`);
  return negative && scaled !== 0 ? -scaled : scaled;
}

export const roublesToKopecks = (roubles: number): number => scaleDecimal(roubles, 2);
export const quantityToMilli = (quantity: number): number => scaleDecimal(quantity, 3);

export function normalizeStore(store: EvotorStore): StoreInfo {
  return { id: store.id, name: store.name, address: store.address ?? '' };
}

export function normalizeGroup(group: EvotorGroup): CatalogGroup {
  return { id: group.id, parentId: group.parent_id || null, name: group.name };
}

export function normalizeProduct(product: EvotorProduct): CatalogProduct {
  return {
    id: product.id,
    groupId: product.parent_id || null,
    name: product.name,
    productType: product.type,
    priceKopecks: roublesToKopecks(product.price ?? 0),
    costPriceKopecks: roublesToKopecks(product.cost_price ?? 0),
    quantityMilli: quantityToMilli(product.quantity ?? 0),
    measureName: product.measure_name ?? '',
    tax: product.tax ?? '',
    allowToSell: product.allow_to_sell ?? true,
    description: product.description ?? '',
    articleNumber: product.article_number ?? '',
    code: product.code ?? '',
    // Barcode order carries no meaning in Evotor; sorting keeps a refetch from looking like a change.
    barcodes: [...(product.barcodes ?? [])].sort(),
  };
}

/** A v1 notification's array split into the catalog model's groups and products. */
export function normalizeV1Catalog(items: readonly EvotorV1Product[]): {
  groups: CatalogGroup[];
  products: CatalogProduct[];
} {
  const groups: CatalogGroup[] = [];
  const products: CatalogProduct[] = [];
  for (const item of items) {
    if (item.group === true) {
      groups.push({ id: item.uuid, parentId: item.parentUuid || null, name: item.name });
      continue;
    }
    // The same model as the v2 fetch, so a notification and the next fetch agree field by field.
    products.push(
      normalizeProduct({
        id: item.uuid,
        name: item.name,
        type: item.type ?? 'NORMAL',
        parent_id: item.parentUuid ?? null,
        price: item.price ?? 0,
        cost_price: item.costPrice ?? 0,
        quantity: item.quantity ?? 0,
        ...defined({
          measure_name: item.measureName,
          tax: item.tax,
          allow_to_sell: item.allowToSell,
          description: item.description,
          article_number: item.articleNumber,
          code: item.code,
          barcodes: item.barCodes,
        }),
      }),
    );
  }
  return { groups, products };
}

/** Drops null and undefined, so normalizeProduct's own defaults apply. */
function defined<T extends Record<string, unknown>>(
  fields: T,
): { [K in keyof T]?: NonNullable<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value != null) out[key] = value;
  return out as { [K in keyof T]?: NonNullable<T[K]> };
}

export function normalizeV1Store(store: EvotorV1Store): StoreInfo {
  return { id: store.uuid, name: store.name, address: store.address ?? '' };
}

/** A receipt's stock movements; null for kinds that do not move the shop's stock here. */
export function normalizeReceipt(receipt: EvotorV2Receipt): {
  receiptId: string;
  storeId: string;
  kind: ReceiptKind;
  lines: Array<{ productId: string; quantityMilli: number }>;
} | null {
  const kind = RECEIPT_KINDS[receipt.data.type];
  if (!kind) return null;
  return {
    receiptId: receipt.data.id,
    storeId: receipt.data.storeId,
    kind,
    lines: receipt.data.items.map((line) => ({
      productId: line.id,
      quantityMilli: Math.abs(quantityToMilli(line.quantity)),
    })),
  };
}

const RECEIPT_KINDS: Record<string, ReceiptKind | undefined> = { SELL: 'sell', PAYBACK: 'payback' };
