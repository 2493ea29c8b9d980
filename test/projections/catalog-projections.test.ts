import { describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { projections } from '../../projections/index.js';
import { cachedProducts } from '../../projections/cached-products/index.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { storeCatalogStream, storesStream } from '../../src/domain/catalog/events.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { useMigratedDatabase } from '../support/mariadb.js';
import { dumpTables, handleOnce, newEvent, product } from './helpers.js';

const database = useMigratedDatabase('catalog_projections');

async function truncateAll() {
  for (const p of projections)
    for (const t of p.tables) await database.sequelize.query(`TRUNCATE ${t}`);
}

/** A user's catalog history: stores found, renamed, lost; groups and products changing. */
async function history(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  const u = 'user-1';
  await store.appendToStream(storesStream(u), [
    newEvent('StoreDiscovered', {
      userId: u,
      store: { id: 's1', name: 'Магазин', address: 'Тверь' },
    }),
    newEvent('StoreDiscovered', { userId: u, store: { id: 's2', name: 'Склад', address: '' } }),
    newEvent('StoreRenamed', { userId: u, storeId: 's1', from: 'Магазин', to: 'Магазин у дома' }),
    newEvent('StoreAccessChanged', { userId: u, storeId: 's2', access: 'payment_required' }),
    newEvent('StoreLost', { userId: u, storeId: 's2' }),
  ]);
  const s = storeCatalogStream(u, 's1');
  await store.appendToStream(s, [
    newEvent('GroupAdded', {
      userId: u,
      storeId: 's1',
      group: { id: 'g1', parentId: null, name: 'Напитки' },
    }),
    newEvent('GroupAdded', {
      userId: u,
      storeId: 's1',
      group: { id: 'g2', parentId: 'g1', name: 'Соки' },
    }),
    newEvent('ProductAdded', {
      userId: u,
      storeId: 's1',
      product: product('p1', { groupId: 'g2' }),
    }),
    newEvent('ProductAdded', { userId: u, storeId: 's1', product: product('p2') }),
    newEvent('ProductAdded', { userId: u, storeId: 's1', product: product('p3') }),
  ]);
  await store.appendToStream(s, [
    newEvent('GroupChanged', {
      userId: u,
      storeId: 's1',
      groupId: 'g2',
      changes: [{ field: 'name', from: 'Соки', to: 'Соки и нектары' }],
    }),
    newEvent('GroupRemoved', { userId: u, storeId: 's1', groupId: 'g1' }),
    newEvent('ProductChanged', {
      userId: u,
      storeId: 's1',
      productId: 'p1',
      changes: [
        { field: 'priceKopecks', from: 10_000, to: 12_550 },
        { field: 'name', from: 'Товар p1', to: 'Сок яблочный 1 л' },
        { field: 'barcodes', from: ['4600000000p1'], to: ['4601', '4602'] },
        { field: 'allowToSell', from: true, to: false },
      ],
    }),
    newEvent('ProductChanged', {
      userId: u,
      storeId: 's1',
      productId: 'p1',
      changes: [{ field: 'quantityMilli', from: 5000, to: 1250 }],
    }),
    newEvent('ProductRemoved', { userId: u, storeId: 's1', productId: 'p3' }),
    newEvent('CatalogFetched', { userId: u, storeId: 's1', groups: 2, products: 2, changes: 5 }),
  ]);
  return store.readAll();
}

describe('catalog projections', () => {
  it('project stores, groups and products from their events', async () => {
    await truncateAll();
    const events = await history();
    for (const p of projections) await handleOnce(database.sequelize, p, events);

    const stores = await database.sequelize.query(
      'SELECT store_id, name, address, access, lost FROM cached_stores ORDER BY store_id',
      { type: QueryTypes.SELECT },
    );
    expect(stores).toEqual([
      { store_id: 's1', name: 'Магазин у дома', address: 'Тверь', access: 'ok', lost: 0 },
      { store_id: 's2', name: 'Склад', address: '', access: 'payment_required', lost: 1 },
    ]);
    const groups = await database.sequelize.query(
      'SELECT group_id, parent_id, name, removed FROM cached_groups ORDER BY group_id',
      { type: QueryTypes.SELECT },
    );
    expect(groups).toEqual([
      { group_id: 'g1', parent_id: null, name: 'Напитки', removed: 1 },
      { group_id: 'g2', parent_id: 'g1', name: 'Соки и нектары', removed: 0 },
    ]);
    const p1 = await database.sequelize.query(
      'SELECT * FROM cached_products WHERE product_id = ?',
      {
        replacements: ['p1'],
        type: QueryTypes.SELECT,
      },
    );
    expect(p1).toEqual([
      expect.objectContaining({
        user_id: 'user-1',
        store_id: 's1',
        group_id: 'g2',
        name: 'Сок яблочный 1 л',
        price_kopecks: 12_550,
        quantity_milli: 1250,
        allow_to_sell: 0,
        barcodes: '["4601","4602"]',
        removed: 0,
        vk_item_id: null,
      }),
    ]);
    const removed = await database.sequelize.query(
      'SELECT product_id, removed FROM cached_products ORDER BY product_id',
      { type: QueryTypes.SELECT },
    );
    expect(removed).toEqual([
      { product_id: 'p1', removed: 0 },
      { product_id: 'p2', removed: 0 },
      { product_id: 'p3', removed: 1 },
    ]);
    const barcodes = await database.sequelize.query(
      'SELECT barcode, product_id FROM cached_product_barcodes ORDER BY barcode',
      { type: QueryTypes.SELECT },
    );
    expect(barcodes).toEqual([
      { barcode: '46000000000p2', product_id: 'p2' },
      { barcode: '4601', product_id: 'p1' },
      { barcode: '4602', product_id: 'p1' },
    ]);
  });

  it('change nothing when every event is delivered twice or a batch is delivered again', async () => {
    const events = await history();
    await truncateAll();
    for (const p of projections) await handleOnce(database.sequelize, p, events);
    const once = await dumpTables(database.sequelize, projections);

    await truncateAll();
    for (const p of projections) {
      // every event twice in a row, in one batch
      await handleOnce(
        database.sequelize,
        p,
        events.flatMap((e) => [e, e]),
      );
      // each event again on its own, then the whole history as one redelivered batch
      for (const e of events) await handleOnce(database.sequelize, p, [e]);
      await handleOnce(database.sequelize, p, events);
    }
    expect(await dumpTables(database.sequelize, projections)).toEqual(once);
  });

  it('do not resurrect a removed product when its older ProductAdded is redelivered', async () => {
    await truncateAll();
    const events = await history();
    await handleOnce(database.sequelize, cachedProducts, events);
    const added = events.find(
      (e) =>
        e.type === 'ProductAdded' && (e.data as { product: { id: string } }).product.id === 'p3',
    )!;
    await handleOnce(database.sequelize, cachedProducts, [added]);
    const [row] = await database.sequelize.query<{ removed: number }>(
      'SELECT removed FROM cached_products WHERE product_id = ?',
      { replacements: ['p3'], type: QueryTypes.SELECT },
    );
    expect(row?.removed).toBe(1);
  });
});
