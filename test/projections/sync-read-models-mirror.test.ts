import { describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { cachedProducts } from '../../projections/cached-products/index.js';
import { vkMirror } from '../../projections/vk-mirror/index.js';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { mirrorDecider, type MirrorCommand } from '../../src/domain/mirror/decide.js';
import type { PushedVkItem } from '../../src/domain/mirror/desired-item.js';
import { mirrorStream } from '../../src/domain/mirror/events.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { useMigratedDatabase } from '../support/mariadb.js';
import { dumpTables, handleOnce, newEvent, product } from './helpers.js';

const mine = [vkMirror];
const U = 'user-1';

const database = useMigratedDatabase('sync_read_models_mirror');

async function truncateAll() {
  for (const p of [vkMirror, cachedProducts]) {
    for (const t of p.tables) await database.sequelize.query(`TRUNCATE ${t}`);
  }
}

const select = <T extends object>(sql: string, replacements: unknown[] = []) =>
  database.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

const pushed = (sku: string, name: string, priceKopecks: number): PushedVkItem => ({
  sku,
  name,
  description: `${name} (цена за 1 шт.)`,
  priceKopecks,
  categoryId: 40_000,
  stockAmount: 100,
  photos: [],
  available: true,
  albumKey: 'g1',
});

/** A push job's outcomes for three products, a captcha pause and failures, via the decider. */
async function history(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  const handler = new CommandHandler(store);
  const ref = (productId: string, itemId: number) => ({ userId: U, productId, itemId });
  const commands: MirrorCommand[] = [
    { type: 'RecordVkAlbumCreated', userId: U, groupKey: 'g1', albumId: 501, title: 'Напитки' },
    { type: 'RecordDefaultPhotoUploaded', userId: U, photoId: 9001 },
    { type: 'RequestVkItemCreate', userId: U, productId: 'p1', sku: 'p1', requestId: 'p1#1' },
    {
      type: 'RecordVkItemCreated',
      ...ref('p1', 101),
      requestId: 'p1#1',
      pushed: pushed('p1', 'Сок яблочный', 11_500),
    },
    { type: 'RequestVkItemCreate', userId: U, productId: 'p2', sku: 'p2', requestId: 'p2#1' },
    {
      type: 'RecordVkCommandFailed',
      userId: U,
      productId: 'p2',
      method: 'market.add',
      errorCode: 10,
      message: 'Internal server error',
      retryable: true,
    },
    { type: 'RecordVkItemAdopted', ...ref('p2', 102), requestId: 'p2#1' },
    {
      type: 'RecordVkItemUpdated',
      ...ref('p1', 101),
      pushed: pushed('p1', 'Сок яблочный', 12_000),
    },
    { type: 'RecordVkItemUpdated', ...ref('p2', 102), pushed: pushed('p2', 'Сок грушевый', 9_900) },
    { type: 'RecordVkItemHidden', ...ref('p2', 102) },
    {
      type: 'PauseVkPush',
      userId: U,
      captchaSid: '777',
      captchaImg: 'https://vk.com/captcha.php?s=777',
      redirectUri: null,
    },
    {
      type: 'RecordVkCommandFailed',
      userId: U,
      method: 'market.edit',
      errorCode: 14,
      message: 'Captcha needed',
      retryable: true,
    },
    { type: 'ResumeVkPush', userId: U },
    { type: 'RecordVkItemDeleted', ...ref('p1', 101) },
    { type: 'RecordVkItemRestored', ...ref('p2', 102) },
    {
      type: 'RecordVkAlbumRenamed',
      userId: U,
      groupKey: 'g1',
      albumId: 501,
      title: 'Напитки и соки',
    },
    { type: 'RequestVkItemCreate', userId: U, productId: 'p3', sku: 'p3', requestId: 'p3#1' },
    {
      type: 'RecordVkCommandFailed',
      userId: U,
      productId: 'p3',
      method: 'market.add',
      errorCode: 1400,
      message: 'Too many items in the market',
      retryable: false,
    },
  ];
  // two jobs, as the push job records its outcomes in batches
  await handler.handleMany(mirrorDecider, mirrorStream(U), commands.slice(0, 9), {
    actor: 'system',
  });
  await handler.handleMany(mirrorDecider, mirrorStream(U), commands.slice(9), { actor: 'system' });
  await store.appendToStream(storeCatalogStream(U, 's1'), [
    newEvent('ProductAdded', { userId: U, storeId: 's1', product: product('p1') }),
    newEvent('ProductAdded', { userId: U, storeId: 's1', product: product('p2') }),
    newEvent('ProductAdded', { userId: U, storeId: 's1', product: product('p4') }),
  ]);
  return store.readAll();
}

describe('vk-mirror projection', () => {
  it('tracks each item through the domain state machine with its last pushed price and name', async () => {
    await truncateAll();
    await handleOnce(database.sequelize, vkMirror, await history());
    expect(
      await select(
        `SELECT product_id, item_id, state, price_kopecks, name, pending_request_id, requests,
         last_error FROM vk_mirror_items WHERE user_id = ? ORDER BY product_id`,
        [U],
      ),
    ).toEqual([
      {
        product_id: 'p1',
        item_id: 101,
        state: 'deleted',
        price_kopecks: 12_000,
        name: 'Сок яблочный',
        pending_request_id: null,
        requests: 1,
        last_error: null,
      },
      // adopted (content unknown), then a full edit made its fields known; the failure before
      // the adoption was settled by it
      {
        product_id: 'p2',
        item_id: 102,
        state: 'active',
        price_kopecks: 9_900,
        name: 'Сок грушевый',
        pending_request_id: null,
        requests: 1,
        last_error: null,
      },
      {
        product_id: 'p3',
        item_id: null,
        state: 'pending',
        price_kopecks: null,
        name: null,
        pending_request_id: 'p3#1',
        requests: 1,
        last_error: 'market.add 1400: Too many items in the market',
      },
    ]);
    expect(await select('SELECT group_key, album_id, title FROM vk_mirror_albums')).toEqual([
      { group_key: 'g1', album_id: 501, title: 'Напитки и соки' },
    ]);
  });

  it('sums up outcomes, the pause and the last failure per user', async () => {
    await truncateAll();
    const events = await history();
    await handleOnce(database.sequelize, vkMirror, events);
    const [status] = await select<Record<string, unknown>>(
      'SELECT * FROM vk_mirror_status WHERE user_id = ?',
      [U],
    );
    expect(status).toMatchObject({
      paused: 0,
      captcha_sid: null,
      captcha_img: null,
      paused_at: expect.any(Date) as Date,
      last_failure_at: expect.any(Date) as Date,
      last_failure_method: 'market.add',
      last_failure_code: 1400,
      last_failure_message: 'Too many items in the market',
      created: 1,
      adopted: 1,
      updated: 2,
      hidden: 1,
      deleted: 1,
      restored: 1,
      failed: 3,
      last_revision: events.filter((e) => e.streamId === mirrorStream(U)).at(-1)!.revision,
    });

    // halfway, right after the captcha pause
    await truncateAll();
    const paused = events.findIndex((e) => e.type === 'VkPushPaused');
    await handleOnce(database.sequelize, vkMirror, events.slice(0, paused + 1));
    const [during] = await select<Record<string, unknown>>('SELECT * FROM vk_mirror_status');
    expect(during).toMatchObject({
      paused: 1,
      captcha_sid: '777',
      captcha_img: 'https://vk.com/captcha.php?s=777',
      failed: 1,
    });
  });

  it('joins the products of the catalog on their primary key', async () => {
    await truncateAll();
    const events = await history();
    await handleOnce(database.sequelize, cachedProducts, events);
    await handleOnce(database.sequelize, vkMirror, events);
    const joined = await select(
      `SELECT p.product_id, m.item_id, m.state FROM cached_products p
       LEFT JOIN vk_mirror_items m ON m.user_id = p.user_id AND m.product_id = p.product_id
       WHERE p.user_id = ? ORDER BY p.product_id`,
      [U],
    );
    expect(joined).toEqual([
      { product_id: 'p1', item_id: 101, state: 'deleted' },
      { product_id: 'p2', item_id: 102, state: 'active' },
      { product_id: 'p4', item_id: null, state: null },
    ]);
  });

  it('is identical when every event is delivered twice or a batch is delivered again', async () => {
    const events = await history();
    await truncateAll();
    await handleOnce(database.sequelize, vkMirror, events);
    const once = await dumpTables(database.sequelize, mine);
    expect(once.vk_mirror_items).toHaveLength(3);

    await truncateAll();
    await handleOnce(
      database.sequelize,
      vkMirror,
      events.flatMap((e) => [e, e]),
    );
    for (const e of events) await handleOnce(database.sequelize, vkMirror, [e]);
    await handleOnce(database.sequelize, vkMirror, events);
    expect(await dumpTables(database.sequelize, mine)).toEqual(once);

    await truncateAll();
    for (const e of events) await handleOnce(database.sequelize, vkMirror, [e, e]);
    expect(await dumpTables(database.sequelize, mine)).toEqual(once);
  });
});
