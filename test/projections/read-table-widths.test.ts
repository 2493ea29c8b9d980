import { describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { projections } from '../../projections/index.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { MemoryEventStore } from '../../src/infrastructure/eventstore/memory/memory-event-store.js';
import { fitKey, fitText } from '../../src/infrastructure/projections/column-fit.js';
import { useMigratedDatabase } from '../support/mariadb.js';
import { handleOnce, newEvent, product } from './helpers.js';

const database = useMigratedDatabase('read_table_widths');

const select = <T extends object>(sql: string, replacements: unknown[] = []) =>
  database.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });

/** Longer than any column it lands in; Cyrillic, so characters and bytes differ. */
const long = (label: string, chars = 3000) => `${label} ` + 'ы'.repeat(chars);
const UNIT = 'упаковка по двенадцать штук в коробке ×1'; // 40 characters, as in issue 12
const U = 'user-widths';
const S = 'store-widths';
const LONG_PRODUCT_ID = `p-${'x'.repeat(90)}`;

async function record(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  const add = (stream: string, type: string, data: unknown) =>
    store.appendToStream(stream, [newEvent(type, data)]);
  await add(`stores-${U}`, 'StoreDiscovered', {
    userId: U,
    store: { id: S, name: long('Магазин'), address: long('Адрес', 5000) },
  });
  await add(`catalog-${U}-${S}`, 'GroupAdded', {
    userId: U,
    storeId: S,
    group: { id: `g-${'y'.repeat(100)}`, parentId: `g-${'z'.repeat(100)}`, name: long('Группа') },
  });
  await add(`catalog-${U}-${S}`, 'ProductAdded', {
    userId: U,
    storeId: S,
    product: product('p-unit', { measureName: UNIT }),
  });
  await add(`catalog-${U}-${S}`, 'ProductAdded', {
    userId: U,
    storeId: S,
    product: product(LONG_PRODUCT_ID, {
      name: long('Товар'),
      measureName: long('ед'),
      articleNumber: long('арт'),
      code: long('код'),
      tax: long('налог'),
      productType: long('тип'),
      description: long('Описание', 70_000),
      barcodes: [long('4600', 200), '4601'],
      groupId: `g-${'y'.repeat(100)}`,
    }),
  });
  await add(`catalog-${U}-${S}`, 'ProductChanged', {
    userId: U,
    storeId: S,
    productId: LONG_PRODUCT_ID,
    changes: [{ field: 'priceKopecks', from: 100, to: 4242 }],
  });
  await add(`evotor-account-${U}`, 'EvotorAccountLinked', {
    userId: U,
    evotorUserId: long('evotor', 100),
    via: 'token',
  });
  await add(`evotor-account-${U}`, 'EvotorHealthChanged', {
    userId: U,
    healthy: false,
    reason: long('причина'),
  });
  await add(`vk-account-${U}`, 'VkCommunityConnected', {
    userId: U,
    vkUserId: 501,
    vkUserName: long('Имя'),
    groupId: 77,
    groupName: long('Сообщество'),
    tokenKind: 'user',
  });
  await add(`sync-config-${U}`, 'SyncFilterRuleSet', {
    userId: U,
    rule: {
      entityType: 'group',
      entityId: `g-${'y'.repeat(100)}`,
      entityName: long('Группа'),
      mode: 'exclude',
      parentEntityId: `s-${'w'.repeat(100)}`,
    },
  });
  await add(`vk-market-${U}`, 'VkAlbumObserved', {
    userId: U,
    album: { id: 9, title: long('Подборка') },
  });
  await add(`vk-market-${U}`, 'VkItemObserved', {
    userId: U,
    item: {
      id: 10,
      title: long('Товар VK'),
      description: long('Описание', 70_000),
      priceKopecks: 100,
      availability: 0,
      sku: long('sku', 100),
      stockAmount: 1,
      albumIds: [9],
      deleted: false,
    },
  });
  await add(`vk-mirror-${U}`, 'VkAlbumCreated', {
    userId: U,
    groupKey: `g-${'y'.repeat(100)}`,
    albumId: 9,
    title: long('Подборка'),
  });
  await add(`vk-mirror-${U}`, 'VkCommandFailed', {
    userId: U,
    method: long('market.add', 100),
    errorCode: 100,
    message: long('Ошибка', 70_000),
  });
  await add(`vk-mirror-${U}`, 'VkPushPaused', {
    userId: U,
    captchaSid: long('sid', 200),
    captchaImg: `https://vk.com/captcha?${'q'.repeat(3000)}`,
  });
  await add(`x-${'s'.repeat(300)}`, `Odd${'T'.repeat(200)}`, { blob: long('blob', 9_000_000) });
  return store.readAll();
}

describe('read tables take whatever Evotor and VK send', () => {
  it('applies overlong values in every projection: the rows hold what fits, the events all of it', async () => {
    const events = await record();
    for (const projection of projections) {
      // handleOnce keeps the types a projection names; the audit log takes every type (`*`).
      const all = projection.eventTypes.includes('*');
      await handleOnce(
        database.sequelize,
        all ? { ...projection, eventTypes: [...new Set(events.map((e) => e.type))] } : projection,
        events,
      );
    }

    const [unit] = await select<{ measure_name: string }>(
      'SELECT measure_name FROM cached_products WHERE product_id = ?',
      ['p-unit'],
    );
    expect(unit?.measure_name).toBe(UNIT);

    const key = fitKey(LONG_PRODUCT_ID, { chars: 64 });
    expect(key).toHaveLength(64);
    const [odd] = await select<Record<string, string>>(
      'SELECT * FROM cached_products WHERE product_id = ?',
      [key],
    );
    expect(odd).toMatchObject({
      name: fitText(long('Товар'), { chars: 512 }),
      measure_name: fitText(long('ед'), { chars: 255 }),
      group_id: fitKey(`g-${'y'.repeat(100)}`, { chars: 64 }),
    });
    // A later change finds the row by the same fitted key.
    expect(Number(odd?.price_kopecks)).toBe(4242);
    expect(JSON.parse(odd?.barcodes ?? '')).toEqual([long('4600', 200), '4601']);
    const barcodes = await select<{ barcode: string }>(
      'SELECT barcode FROM cached_product_barcodes WHERE product_id = ? ORDER BY barcode',
      [key],
    );
    expect(barcodes.map((b) => b.barcode)).toEqual([
      fitKey(long('4600', 200), { chars: 128 }),
      '4601',
    ]);

    const [store] = await select<{ name: string; address: string }>(
      'SELECT name, address FROM cached_stores WHERE user_id = ?',
      [U],
    );
    expect(store?.name).toHaveLength(512);
    expect(store?.name.endsWith('…')).toBe(true);
    expect(store?.address).toHaveLength(1024);
    expect(await select('SELECT name FROM cached_groups WHERE user_id = ?', [U])).toHaveLength(1);
    const [vkConnection] = await select<{ vk_user_name: string; group_name: string }>(
      'SELECT vk_user_name, group_name FROM vk_connections WHERE user_id = ?',
      [U],
    );
    expect(vkConnection?.group_name).toHaveLength(255);
    const [evotor] = await select<{ health_reason: string; evotor_user_id: string }>(
      'SELECT health_reason, evotor_user_id FROM evotor_connections WHERE user_id = ?',
      [U],
    );
    expect(evotor?.health_reason).toHaveLength(512);
    expect(evotor?.evotor_user_id).toHaveLength(64);
    const [rule] = await select<{ entity_name: string }>(
      'SELECT entity_name FROM sync_filters WHERE user_id = ?',
      [U],
    );
    expect(rule?.entity_name).toHaveLength(512);
    const [item] = await select<{ sku: string; album_ids: string; description: string }>(
      'SELECT sku, album_ids, description FROM vk_cached_products WHERE user_id = ?',
      [U],
    );
    expect(item?.sku).toHaveLength(64);
    expect(JSON.parse(item!.album_ids)).toEqual([9]);
    expect(item?.description).toBe(long('Описание', 70_000));
    const [status] = await select<{ captcha_img: string; last_failure_method: string }>(
      'SELECT captcha_img, last_failure_method FROM vk_mirror_status WHERE user_id = ?',
      [U],
    );
    expect(status?.captcha_img).toHaveLength(2048);
    expect(status?.last_failure_method).toHaveLength(64);
    expect(await select('SELECT title FROM vk_mirror_albums WHERE user_id = ?', [U])).toHaveLength(
      1,
    );

    // The audit log keeps parseable JSON even for an event too big for its column.
    const audit = await select<{ data: string; stream_id: string }>(
      'SELECT data, stream_id FROM audit_log ORDER BY position',
    );
    expect(audit).toHaveLength(events.length);
    for (const row of audit) expect(() => JSON.parse(row.data) as unknown).not.toThrow();
    expect(JSON.parse(audit.at(-1)!.data)).toMatchObject({ truncated: true });
    expect(audit.at(-1)!.stream_id).toHaveLength(255);

    // The events themselves are untouched.
    expect(
      events.find((e) => e.type === 'StoreDiscovered')?.data as { store: { name: string } },
    ).toMatchObject({ store: { name: long('Магазин') } });
  });
});

describe('fitText and fitKey', () => {
  it('cut by characters for VARCHAR and by bytes for TEXT, and leave fitting values alone', () => {
    expect(fitText('короткое', { chars: 32 })).toBe('короткое');
    expect(fitText('абвгд', { chars: 4 })).toBe('абв…');
    const cut = fitText('я'.repeat(40_000), { bytes: 65_535 });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(65_535);
    expect(cut.endsWith('…')).toBe(true);
    expect(fitKey('a'.repeat(64), { chars: 64 })).toBe('a'.repeat(64));
    const [a, b] = [
      fitKey('a'.repeat(70) + '1', { chars: 64 }),
      fitKey('a'.repeat(70) + '2', { chars: 64 }),
    ];
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
  });
});
