import { randomUUID } from 'node:crypto';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { mirrorStream } from '../../src/domain/mirror/events.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';

/** A name with everything a CSV field must survive: the separator, quotes, a line break. */
export const TRICKY_NAME = 'Сок "Добрый"; яблочный\nнектар';
export const FILLER = 120;

export interface CatalogFixture {
  evotor: EvotorSimulator;
  owner: { userId: string; token: string };
  other: { userId: string; token: string };
  storeA: string;
  storeUnpaid: string;
  storeLost: string;
  otherStore: string;
  groups: Record<'drinks' | 'juices' | 'apple' | 'bread' | 'loopX' | 'loopY', string>;
  products: Record<'apple' | 'orange' | 'water' | 'loaf' | 'bag' | 'removed', string>;
}

/**
 * The owner's Evotor account: store A with a three-level group tree, a cycle of two groups,
 * hand-made products (articles, barcodes, a root product) and filler products for paging; an
 * unpaid store (402) and a store that will be lost; another owner with a store of their own.
 */
export async function seedEvotor(): Promise<CatalogFixture> {
  const evotor = await startEvotorSimulator({ pageSize: 50 });
  const a = evotor.admin;
  const owner = a.createUser();
  const other = a.createUser();
  const storeA = a.addStore(owner.userId, {
    name: 'Магазин «Центр»',
    address: 'Казань, ул. Баумана, 1',
  }).id;
  const storeUnpaid = a.addStore(owner.userId, { name: 'Склад', address: 'Казань' }).id;
  a.setPaymentRequired(storeUnpaid);
  const storeLost = a.addStore(owner.userId, { name: 'Старый киоск', address: '' }).id;
  const otherStore = a.addStore(other.userId, { name: 'Чужой магазин' }).id;
  a.addProduct(otherStore, { name: 'Чужой товар', price: 10 });

  const g = (name: string, parent: string | null = null) =>
    a.addGroup(storeA, { name, parent_id: parent }).id;
  const drinks = g('Напитки');
  const juices = g('Соки', drinks);
  const apple = g('Яблочные', juices);
  const bread = g('Хлеб');
  const loopX = g('Петля X');
  const loopY = g('Петля Y', loopX);
  a.changeGroup(storeA, loopX, { parent_id: loopY });

  const p = (name: string, fields: Record<string, unknown>) =>
    a.addProduct(storeA, { name, ...fields }).id;
  const products = {
    apple: p(TRICKY_NAME, {
      parent_id: apple,
      price: 1234.5,
      article_number: 'ART-001',
      barcodes: ['4601234567890'],
    }),
    orange: p('Сок апельсиновый', { parent_id: juices, price: 150, article_number: 'ART-002' }),
    water: p('Вода питьевая', { parent_id: drinks, price: 99999, article_number: 'ZZZ-9' }),
    loaf: p('Батон нарезной', { parent_id: bread, price: 45, allow_to_sell: false }),
    bag: p('Пакет', { price: 5 }),
    removed: p('Снятый с продажи товар', { parent_id: bread, price: 1 }),
  };
  for (let i = 1; i <= FILLER; i++) {
    p(`Товар ${String(i).padStart(3, '0')}`, {
      parent_id: bread,
      price: 100 + i,
      article_number: `F-${i}`,
    });
  }
  return {
    evotor,
    owner,
    other,
    storeA,
    storeUnpaid,
    storeLost,
    otherStore,
    groups: { drinks, juices, apple, bread, loopX, loopY },
    products,
  };
}

/**
 * Mirror events as the push job records them: one published, one being created, one hidden,
 * one whose create VK refused (error 5, the token).
 */
export async function recordVkItems(
  store: EventStore,
  userId: string,
  f: CatalogFixture,
): Promise<void> {
  const metadata = {
    actor: 'system',
    correlationId: randomUUID(),
    occurredAt: new Date().toISOString(),
  };
  const ev = (type: string, data: Record<string, unknown>) => ({
    id: randomUUID(),
    type,
    data: { userId, ...data },
    metadata,
  });
  const { water, loaf, orange, bag } = f.products;
  await store.appendToStream(mirrorStream(userId), [
    ev('VkItemCreateRequested', { productId: water, sku: water, requestId: 'r1' }),
    ev('VkItemAdopted', { productId: water, requestId: 'r1', itemId: 555 }),
    ev('VkItemCreateRequested', { productId: loaf, sku: loaf, requestId: 'r2' }),
    ev('VkItemCreateRequested', { productId: orange, sku: orange, requestId: 'r3' }),
    ev('VkItemAdopted', { productId: orange, requestId: 'r3', itemId: 556 }),
    ev('VkItemHidden', { productId: orange, itemId: 556 }),
    ev('VkItemCreateRequested', { productId: bag, sku: bag, requestId: 'r4' }),
    ev('VkCommandFailed', {
      productId: bag,
      method: 'market.add',
      errorCode: 5,
      message: 'User authorization failed: invalid access_token (4).',
      retryable: false,
      attempt: 1,
    }),
  ]);
}
