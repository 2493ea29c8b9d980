/**
 * The VK item a product should be: a pure function of the product, its group and the user's
 * settings. The push job compares it with what was last pushed and sends only differences.
 */
import type { CatalogGroup, CatalogProduct } from '../catalog/events.js';
import { applyPriceMultiplier } from '../sync-config/price-multiplier.js';
import { soldByMeasure, vkStockFromQuantity, type StockPolicy } from '../sync-config/stock.js';

export interface DesiredVkItem {
  /** the Evotor product id: finds the item again after a crash (adopt by sku) */
  sku: string;
  name: string;
  description: string;
  priceKopecks: number;
  categoryId: number;
  stockAmount: number;
  available: boolean;
  /** the album the item belongs in (the Evotor group id), null at the store's root */
  albumKey: string | null;
  /** the album's title, for creating or renaming it; not a field of the item */
  albumTitle: string | null;
  /** sha256 of the product's Evotor images, main first, at most VK's 5; none: the default photo */
  photos: string[];
  /** where each photo's bytes are (Evotor's URL); not a field of the item */
  photoSources: PhotoSource[];
}

export interface PhotoSource {
  sha256: string;
  url: string;
}

export type PushedVkItem = Omit<DesiredVkItem, 'albumTitle' | 'photoSources'>;
export type PushedField = keyof PushedVkItem;
export const PUSHED_FIELDS: readonly PushedField[] = [
  'sku',
  'name',
  'description',
  'priceKopecks',
  'categoryId',
  'stockAmount',
  'available',
  'albumKey',
  'photos',
];

/** VK: `main_photo_id` and up to 4 `photo_ids`. */
const MAX_PHOTOS = 5;

export interface MirrorConfig {
  /** canonical decimal from the sync config, e.g. "1.15" */
  priceMultiplier: string;
  stock: StockPolicy;
}

export interface MirrorSettings {
  /** VK_CATEGORY_ID */
  categoryId: number;
  /**
   * VK_STOCK_AMOUNT: the «всегда N» unless the owner set their own N, and the fixed stock of
   * products sold by measure
   */
  stockAmount: number;
}

const NAME_MIN = 4;
const NAME_MAX = 100;
const DESCRIPTION_MIN = 10;
const ALBUM_TITLE_MAX = 128;
const SKU_MAX = 50;

/** VK counts characters, not UTF-16 units: an emoji is one character, not two. */
const chars = (s: string) => Array.from(s);
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Cuts at the last word boundary that keeps at least half the text, else mid-word. */
export function cutAtWord(text: string, max: number): string {
  const cs = chars(text);
  if (cs.length <= max) return text;
  const head = cs.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  const cut = space >= head.length / 2 ? head.slice(0, space) : head;
  return `${cut.trimEnd()}…`;
}

/**
 * VK wants 4–100 characters. A short name gets the article number ("Чай 1205"), and if that is
 * not enough, the word "товар"; an empty name becomes "Товар".
 */
export function vkItemName(product: Pick<CatalogProduct, 'name' | 'articleNumber'>): string {
  let name = squash(product.name);
  const article = squash(product.articleNumber);
  if (chars(name).length < NAME_MIN && article) name = squash(`${name} ${article}`);
  if (chars(name).length < NAME_MIN) name = name ? `${name} товар` : 'Товар';
  return cutAtWord(name, NAME_MAX);
}

function unitNote(measureName: string): string | null {
  const unit = squash(measureName).replace(/\.+$/, '');
  return unit ? `(цена за 1 ${unit}.)` : null;
}

/**
 * The old rule was "Name (цена за N unit.)" when the product has a measure; Evotor prices are
 * per one unit of `measure_name`, so N is 1. When the product has its own description, that is
 * what buyers should read, and the unit note follows it on a new line. VK refuses fewer than
 * 10 characters, so a short result becomes «Товар «Name»».
 */
export function vkItemDescription(
  product: Pick<CatalogProduct, 'description' | 'measureName'>,
  name: string,
): string {
  const own = product.description.trim();
  const note = unitNote(product.measureName);
  const text = own ? [own, note].filter(Boolean).join('\n') : note ? `${name} ${note}` : name;
  return chars(text).length >= DESCRIPTION_MIN ? text : `Товар «${name}»`;
}

/**
 * VK's sku holds 50 characters. Evotor ids are 36-character UUIDs and are used as they are;
 * anything longer keeps its head and gets a 64-bit FNV-1a hash of the whole id, so the result
 * is still deterministic and distinct.
 */
export function vkSku(productId: string): string {
  if (productId.length <= SKU_MAX) return productId;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(productId)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  const suffix = hash.toString(16).padStart(16, '0');
  return `${productId.slice(0, SKU_MAX - suffix.length - 1)}-${suffix}`;
}

/**
 * The stock VK shows, 0 when the product cannot be bought («нет в наличии»). From Evotor it is
 * the register's quantity in whole units; a product sold by measure (2.350 кг) has no count of
 * pieces to show, so it keeps the fixed stock and is buyable while the register sells it.
 */
export function vkStock(
  product: Pick<CatalogProduct, 'allowToSell' | 'quantityMilli' | 'measureName'>,
  policy: StockPolicy,
  settings: Pick<MirrorSettings, 'stockAmount'>,
): number {
  if (!product.allowToSell) return 0;
  const fixed = policy.fixedAmount ?? settings.stockAmount;
  if (policy.source === 'fixed' || soldByMeasure(product.measureName)) return fixed;
  return vkStockFromQuantity(product.quantityMilli);
}

export function desiredVkItem(
  product: CatalogProduct,
  group: CatalogGroup | null,
  config: MirrorConfig,
  settings: MirrorSettings,
): DesiredVkItem {
  const name = vkItemName(product);
  const stockAmount = vkStock(product, config.stock, settings);
  const available = stockAmount !== 0;
  const albumTitle = group
    ? cutAtWord(squash(group.name) || 'Без названия', ALBUM_TITLE_MAX)
    : null;
  return {
    sku: vkSku(product.id),
    name,
    description: vkItemDescription(product, name),
    priceKopecks: applyPriceMultiplier(product.priceKopecks, config.priceMultiplier),
    categoryId: settings.categoryId,
    stockAmount,
    available,
    albumKey: group ? group.id : null,
    albumTitle,
    ...photosOf(product),
  };
}

function photosOf(product: CatalogProduct): Pick<DesiredVkItem, 'photos' | 'photoSources'> {
  const photoSources: PhotoSource[] = [];
  for (const image of product.images ?? []) {
    if (photoSources.length === MAX_PHOTOS) break;
    if (!photoSources.some((p) => p.sha256 === image.sha256))
      photoSources.push({ sha256: image.sha256, url: image.url });
  }
  return { photos: photoSources.map((p) => p.sha256), photoSources };
}

/** null: the owner chose to hide what cannot be bought, and this product cannot be. */
export function desiredEntry(
  product: CatalogProduct,
  group: CatalogGroup | null,
  config: MirrorConfig,
  settings: MirrorSettings,
): DesiredVkItem | null {
  const item = desiredVkItem(product, group, config, settings);
  return !item.available && config.stock.unavailable === 'hidden' ? null : item;
}
