import type { Projection, ProjectionTx } from '../../src/application/projections/projection.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type {
  CatalogProduct,
  ProductField,
  StoreCatalogEvent,
} from '../../src/domain/catalog/events.js';
import { sqlLiteral } from '../../src/infrastructure/db/sql-literal.js';
import { columnLimits, fitKey } from '../../src/infrastructure/projections/column-fit.js';
import {
  foldRows,
  type Cell,
  type KeyedTable,
  type Row,
  type RowChange,
} from '../../src/infrastructure/projections/keyed-rows.js';

/** Images stay in the event store: the pages show no photo (yet). */
const COLUMN: Record<Exclude<ProductField, 'images'>, string> = {
  groupId: 'group_id',
  name: 'name',
  productType: 'product_type',
  priceKopecks: 'price_kopecks',
  costPriceKopecks: 'cost_price_kopecks',
  quantityMilli: 'quantity_milli',
  measureName: 'measure_name',
  tax: 'tax',
  allowToSell: 'allow_to_sell',
  description: 'description',
  articleNumber: 'article_number',
  code: 'code',
  barcodes: 'barcodes',
};

const table: KeyedTable = {
  table: 'cached_products',
  key: ['user_id', 'store_id', 'product_id'],
  columns: [...Object.values(COLUMN), 'removed'],
  // Most events change a price or a quantity: read and write only what they touch.
  load: ['removed'],
  // parsed back as JSON by the pages: kept whole (the column is sized for it)
  whole: ['barcodes'],
};

function cell(field: ProductField, value: unknown): Cell {
  if (field === 'barcodes') return JSON.stringify(Array.isArray(value) ? value : []);
  if (field === 'allowToSell') return value ? 1 : 0;
  if (value === null || value === undefined) return field === 'groupId' ? null : '';
  return typeof value === 'number' ? value : String(value);
}

function productRow(product: CatalogProduct): Row {
  const row: Row = { removed: 0 };
  for (const field of Object.keys(COLUMN) as Array<keyof typeof COLUMN>) {
    row[COLUMN[field]] = cell(field, product[field]);
  }
  return row;
}

function change(event: RecordedEvent): RowChange | null {
  const e = event as unknown as StoreCatalogEvent;
  const at = (productId: string, apply: RowChange['apply']): RowChange => ({
    key: [e.data.userId, e.data.storeId, productId],
    revision: event.revision,
    apply,
  });
  switch (e.type) {
    case 'ProductAdded':
      return at(e.data.product.id, () => productRow(e.data.product));
    case 'ProductChanged':
      return at(e.data.productId, (row) => {
        if (!row) return null;
        const next = { ...row };
        for (const c of e.data.changes) {
          if (c.field !== 'images' && c.field in COLUMN)
            next[COLUMN[c.field]] = cell(c.field, c.to);
        }
        return next;
      });
    case 'ProductRemoved':
      return at(e.data.productId, (row) => (row ? { ...row, removed: 1 } : null));
    case 'GroupAdded':
    case 'GroupChanged':
    case 'GroupRemoved':
    case 'CatalogFetched':
    case 'CatalogNotified':
    case 'ReceiptRecorded':
      return null;
    default: {
      const _never: never = e;
      return _never;
    }
  }
}

/** Keeps the barcode index in step with the rows whose barcodes (or removal) changed. */
async function syncBarcodes(
  tx: ProjectionTx,
  changed: Array<{ before: Row | null; after: Row }>,
): Promise<void> {
  const touched = changed.filter(
    ({ before, after }) =>
      !before ||
      (after.barcodes !== undefined && before.barcodes !== after.barcodes) ||
      before.removed !== after.removed,
  );
  if (touched.length === 0) return;
  const v = sqlLiteral;
  // Grouped by store so each DELETE walks the (user, store, product) index.
  const existing = new Map<string, { scope: string; ids: string[] }>();
  for (const { before, after } of touched) {
    if (!before) continue;
    const scope = `user_id = ${v(after.user_id!)} AND store_id = ${v(after.store_id!)}`;
    const entry = existing.get(scope) ?? { scope, ids: [] };
    entry.ids.push(v(after.product_id!));
    existing.set(scope, entry);
  }
  for (const { scope, ids } of existing.values()) {
    await tx.query(
      `DELETE FROM cached_product_barcodes WHERE ${scope} AND product_id IN (${ids.join(',')})`,
    );
  }
  const barcodeLimit = (await columnLimits(tx, 'cached_product_barcodes')).get('barcode');
  const tuples: string[] = [];
  for (const { after } of touched) {
    if (after.removed || after.barcodes === undefined) continue;
    for (const barcode of new Set(JSON.parse(String(after.barcodes)) as string[])) {
      tuples.push(
        `(${v(after.user_id!)},${v(after.store_id!)},${v(fitKey(String(barcode), barcodeLimit))},${v(after.product_id!)})`,
      );
    }
  }
  for (let i = 0; i < tuples.length; i += 1000) {
    await tx.query(
      `INSERT IGNORE INTO cached_product_barcodes (user_id, store_id, barcode, product_id)
       VALUES ${tuples.slice(i, i + 1000).join(',')}`,
    );
  }
}

export const cachedProducts: Projection = {
  name: 'cached-products',
  version: 1,
  eventTypes: ['ProductAdded', 'ProductChanged', 'ProductRemoved'],
  tables: ['cached_products', 'cached_product_barcodes'],
  async handle(events, tx) {
    const changes = events.map(change).filter((c): c is RowChange => c !== null);
    await syncBarcodes(tx, await foldRows(tx, table, changes));
  },
};
