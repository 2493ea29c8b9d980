/**
 * Replay benchmark: writes BENCH_EVENTS (default 1,000,000) catalog events into the MariaDB
 * event store of a dedicated database, then rebuilds `cached-products` through the same code
 * as `evosync replay`. Prints figures; the last line is machine-readable:
 *   RESULT replay events_per_s=<n> append_events_per_s=<n>
 */
import { randomUUID } from 'node:crypto';
import { cachedProducts } from '../projections/cached-products/index.js';
import type { NewEvent } from '../src/application/ports/event-store.js';
import { replayWithProgress } from '../src/cli/replay.js';
import {
  storeCatalogStream,
  type CatalogProduct,
  type FieldChange,
  type ProductField,
} from '../src/domain/catalog/events.js';
import { createSequelize, recreateDatabase } from '../src/infrastructure/db/database.js';
import { newEvent } from '../test/support/events.js';
import { migrate } from '../src/infrastructure/db/migrate.js';
import type { AppendItem } from '../src/infrastructure/eventstore/mariadb/append.js';
import { MariaDbEventStore } from '../src/infrastructure/eventstore/mariadb/mariadb-event-store.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PRODUCTS = Math.min(50_000, Math.floor(TOTAL / 2));
const APPEND_BATCH = 10_000;
const URL_ = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/evosync_bench';
const STORES = [
  { userId: randomUUID(), storeId: randomUUID() },
  { userId: randomUUID(), storeId: randomUUID() },
  { userId: randomUUID(), storeId: randomUUID() },
];
STORES.push({ userId: STORES[0]!.userId, storeId: randomUUID() });

// A seeded generator keeps runs comparable.
let seed = 42;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const KINDS = [
  'Молоко',
  'Кефир',
  'Сок',
  'Чай',
  'Кофе',
  'Хлеб',
  'Сыр',
  'Масло',
  'Печенье',
  'Шоколад',
  'Вода минеральная',
  'Колбаса',
  'Йогурт',
  'Макароны',
  'Рис',
  'Гречка',
  'Сметана',
  'Творог',
];
const BRANDS = [
  'Простоквашино',
  'Домик в деревне',
  'Добрый',
  'Greenfield',
  'Jacobs',
  'Хлебный дом',
  'Ламбер',
  'Вологодское',
  'Юбилейное',
  'Алёнка',
  'Ессентуки',
  'Останкино',
  'Эрмигурт',
  'Макфа',
  'Мистраль',
  'Увелка',
];
const SIZES = ['0,5 л', '1 л', '0,9 л', '200 г', '250 г', '400 г', '500 г', '1 кг', '100 шт'];
const WHAT = [
  'классический',
  'отборный',
  'яблочный',
  'вишнёвый',
  'с ванилью',
  'фермерский',
  'обезжиренный',
  'цельнозерновой',
];

const products: Array<{ store: (typeof STORES)[number]; p: CatalogProduct }> = [];

function newProduct(i: number): CatalogProduct {
  const price = 3_000 + Math.floor(random() * 200_000);
  return {
    id: randomUUID(),
    groupId: null,
    name: `${pick(KINDS)} «${pick(BRANDS)}» ${pick(WHAT)} ${pick(SIZES)}`,
    productType: 'NORMAL',
    priceKopecks: price,
    costPriceKopecks: Math.floor(price * 0.7),
    quantityMilli: Math.floor(random() * 500) * 1000,
    measureName: pick(['шт', 'кг', 'л']),
    tax: pick(['VAT_20', 'VAT_10', 'NO_VAT']),
    allowToSell: random() > 0.05,
    description: random() > 0.7 ? 'Хранить при температуре от +2 до +6 °C.' : '',
    articleNumber: `АРТ-${100_000 + i}`,
    code: String(i + 1),
    barcodes: [`46${String(10_000_000_000 + i).padStart(11, '0')}`],
  };
}

function change(): {
  store: (typeof STORES)[number];
  productId: string;
  changes: FieldChange<ProductField>[];
} {
  const entry = pick(products);
  const p = entry.p;
  const changes: FieldChange<ProductField>[] = [];
  const r = random();
  if (r < 0.5) {
    const to = Math.max(100, p.priceKopecks + Math.floor((random() - 0.5) * 5000));
    changes.push({ field: 'priceKopecks', from: p.priceKopecks, to });
    p.priceKopecks = to;
  }
  if (r >= 0.4 && r < 0.9) {
    const to = Math.floor(random() * 500) * 1000 + 250;
    changes.push({ field: 'quantityMilli', from: p.quantityMilli, to });
    p.quantityMilli = to;
  }
  if (r >= 0.9) {
    const to = `${pick(KINDS)} «${pick(BRANDS)}» ${pick(WHAT)} ${pick(SIZES)}`;
    changes.push({ field: 'name', from: p.name, to });
    p.name = to;
  }
  return { store: entry.store, productId: p.id, changes };
}

function nextEvents(from: number, count: number): AppendItem[] {
  const byStream = new Map<string, NewEvent[]>();
  for (let i = from; i < from + count; i++) {
    let streamId: string;
    let e: NewEvent;
    if (i < PRODUCTS) {
      const store = STORES[i % STORES.length]!;
      const p = newProduct(i);
      products.push({ store, p });
      streamId = storeCatalogStream(store.userId, store.storeId);
      e = newEvent('ProductAdded', { userId: store.userId, storeId: store.storeId, product: p });
    } else {
      const c = change();
      streamId = storeCatalogStream(c.store.userId, c.store.storeId);
      e = newEvent('ProductChanged', {
        userId: c.store.userId,
        storeId: c.store.storeId,
        productId: c.productId,
        changes: c.changes,
      });
    }
    const list = byStream.get(streamId) ?? [];
    list.push(e);
    byStream.set(streamId, list);
  }
  return [...byStream].map(([streamId, events]) => ({ streamId, events, expectedRevision: 'any' }));
}

async function main(): Promise<void> {
  await recreateDatabase(URL_);
  const sequelize = createSequelize(URL_);
  await migrate(sequelize);
  const store = await MariaDbEventStore.create(sequelize);

  process.stderr.write(
    `appending ${TOTAL} events (${PRODUCTS} products in ${STORES.length} stores)…\n`,
  );
  const appendStart = Date.now();
  for (let done = 0; done < TOTAL; done += APPEND_BATCH) {
    await store.appendBatch(nextEvents(done, Math.min(APPEND_BATCH, TOTAL - done)));
    if ((done / APPEND_BATCH) % 10 === 0)
      process.stderr.write(`  ${done + APPEND_BATCH} appended\n`);
  }
  const appendSeconds = (Date.now() - appendStart) / 1000;
  const appendRate = Math.round(TOTAL / appendSeconds);
  console.log(
    `append: ${TOTAL} events in ${appendSeconds.toFixed(1)} s = ${appendRate} events/s (appendBatch, ${APPEND_BATCH} per batch)`,
  );

  const pageSize = process.env.BENCH_PAGE_SIZE ? Number(process.env.BENCH_PAGE_SIZE) : undefined;
  const result = await replayWithProgress(sequelize, store, cachedProducts, {
    fromScratch: true,
    pageSize,
  });
  const replayRate = Math.round(result.handled / result.seconds);
  const [[rows]] = (await sequelize.query('SELECT COUNT(*) AS n FROM cached_products')) as [
    Array<{ n: number }>,
    unknown,
  ];
  console.log(
    `replay: ${result.handled} events in ${result.seconds.toFixed(1)} s = ${replayRate} events/s; cached_products rows: ${rows?.n}`,
  );
  await sequelize.close();
  console.log(`RESULT replay events_per_s=${replayRate} append_events_per_s=${appendRate}`);
}

await main();
