import { describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { syncLag } from '../../projections/sync-lag/index.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { useMigratedDatabase } from '../support/mariadb.js';
import { handleOnce, product } from './helpers.js';

const database = useMigratedDatabase('sync_lag');
const userId = 'user-1';
let revision = 0;

function recorded(type: string, data: unknown, created: string): RecordedEvent {
  revision += 1;
  return {
    id: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    type,
    data,
    metadata: { actor: 'test', correlationId: 'c', occurredAt: created },
    streamId: `stream-${userId}`,
    revision,
    position: { commit: revision, prepare: revision },
    created: new Date(created),
  };
}

const changed = (productId: string, at: string) =>
  recorded('ProductChanged', { userId, storeId: 's1', productId, changes: [] }, at);

const pushCompleted = (startedAt: string, productIds: string[] | null = null) =>
  recorded('VkPushCompleted', { userId, startedAt, productIds, failed: [] }, startedAt);

const pending = () =>
  database.sequelize.query<{ product_id: string; changed_at: Date }>(
    'SELECT product_id, changed_at FROM sync_lag_pending ORDER BY product_id',
    { type: QueryTypes.SELECT },
  );

describe('sync-lag projection', () => {
  it('keeps the millisecond of a change: one made after the push began stays pending', async () => {
    await database.sequelize.query('TRUNCATE sync_lag_pending');
    await handleOnce(database.sequelize, syncLag, [
      recorded(
        'ProductAdded',
        { userId, storeId: 's1', product: product('p1') },
        '2026-11-28T12:00:00.100Z',
      ),
      changed('p2', '2026-11-28T12:00:00.900Z'),
      // began 400 ms before p2 changed, in the same second
      pushCompleted('2026-11-28T12:00:00.500Z'),
    ]);
    expect(await pending()).toEqual([
      { product_id: 'p2', changed_at: new Date('2026-11-28T12:00:00.900Z') },
    ]);

    await handleOnce(database.sequelize, syncLag, [pushCompleted('2026-11-28T12:00:00.901Z')]);
    expect(await pending()).toEqual([]);
  });
});
