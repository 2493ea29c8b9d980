import { describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { syncConfigs } from '../../projections/sync-configs/index.js';
import { vkCatalog } from '../../projections/vk-catalog/index.js';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { fold } from '../../src/domain/shared/decider.js';
import { syncConfigDecider, type SyncConfigCommand } from '../../src/domain/sync-config/decide.js';
import { syncConfigStream, type SyncConfigEvent } from '../../src/domain/sync-config/events.js';
import { syncStatus } from '../../src/domain/sync-config/state.js';
import { vkMarketDecider, type RecordVkMarketSnapshot } from '../../src/domain/vk-market/decide.js';
import { vkMarketStream, type VkItem } from '../../src/domain/vk-market/events.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { useMigratedDatabase } from '../support/mariadb.js';
import { dumpTables, handleOnce } from './helpers.js';

const mine = [syncConfigs, vkCatalog];
const CONFIRMED = new Date('2026-03-04T05:06:07.890Z');

const database = useMigratedDatabase('sync_read_models');

async function truncateAll() {
  for (const p of mine) for (const t of p.tables) await database.sequelize.query(`TRUNCATE ${t}`);
}

const select = <T extends object>(sql: string, replacements: unknown[] = []) =>
  database.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

const item = (id: number, overrides: Partial<VkItem> = {}): VkItem => ({
  id,
  title: `Товар ${id}`,
  description: 'Описание товара',
  priceKopecks: 10_000,
  availability: 0,
  sku: `p${id}`,
  stockAmount: 10,
  albumIds: [],
  deleted: false,
  ...overrides,
});

/** Two users' settings and one user's VK market over three fetches, through the deciders. */
async function history(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  const handler = new CommandHandler(store, { clock: () => CONFIRMED });
  const config = async (userId: string, ...commands: SyncConfigCommand[]) => {
    for (const c of commands) {
      await handler.handle(syncConfigDecider, syncConfigStream(userId), c, { actor: userId });
    }
  };
  const u = 'user-1';
  const rule = { userId: u, entityName: 'Магазин', parentEntityId: null } as const;
  await config(
    u,
    { type: 'SetPriceMultiplier', userId: u, multiplier: '1,15' },
    { type: 'EnableSync', userId: u },
    { type: 'SetFilterRule', ...rule, entityType: 'store', entityId: 's1', mode: 'include' },
    {
      type: 'SetFilterRule',
      ...rule,
      entityType: 'group',
      entityId: 'g1',
      entityName: 'Напитки',
      mode: 'exclude',
      parentEntityId: 's1',
    },
    {
      type: 'SetFilterRule',
      ...rule,
      entityType: 'product',
      entityId: 'p9',
      entityName: 'Сок',
      mode: 'exclude',
      parentEntityId: 'g1',
    },
    { type: 'ConfirmSync', userId: u, storeIds: ['s1', 's2'] },
    { type: 'ToggleSyncTask', userId: u, task: 'refresh_vk_catalog', enabled: false },
    { type: 'ClearFilterRule', userId: u, entityType: 'product', entityId: 'p9' },
    {
      type: 'SetFilterRule',
      ...rule,
      entityType: 'group',
      entityId: 'g1',
      entityName: 'Напитки',
      mode: 'include',
      parentEntityId: 's1',
    },
    { type: 'DisableSync', userId: u },
    { type: 'EnableSync', userId: u },
  );
  await config('user-2', { type: 'EnableSync', userId: 'user-2' });

  const snapshot = async (albums: RecordVkMarketSnapshot['albums'], items: VkItem[]) =>
    handler.handle(
      vkMarketDecider,
      vkMarketStream(u),
      { type: 'RecordVkMarketSnapshot', userId: u, albums, items },
      { actor: 'system' },
    );
  await snapshot(
    [
      { id: 1, title: 'Напитки' },
      { id: 2, title: 'Соки' },
    ],
    [item(101, { albumIds: [2, 1] }), item(102)],
  );
  await snapshot(
    [{ id: 1, title: 'Напитки и соки' }],
    [item(101, { priceKopecks: 11_500, albumIds: [1] }), item(103, { deleted: true })],
  );
  await snapshot(
    [
      { id: 1, title: 'Напитки и соки' },
      { id: 2, title: 'Соки' },
    ],
    [item(101, { priceKopecks: 11_500, albumIds: [1] }), item(103, { deleted: true })],
  );
  return store.readAll();
}

describe('sync-configs projection', () => {
  it('holds the settings, the status and the stream revision the domain has', async () => {
    await truncateAll();
    const events = await history();
    await handleOnce(database.sequelize, syncConfigs, events);

    const rows = await select('SELECT * FROM sync_configs ORDER BY user_id');
    const u1 = events.filter((e) => e.streamId === syncConfigStream('user-1'));
    expect(rows).toEqual([
      {
        user_id: 'user-1',
        is_enabled: 1,
        confirmed_at: CONFIRMED,
        price_multiplier: '1.15',
        refresh_catalog: 1,
        refresh_vk_catalog: 0,
        mirror_to_vk: 1,
        status: 'active',
        revision: u1.at(-1)!.revision,
        updated_at: expect.any(Date) as Date,
        last_revision: u1.at(-1)!.revision,
      },
      expect.objectContaining({
        user_id: 'user-2',
        is_enabled: 1,
        confirmed_at: null,
        status: 'awaiting_confirmation',
        revision: 0,
      }),
    ]);
    const state = fold(
      syncConfigDecider,
      u1.map((e) => e as unknown as SyncConfigEvent),
    );
    expect(rows[0]).toMatchObject({ status: syncStatus(state) });
  });

  it('lists the live filter rules and keeps cleared ones out of the query', async () => {
    await truncateAll();
    await handleOnce(database.sequelize, syncConfigs, await history());
    const live = await select(
      `SELECT entity_type, entity_id, entity_name, filter_mode, parent_entity_id
       FROM sync_filters WHERE user_id = ? AND cleared = 0 ORDER BY entity_type, entity_id`,
      ['user-1'],
    );
    expect(live).toEqual([
      {
        entity_type: 'group',
        entity_id: 'g1',
        entity_name: 'Напитки',
        filter_mode: 'include',
        parent_entity_id: 's1',
      },
      {
        entity_type: 'store',
        entity_id: 's1',
        entity_name: 'Магазин',
        filter_mode: 'include',
        parent_entity_id: null,
      },
    ]);
    const [cleared] = await select<{ cleared: number }>(
      "SELECT cleared FROM sync_filters WHERE entity_type = 'product' AND entity_id = 'p9'",
    );
    expect(cleared?.cleared).toBe(1);
  });

  it('does not bring back a cleared rule when its older SyncFilterRuleSet is redelivered', async () => {
    await truncateAll();
    const events = await history();
    await handleOnce(database.sequelize, syncConfigs, events);
    const set = events.find(
      (e) =>
        e.type === 'SyncFilterRuleSet' &&
        (e.data as { rule: { entityId: string } }).rule.entityId === 'p9',
    )!;
    await handleOnce(database.sequelize, syncConfigs, [set]);
    const rows = await select("SELECT * FROM sync_filters WHERE entity_id = 'p9' AND cleared = 0");
    expect(rows).toEqual([]);
  });
});

describe('vk-catalog projection', () => {
  it('follows albums and items across fetches, keeping gone ones flagged', async () => {
    await truncateAll();
    await handleOnce(database.sequelize, vkCatalog, await history());
    expect(
      await select('SELECT album_id, title, gone FROM vk_cached_albums ORDER BY album_id'),
    ).toEqual([
      { album_id: 1, title: 'Напитки и соки', gone: 0 },
      { album_id: 2, title: 'Соки', gone: 0 },
    ]);
    const items = await select(
      `SELECT item_id, title, price_kopecks, availability, sku, stock_amount, album_ids, deleted,
       gone FROM vk_cached_products WHERE user_id = ? ORDER BY item_id`,
      ['user-1'],
    );
    expect(items).toEqual([
      {
        item_id: 101,
        title: 'Товар 101',
        price_kopecks: 11_500,
        availability: 0,
        sku: 'p101',
        stock_amount: 10,
        album_ids: '[1]',
        deleted: 0,
        gone: 0,
      },
      expect.objectContaining({ item_id: 102, gone: 1, price_kopecks: 10_000 }),
      expect.objectContaining({ item_id: 103, deleted: 1, gone: 0 }),
    ]);
    const bySku = await select(
      'SELECT item_id FROM vk_cached_products WHERE user_id = ? AND sku = ?',
      ['user-1', 'p103'],
    );
    expect(bySku).toEqual([{ item_id: 103 }]);
  });
});

describe('vk-catalog projection on streams of earlier versions', () => {
  it('builds the same rows from VkItemObserved, one item per event, as from VkItemsObserved', async () => {
    const events = await history();
    expect(events.some((e) => e.type === 'VkItemsObserved')).toBe(true);
    // The same facts as a version before VkItemsObserved recorded them, in a store of their own.
    const legacy = new MemoryEventStore();
    for (const e of events) {
      const { userId, items } = e.data as { userId: string; items?: VkItem[] };
      const parts =
        e.type === 'VkItemsObserved' && items
          ? items.map((item, i) => ({
              ...e,
              id: `${e.id.slice(0, -4)}${String(i).padStart(4, '0')}`,
              type: 'VkItemObserved',
              data: { userId, item },
            }))
          : [e];
      await legacy.appendToStream(e.streamId, parts);
    }
    const oneByOne = await legacy.readAll();
    expect(oneByOne.filter((e) => e.type === 'VkItemObserved')).toHaveLength(3);

    const rows = async (stream: RecordedEvent[]) => {
      await truncateAll();
      await handleOnce(database.sequelize, vkCatalog, stream);
      return select(
        `SELECT user_id, item_id, title, description, price_kopecks, availability, sku,
         stock_amount, album_ids, deleted, gone FROM vk_cached_products ORDER BY item_id`,
      );
    };
    expect(await rows(oneByOne)).toEqual(await rows(events));
  });
});

describe('sync read models on redelivery', () => {
  it('are identical when every event is delivered twice or a batch is delivered again', async () => {
    const events = await history();
    await truncateAll();
    for (const p of mine) await handleOnce(database.sequelize, p, events);
    const once = await dumpTables(database.sequelize, mine);
    expect(once.sync_configs).toHaveLength(2);

    await truncateAll();
    for (const p of mine) {
      await handleOnce(
        database.sequelize,
        p,
        events.flatMap((e) => [e, e]),
      );
      for (const e of events) await handleOnce(database.sequelize, p, [e]);
      await handleOnce(database.sequelize, p, events);
    }
    expect(await dumpTables(database.sequelize, mine)).toEqual(once);
  });

  it('are identical when built one event per batch', async () => {
    const events = await history();
    await truncateAll();
    for (const p of mine) await handleOnce(database.sequelize, p, events);
    const once = await dumpTables(database.sequelize, mine);
    await truncateAll();
    for (const p of mine) for (const e of events) await handleOnce(database.sequelize, p, [e]);
    expect(await dumpTables(database.sequelize, mine)).toEqual(once);
  });
});
