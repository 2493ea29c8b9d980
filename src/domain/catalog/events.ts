/**
 * Evotor catalog events. Streams: `evotor-stores-{userId}` (the store list) and
 * `evotor-store-{userId}-{storeId}` (groups and products of one store). Prices are kept in
 * kopecks (integers) from the moment a snapshot is normalized: Evotor sends roubles as JSON
 * numbers, and floating roubles must never be compared or multiplied.
 */

export interface CatalogGroup {
  id: string;
  parentId: string | null;
  name: string;
}

/**
 * A product image at Evotor. `sha256` (of the bytes) is what identifies it for VK: the same
 * bytes are never uploaded twice, other bytes replace the photo. Evotor's id, url and meta are
 * its identity at Evotor: while they stay the same, a fetch does not download it again.
 */
export interface CatalogImage {
  sha256: string;
  evotorId: string;
  url: string;
  fileSize: number;
  width: number;
  height: number;
}

export interface CatalogProduct {
  id: string;
  /** the product's group (Evotor `parent_id`), null at the root */
  groupId: string | null;
  name: string;
  /** NORMAL, SERVICE, ALCOHOL_NOT_MARKED, … */
  productType: string;
  priceKopecks: number;
  costPriceKopecks: number;
  /** Evotor sends 3 decimals; kept as thousandths to stay exact */
  quantityMilli: number;
  measureName: string;
  tax: string;
  allowToSell: boolean;
  description: string;
  articleNumber: string;
  code: string;
  barcodes: string[];
  /**
   * Evotor's images, main first. Absent: not known by whoever recorded the product (events
   * before images were fetched, a source that does not read them), which keeps the last known.
   */
  images?: CatalogImage[];
}

export type ProductField = Exclude<keyof CatalogProduct, 'id'>;
export type GroupField = Exclude<keyof CatalogGroup, 'id'>;

export interface FieldChange<Field extends string = string> {
  field: Field;
  from: unknown;
  to: unknown;
}

export interface StoreInfo {
  id: string;
  name: string;
  address: string;
}

export type StoreAccess = 'ok' | 'payment_required';

export type StoresEvent =
  | { type: 'StoreDiscovered'; data: { userId: string; store: StoreInfo } }
  | { type: 'StoreRenamed'; data: { userId: string; storeId: string; from: string; to: string } }
  | { type: 'StoreLost'; data: { userId: string; storeId: string } }
  | { type: 'StoreAccessChanged'; data: { userId: string; storeId: string; access: StoreAccess } };

export type StoreCatalogEvent =
  | { type: 'GroupAdded'; data: { userId: string; storeId: string; group: CatalogGroup } }
  | {
      type: 'GroupChanged';
      data: {
        userId: string;
        storeId: string;
        groupId: string;
        changes: FieldChange<GroupField>[];
      };
    }
  | { type: 'GroupRemoved'; data: { userId: string; storeId: string; groupId: string } }
  | { type: 'ProductAdded'; data: { userId: string; storeId: string; product: CatalogProduct } }
  | {
      type: 'ProductChanged';
      data: {
        userId: string;
        storeId: string;
        productId: string;
        changes: FieldChange<ProductField>[];
      };
    }
  | { type: 'ProductRemoved'; data: { userId: string; storeId: string; productId: string } }
  | {
      type: 'CatalogFetched';
      data: { userId: string; storeId: string; groups: number; products: number; changes: number };
    }
  | {
      /**
       * A product notification of Evotor (a partial snapshot) was recorded; its Added/Changed
       * events precede it. `delivery` is the keyed hash of its content: the same delivery again,
       * even after newer ones, is recognised and appends nothing.
       */
      type: 'CatalogNotified';
      data: {
        userId: string;
        storeId: string;
        delivery: string;
        /** ms since the epoch, when EvoSync received it */
        at: number;
        products: number;
        changes: number;
      };
    }
  | {
      /** A receipt moved stock: its ProductChanged (quantityMilli) events precede it. */
      type: 'ReceiptRecorded';
      data: {
        userId: string;
        storeId: string;
        receiptId: string;
        kind: ReceiptKind;
        /** ms since the epoch, when EvoSync received it */
        at: number;
        /** products of the receipt this catalog does not know (their stock is not moved) */
        unknownProducts: string[];
      };
    };

/** A sale takes stock away; a refund (Evotor's PAYBACK) brings it back. */
export type ReceiptKind = 'sell' | 'payback';

export const storesStream = (userId: string) => `evotor-stores-${userId}`;
export const storeCatalogStream = (userId: string, storeId: string) =>
  `evotor-store-${userId}-${storeId}`;
