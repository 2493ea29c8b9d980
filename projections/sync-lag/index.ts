import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import type { Projection, ProjectionTx } from '../../src/application/projections/projection.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import {
  columnLimits,
  fitKey,
  type ColumnLimit,
} from '../../src/infrastructure/projections/column-fit.js';
import { sqlTime } from '../../src/infrastructure/db/sql-time.js';

const PRODUCT_EVENTS = new Set(['ProductAdded', 'ProductChanged', 'ProductRemoved']);
const ROWS_PER_INSERT = 1000;

/** `changedAt` as DATETIME(3) text: a Date bound through Sequelize's replacements loses its ms. */
type Pending = [userId: string, productId: string, changedAt: string | null];

/** `key`: an id as the key column holds it (an overlong one hashed, like every read table's). */
type Key = (id: string) => string;

function pendingOf(event: RecordedEvent, key: Key): Pending | null {
  const data = event.data as { userId?: string; productId?: string; product?: { id?: string } };
  const productId = event.type === 'ProductAdded' ? data.product?.id : data.productId;
  if (typeof data.userId !== 'string' || typeof productId !== 'string') return null;
  return [data.userId, key(productId), sqlTime(event.created)];
}

/** A row keeps the oldest change not yet pushed: a newer one does not make VK less behind. */
async function insertPending(tx: ProjectionTx, rows: Pending[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.query(
      `INSERT INTO sync_lag_pending (user_id, product_id, changed_at) VALUES ${part
        .map(() => '(?, ?, ?)')
        .join(', ')}
       ON DUPLICATE KEY UPDATE changed_at = LEAST(changed_at, VALUES(changed_at))`,
      part.flat(),
    );
  }
}

async function completed(
  tx: ProjectionTx,
  data: Extract<MirrorEvent, { type: 'VkPushCompleted' }>['data'],
  key: Key,
): Promise<void> {
  const params: unknown[] = [data.userId, sqlTime(data.startedAt)];
  let sql = 'DELETE FROM sync_lag_pending WHERE user_id = ? AND changed_at <= ?';
  if (data.productIds !== null) {
    if (data.productIds.length === 0) return;
    sql += ' AND product_id IN (?)';
    params.push(data.productIds.map(key));
  }
  if (data.failed.length > 0) {
    sql += ' AND product_id NOT IN (?)';
    params.push(data.failed.map(key));
  }
  await tx.query(sql, params);
}

/**
 * How far VK is behind the register, per product: an Evotor change (from a fetch, a
 * notification or a receipt) adds its product with the change's time unless an older change is
 * still waiting; a completed push removes the products it covered whose waiting change is older
 * than its start, but for those that failed. A batch is one transaction with the checkpoint, so
 * a redelivered batch is one that left nothing behind.
 */
export const syncLag: Projection = {
  name: 'sync-lag',
  version: 1,
  eventTypes: [...PRODUCT_EVENTS, 'VkPushCompleted'],
  tables: ['sync_lag_pending'],
  async handle(events, tx) {
    const limit: ColumnLimit | undefined = (await columnLimits(tx, 'sync_lag_pending')).get(
      'product_id',
    );
    const key: Key = (id) => fitKey(id, limit);
    let rows: Pending[] = [];
    for (const event of events) {
      if (event.type !== 'VkPushCompleted') {
        const row = pendingOf(event, key);
        if (row) rows.push(row);
        continue;
      }
      // In order: a change recorded before this completion is inserted before it deletes.
      await insertPending(tx, rows);
      rows = [];
      await completed(
        tx,
        (event as unknown as MirrorEvent & { type: 'VkPushCompleted' }).data,
        key,
      );
    }
    await insertPending(tx, rows);
  },
};
