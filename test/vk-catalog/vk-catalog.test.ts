import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VkClient } from '../../src/infrastructure/vk/vk-client.js';
import { DashboardApp, type Agent } from '../sync-page/dashboard-app.js';
import { OwnerSync } from '../sync-page/owner-sync.js';

let d: DashboardApp;
let owner: { userId: string; agent: Agent };
let shop: OwnerSync;
let foreignAlbum: number;
let driftedId: number;
let looseId: number;
/** the two albums of groups named alike in two stores */
let twins: { storeA: string; storeB: string };

beforeAll(async () => {
  d = await DashboardApp.start('vk_catalog');
  owner = await d.owner('vk-owner@example.test');
  shop = await OwnerSync.start(d.c, owner.userId, { groups: 1, products: 70, seed: 5 });
  // A group named alike in a second store: two albums of one title, told apart by their store.
  const admin = shop.evotor.admin;
  const first = shop.storeIds[0]!;
  const second = admin.addStore(shop.evotorUserId, { name: 'Магазин на Садовой' }).id;
  shop.storeIds.push(second);
  for (const storeId of [first, second]) {
    const group = admin.addGroup(storeId, { name: 'Выпечка' });
    admin.addProduct(storeId, { name: 'Булочка с маком', parent_id: group.id, price: 45 });
  }
  await shop.fetchEvotor();
  await shop.enableAndConfirm();
  expect((await shop.push()).outcome).toBe('done');
  const client = new VkClient({ apiUrl: shop.vk.apiUrl, version: '5.199', token: shop.vkToken });
  foreignAlbum = (
    await client.call<{ market_album_id: number }>('market.addAlbum', {
      owner_id: -shop.vkGroupId,
      title: 'Подборка от руки',
    })
  ).market_album_id;
  const items = shop.vk.admin.snapshot().items.filter((i) => i.albumIds.length > 0);
  driftedId = items[0]!.id;
  looseId = items[1]!.id;
  shop.vk.admin.changeItem(driftedId, { title: 'Исправлено вручную в VK', price: 1 });
  shop.vk.admin.changeItem(looseId, { albumIds: [] });
  await shop.fetchVk();
  await d.settle();
  const names = await d.c.sequelize.query<{ store_id: string; name: string }>(
    'SELECT store_id, name FROM cached_stores WHERE user_id = ?',
    { replacements: [owner.userId], type: QueryTypes.SELECT },
  );
  const nameOf = (id: string) => names.find((n) => n.store_id === id)!.name;
  twins = { storeA: nameOf(first), storeB: nameOf(second) };
}, 120_000);

afterAll(async () => {
  await shop?.stop();
  await d?.close();
});

const rowsOf = (html: string) => [...html.matchAll(/<tr class="([^"]*)" data-item="(\d+)">/g)];

describe('/vk-catalog/albums', () => {
  it('lists the albums with item counts, EvoSync-made ones marked', async () => {
    const res = await owner.agent.get('/vk-catalog/albums');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Подборка от руки');
    expect(res.text).toContain('создана в VK');
    expect(res.text).toContain('badge-evosync');
    const snapshot = shop.vk.admin.snapshot();
    const ours = snapshot.albums.find(
      (a) => a.id !== foreignAlbum && a.ownerId === -shop.vkGroupId,
    )!;
    const count = snapshot.items.filter((i) => i.albumIds.includes(ours.id)).length;
    const row = new RegExp(`data-album="${ours.id}">[\\s\\S]*?data-label="Товаров">(\\d+)</td>`);
    expect(Number(row.exec(res.text)![1])).toBe(count);
    // every column has a header
    expect(res.text).toContain('<th>Магазин Эвотор</th>');
    expect(res.text).not.toMatch(/<th><\/th>/);
  });

  it('tells apart albums of two stores’ groups of the same name by the store', async () => {
    const res = await owner.agent.get('/vk-catalog/albums');
    const stores = [
      ...res.text.matchAll(/>Выпечка<\/a><\/td>\s*<td class="album-store"[^>]*>([^<]*)</g),
    ]
      .map((m) => m[1])
      .sort();
    expect(stores).toEqual([twins.storeA, twins.storeB].sort());
    expect(twins.storeA).not.toBe(twins.storeB);
  });
});

describe('/vk-catalog/albums/{id}/products', () => {
  it('pages through the items; ours carry the EvoSync badge, an edited one "изменён в VK"', async () => {
    const snapshot = shop.vk.admin.snapshot();
    // The album of the group of 70 products, not one of the two «Выпечка» albums of one item:
    // which VK lists first follows the stores' ids, which the simulator makes at random.
    const itemsIn = (albumId: number) =>
      snapshot.items.filter((i) => i.albumIds.includes(albumId)).length;
    const album = snapshot.albums
      .filter((a) => a.id !== foreignAlbum && a.ownerId === -shop.vkGroupId)
      .sort((a, b) => itemsIn(b.id) - itemsIn(a.id))[0]!;
    const expected = itemsIn(album.id);
    expect(expected).toBeGreaterThan(50);
    const first = await owner.agent.get(`/vk-catalog/albums/${album.id}/products`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Страница 1 из 2');
    const second = await owner.agent.get(`/vk-catalog/albums/${album.id}/products?page=2`);
    const rows = [...rowsOf(first.text), ...rowsOf(second.text)];
    expect(rows).toHaveLength(expected);
    expect(new Set(rows.map((r) => r[2])).size).toBe(expected);
    const drifted = rows.filter((r) => r[1] === 'row-error').map((r) => Number(r[2]));
    expect(drifted).toEqual([driftedId]);
    const all = first.text + second.text;
    expect(all.match(/изменён в VK/g)).toHaveLength(1);
    expect(all.match(/badge badge-evosync/g)).toHaveLength(expected);
    expect(all).toContain('Исправлено вручную в VK');
    expect(all).toMatch(/\/catalog\/stores\/[^/]+\/products\/[^/]+\/history/);
    // the article column shows the Evotor article, never the Evotor id VK keeps as sku
    const skus = new Set(snapshot.items.map((i) => i.sku).filter(Boolean));
    expect(skus.size).toBeGreaterThan(0);
    for (const sku of skus) expect(all).not.toContain(`<td data-label="Артикул">${sku}<`);
    expect(all).not.toMatch(/<th><\/th>/);
  });

  it('an album of nobody (or of another community) is a 404', async () => {
    expect((await owner.agent.get('/vk-catalog/albums/999999/products')).status).toBe(404);
    expect((await owner.agent.get('/vk-catalog/albums/abc/products')).status).toBe(404);
  });

  it('the foreign album is listed, empty', async () => {
    const res = await owner.agent.get(`/vk-catalog/albums/${foreignAlbum}/products`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Товаров нет.');
  });
});

describe('/vk-catalog/products', () => {
  it('lists items outside any album', async () => {
    const res = await owner.agent.get('/vk-catalog/products');
    expect(res.status).toBe(200);
    expect(rowsOf(res.text).map((r) => Number(r[2]))).toContain(looseId);
  });

  it('is refused (403) without the sync.use permission', async () => {
    const admin = await d.owner('vk-admin@example.test', 'admin');
    expect((await admin.agent.get('/vk-catalog/albums')).status).toBe(403);
    expect((await admin.agent.get('/vk-catalog/products')).status).toBe(403);
  });
});
