import { DomainError } from '../shared/decider.js';
import { fieldChanges, indexById } from './diff.js';
import type { CatalogGroup, CatalogProduct, ReceiptKind, StoreCatalogEvent } from './events.js';
// Used at call time only, so the import cycle with decide.ts is harmless.
import { GROUP_FIELDS, productChanges } from './decide.js';
import type { StoreCatalogState } from './state.js';

/**
 * Evotor's product notification: the groups and products created or changed at the register.
 * A partial snapshot: what it lists is added or changed, what it does not list is left alone
 * (never removed: only a complete fetch can tell that a product is gone).
 */
export interface RecordEvotorProductsNotified {
  type: 'RecordEvotorProductsNotified';
  userId: string;
  storeId: string;
  groups: CatalogGroup[];
  products: CatalogProduct[];
  /** keyed hash of the delivery's content, from the caller */
  delivery: string;
}

/** A sold or refunded receipt: each line moves its product's stock. */
export interface RecordEvotorReceipt {
  type: 'RecordEvotorReceipt';
  userId: string;
  storeId: string;
  receiptId: string;
  kind: ReceiptKind;
  /** quantities in thousandths, as sold (always positive) */
  lines: Array<{ productId: string; quantityMilli: number }>;
}

const duplicate = (id: string): never => {
  throw new DomainError('notification_duplicate_id', `В уведомлении Эвотор дважды ${id}.`);
};

export function decideProductsNotified(
  command: RecordEvotorProductsNotified,
  state: StoreCatalogState,
  now: Date,
): StoreCatalogEvent[] {
  if (state.deliveries.has(command.delivery)) return [];
  const { userId, storeId } = command;
  const events: StoreCatalogEvent[] = [];
  for (const group of indexById(command.groups, duplicate).values()) {
    const old = state.groups.get(group.id);
    if (!old) events.push({ type: 'GroupAdded', data: { userId, storeId, group } });
    else {
      const changes = fieldChanges(old, group, GROUP_FIELDS);
      if (changes.length > 0)
        events.push({
          type: 'GroupChanged',
          data: { userId, storeId, groupId: group.id, changes },
        });
    }
  }
  for (const product of indexById(command.products, duplicate).values()) {
    const old = state.products.get(product.id);
    if (!old) events.push({ type: 'ProductAdded', data: { userId, storeId, product } });
    else {
      // A notification carries no images: the recorded ones stay (read as "none", a price
      // changed at the register would put the default photo in VK until the next fetch).
      const changes = productChanges(old, product);
      if (changes.length > 0) {
        const productId = product.id;
        events.push({ type: 'ProductChanged', data: { userId, storeId, productId, changes } });
      }
    }
  }
  // The marker is recorded even when nothing changed: a retry of this delivery arriving after a
  // newer one must not set the catalog back.
  const products = command.products.length + command.groups.length;
  const marker = { userId, storeId, delivery: command.delivery, at: now.getTime(), products };
  return [...events, { type: 'CatalogNotified', data: { ...marker, changes: events.length } }];
}

export function decideReceipt(
  command: RecordEvotorReceipt,
  state: StoreCatalogState,
  now: Date,
): StoreCatalogEvent[] {
  if (state.receipts.has(command.receiptId)) return [];
  const { userId, storeId } = command;
  const sign = command.kind === 'sell' ? -1 : 1;
  const moved = new Map<string, number>();
  const unknown = new Set<string>();
  for (const line of command.lines) {
    if (!state.products.has(line.productId)) unknown.add(line.productId);
    else moved.set(line.productId, (moved.get(line.productId) ?? 0) + sign * line.quantityMilli);
  }
  const events: StoreCatalogEvent[] = [];
  for (const [productId, delta] of moved) {
    const from = state.products.get(productId)!.quantityMilli;
    if (delta === 0) continue;
    const changes = [{ field: 'quantityMilli' as const, from, to: from + delta }];
    events.push({ type: 'ProductChanged', data: { userId, storeId, productId, changes } });
  }
  const { receiptId, kind } = command;
  const at = now.getTime();
  const data = { userId, storeId, receiptId, kind, at, unknownProducts: [...unknown] };
  return [...events, { type: 'ReceiptRecorded', data }];
}
