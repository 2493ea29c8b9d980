import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startVkSimulator, type VkSimulator } from '../../src/simulators/vk/index.js';
import { goodItem, vkPost, type Loose } from './helpers.js';

const TOKEN = 'sim-market-user-token';
let sim: VkSimulator;
let clock = Date.parse('2026-01-01T00:00:00Z');
const OWNER = -7001;

beforeAll(async () => {
  sim = await startVkSimulator({ limits: { user: 1000 }, now: () => clock });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.admin.reset();
  sim.admin.addShop({ token: TOKEN, userId: 11, communityId: 7001 });
});

const call = (method: string, params: Record<string, string | number>, token = TOKEN) =>
  vkPost(sim.apiUrl, method, params, token);

describe('VK simulator: validation from methods.json', () => {
  it.each([
    ['name too short', { name: 'abc' }, 'name should be at least 4'],
    ['name too long', { name: 'x'.repeat(101) }, 'name should be at most 100'],
    ['description too short', { description: 'short' }, 'description should be at least 10'],
    ['sku too long', { sku: 's'.repeat(51) }, 'sku should be at most 50'],
    ['stock below -1', { stock_amount: -2 }, 'stock_amount should be not less than -1'],
    ['too many photos', { photo_ids: '1,2,3,4,5' }, 'photo_ids should contain at most 4'],
  ])('rejects %s with error 100', async (_label, patch, message) => {
    const answer = await call('market.add', { ...goodItem(OWNER), ...patch });
    expect(answer.error.error_code).toBe(100);
    expect(answer.error.error_msg).toContain(message);
  });

  it('names a missing required parameter and never echoes the token', async () => {
    const answer = await call('market.add', { owner_id: OWNER, name: 'Чайник' });
    expect(answer.error).toMatchObject({ error_code: 100 });
    expect(answer.error.error_msg).toContain('description is undefined');
    const keys = (answer.error.request_params as Array<{ key: string }>).map((p) => p.key);
    expect(keys).toContain('method');
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
  });

  it('answers 5 without a valid token, 8 without a version, 3 for an unknown method', async () => {
    expect((await call('market.get', { owner_id: OWNER }, '')).error.error_code).toBe(5);
    expect((await call('market.get', { owner_id: OWNER }, 'nope')).error.error_code).toBe(5);
    const res = await fetch(`${sim.apiUrl}/market.get?access_token=${TOKEN}&owner_id=${OWNER}`);
    expect(((await res.json()) as Loose).error.error_code).toBe(8);
    expect((await call('market.nothing', {})).error.error_code).toBe(3);
  });

  it('accepts the token in an Authorization header', async () => {
    const res = await fetch(`${sim.apiUrl}/market.get`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: new URLSearchParams({ v: '5.199', owner_id: String(OWNER) }),
    });
    expect(await res.json()).toEqual({ response: { count: 0, items: [] } });
  });

  it('refuses communities the token does not administer (15) or without market (1438)', async () => {
    sim.admin.addCommunity({ id: 7002 });
    sim.admin.addCommunity({ id: 7003, marketEnabled: false, admins: [11] });
    expect((await call('market.add', goodItem(-7002))).error.error_code).toBe(15);
    expect((await call('market.get', { owner_id: -7002 })).response.count).toBe(0);
    expect((await call('market.get', { owner_id: -7999 })).error.error_code).toBe(15);
    expect((await call('market.add', goodItem(-7003))).error.error_code).toBe(1438);
    expect((await call('market.add', goodItem(7001))).error.error_code).toBe(100);
  });
});

describe('VK simulator: items and albums', () => {
  it('runs the item and album lifecycle like VK', async () => {
    const album = (await call('market.addAlbum', { owner_id: OWNER, title: 'Чай' })).response;
    const albumId = album.market_album_id as number;
    const added = await call('market.add', { ...goodItem(OWNER), sku: 'A-1', stock_amount: 5 });
    const itemId = added.response.market_item_id as number;

    expect(
      (await call('market.addToAlbum', { owner_id: OWNER, item_ids: itemId, album_ids: albumId }))
        .response,
    ).toBe(1);
    const again = await call('market.addToAlbum', {
      owner_id: OWNER,
      item_ids: itemId,
      album_ids: albumId,
    });
    expect(again.error.error_code).toBe(1404);

    const listed = (await call('market.get', { owner_id: OWNER, extended: 1 })).response;
    expect(listed.count).toBe(1);
    expect(listed.items[0]).toMatchObject({
      id: itemId,
      owner_id: OWNER,
      title: 'Товар номер 1',
      price: { amount: '12345', currency: { id: 643, name: 'RUB' } },
      availability: 0,
      sku: 'A-1',
      stock_amount: 5,
      albums_ids: [albumId],
    });
    const albums = (await call('market.getAlbums', { owner_id: OWNER })).response;
    expect(albums.items).toEqual([
      expect.objectContaining({ id: albumId, title: 'Чай', count: 1 }),
    ]);

    await call('market.edit', { owner_id: OWNER, item_id: itemId, name: 'Новое имя', deleted: 1 });
    expect(sim.admin.item(itemId)).toMatchObject({ title: 'Новое имя', hidden: true });

    expect((await call('market.delete', { owner_id: OWNER, item_id: itemId })).response).toBe(1);
    expect((await call('market.get', { owner_id: OWNER })).response.count).toBe(0);
    expect(
      (await call('market.edit', { owner_id: OWNER, item_id: itemId, price: 1 })).error,
    ).toMatchObject({ error_code: 1403 });
    expect((await call('market.restore', { owner_id: OWNER, item_id: itemId })).response).toBe(1);
    expect(
      (await call('market.restore', { owner_id: OWNER, item_id: itemId })).error.error_code,
    ).toBe(1518);

    await call('market.removeFromAlbum', { owner_id: OWNER, item_id: itemId, album_ids: albumId });
    expect(sim.admin.item(itemId)?.albumIds).toEqual([]);
    expect(
      (await call('market.deleteAlbum', { owner_id: OWNER, album_id: albumId })).response,
    ).toBe(1);
    const missing = await call('market.addToAlbum', {
      owner_id: OWNER,
      item_ids: itemId,
      album_ids: albumId,
    });
    expect(missing.error.error_code).toBe(1402);
  });

  it('refuses a restore after the configured window with 1400', async () => {
    sim.admin.setSettings({ restoreWindowMs: 60_000 });
    const itemId = (await call('market.add', goodItem(OWNER))).response.market_item_id;
    await call('market.delete', { owner_id: OWNER, item_id: itemId });
    clock += 61_000;
    expect(
      (await call('market.restore', { owner_id: OWNER, item_id: itemId })).error.error_code,
    ).toBe(1400);
    sim.admin.setSettings({ restoreWindowMs: null });
  });

  it('pages market.get with count and offset, newest first', async () => {
    for (let n = 1; n <= 5; n++) await call('market.add', goodItem(OWNER, n));
    const page = (await call('market.get', { owner_id: OWNER, count: 2, offset: 1 })).response;
    expect(page.count).toBe(5);
    expect(page.items.map((i: { title: string }) => i.title)).toEqual([
      'Товар номер 4',
      'Товар номер 3',
    ]);
    expect((await call('market.get', { owner_id: OWNER, count: 201 })).error.error_code).toBe(100);
  });

  it('shows drift made through the admin API', async () => {
    const itemId = (await call('market.add', goodItem(OWNER))).response.market_item_id;
    const res = await fetch(`http://127.0.0.1:${sim.port}/__admin/items/${itemId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ price: 99 }),
    });
    expect(res.status).toBe(200);
    const listed = (await call('market.get', { owner_id: OWNER })).response;
    expect(listed.items[0].price.amount).toBe('9900');
    sim.admin.deleteItem(itemId, true);
    expect((await call('market.get', { owner_id: OWNER })).response.count).toBe(0);
  });

  it('lists the communities a user administers and answers users.get', async () => {
    const groups = (await call('groups.get', { filter: 'admin', extended: 1 })).response;
    expect(groups).toMatchObject({ count: 1, items: [{ id: 7001, is_admin: 1 }] });
    const byId = (await call('groups.getById', { group_id: 7001 })).response;
    expect(byId.groups[0]).toMatchObject({ id: 7001, screen_name: 'club7001' });
    expect((await call('users.get', {})).response[0]).toMatchObject({ id: 11 });
  });
});
