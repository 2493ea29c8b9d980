import { DomainError, type DecideContext, type Decider } from '../shared/decider.js';
import { byId, fieldChanges, indexById } from './diff.js';
import type {
  CatalogGroup,
  CatalogProduct,
  GroupField,
  ProductField,
  StoreCatalogEvent,
} from './events.js';
import {
  decideProductsNotified,
  decideReceipt,
  type RecordEvotorProductsNotified,
  type RecordEvotorReceipt,
} from './notifications.js';
import { evolveStoreCatalog, initialStoreCatalogState, type StoreCatalogState } from './state.js';

/**
 * The normalized result of fetching one store's groups and products. `complete: true` is a
 * literal on purpose: the fetch job can only build this command after the last page arrived, so
 * a failed, partial or 402 fetch can never be mistaken for "everything was removed".
 */
export interface RecordEvotorStoreSnapshot {
  type: 'RecordEvotorStoreSnapshot';
  userId: string;
  storeId: string;
  groups: CatalogGroup[];
  products: CatalogProduct[];
  complete: true;
}

export type StoreCatalogCommand =
  RecordEvotorStoreSnapshot | RecordEvotorProductsNotified | RecordEvotorReceipt;

export type { RecordEvotorProductsNotified, RecordEvotorReceipt } from './notifications.js';

export const GROUP_FIELDS: readonly GroupField[] = ['parentId', 'name'];
export const PRODUCT_FIELDS: readonly ProductField[] = [
  'groupId',
  'name',
  'productType',
  'priceKopecks',
  'costPriceKopecks',
  'quantityMilli',
  'measureName',
  'tax',
  'allowToSell',
  'description',
  'articleNumber',
  'code',
  'barcodes',
  'images',
];

/**
 * A product whose images the snapshot does not know keeps the recorded ones; one recorded
 * before images were fetched has none (so the first fetch with images records only real ones).
 */
const withImages = (product: CatalogProduct, known: CatalogProduct | undefined) =>
  product.images ? product : { ...product, images: known?.images ?? [] };

/**
 * What changed between the recorded product and a listed one. A listing without images (not
 * listed this run, a list that failed, a data notification) changes none.
 */
export function productChanges(recorded: CatalogProduct, listed: CatalogProduct) {
  const before = withImages(recorded, undefined);
  return fieldChanges(before, withImages(listed, before), PRODUCT_FIELDS);
}

function duplicate(kind: string): (id: string) => never {
  return (id) => {
    throw new DomainError('snapshot_duplicate_id', `В снимке каталога дважды ${kind} ${id}.`);
  };
}

/** Added/Changed/Removed for one kind of entity, one event per id, in id order. */
function diffEntities<T extends { id: string }, E>(
  before: ReadonlyMap<string, T>,
  after: ReadonlyMap<string, T>,
  on: { added(e: T): E; changed(before: T, after: T): E | null; removed(id: string): E },
): E[] {
  const ids = [...new Set([...before.keys(), ...after.keys()])].map((id) => ({ id })).sort(byId);
  const events: E[] = [];
  for (const { id } of ids) {
    const old = before.get(id);
    const now = after.get(id);
    const event = !old ? on.added(now!) : !now ? on.removed(id) : on.changed(old, now);
    if (event) events.push(event);
  }
  return events;
}

export function decideStoreCatalog(
  command: StoreCatalogCommand,
  state: StoreCatalogState,
  ctx?: DecideContext,
): StoreCatalogEvent[] {
  const now = () => ctx?.now ?? new Date(0);
  switch (command.type) {
    case 'RecordEvotorStoreSnapshot':
      return decideSnapshot(command, state);
    case 'RecordEvotorProductsNotified':
      return decideProductsNotified(command, state, now());
    case 'RecordEvotorReceipt':
      return decideReceipt(command, state, now());
    default: {
      const _never: never = command;
      return _never;
    }
  }
}

function decideSnapshot(
  command: RecordEvotorStoreSnapshot,
  state: StoreCatalogState,
): StoreCatalogEvent[] {
  // The type already demands `true`; this guards data that came through JSON or a cast.
  if ((command.complete as boolean) !== true) {
    throw new DomainError(
      'snapshot_incomplete',
      'Снимок каталога неполный: он не записывается, чтобы товары не считались удалёнными.',
    );
  }
  const { userId, storeId } = command;
  const groups = indexById(command.groups, duplicate('группа'));
  const products = indexById(command.products, duplicate('товар'));

  const groupEvents = diffEntities<CatalogGroup, StoreCatalogEvent>(state.groups, groups, {
    added: (group) => ({ type: 'GroupAdded', data: { userId, storeId, group } }),
    removed: (groupId) => ({ type: 'GroupRemoved', data: { userId, storeId, groupId } }),
    changed: (old, now) => {
      const changes = fieldChanges(old, now, GROUP_FIELDS);
      if (changes.length === 0) return null;
      return { type: 'GroupChanged', data: { userId, storeId, groupId: now.id, changes } };
    },
  });
  const productEvents = diffEntities<CatalogProduct, StoreCatalogEvent>(state.products, products, {
    added: (product) => ({ type: 'ProductAdded', data: { userId, storeId, product } }),
    removed: (productId) => ({ type: 'ProductRemoved', data: { userId, storeId, productId } }),
    changed: (old, now) => {
      const changes = productChanges(old, now);
      if (changes.length === 0) return null;
      return { type: 'ProductChanged', data: { userId, storeId, productId: now.id, changes } };
    },
  });

  const changes = groupEvents.length + productEvents.length;
  if (changes === 0) return [];
  return [
    ...groupEvents,
    ...productEvents,
    {
      type: 'CatalogFetched',
      data: { userId, storeId, groups: groups.size, products: products.size, changes },
    },
  ];
}

export const storeCatalogDecider: Decider<
  StoreCatalogCommand,
  StoreCatalogEvent,
  StoreCatalogState
> = {
  initialState: initialStoreCatalogState,
  evolve: evolveStoreCatalog,
  decide: decideStoreCatalog,
};
