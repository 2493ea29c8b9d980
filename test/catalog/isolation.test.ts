import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardApp, type Agent } from '../sync-page/dashboard-app.js';
import { OwnerSync } from '../sync-page/owner-sync.js';

/**
 * Two owners whose Evotor accounts hold a store with the same id, the same group ids and the
 * same product ids (two Evotor simulators seeded alike), each synced to a VK community of its
 * own. Every page of theirs is asked for by both at once, several times over: nothing of one
 * owner may ever be in the other's answer. The pages are told apart by what each owner's
 * Evotor calls its store and products.
 */
interface Side {
  label: string;
  mark: string;
  agent: Agent;
  shop: OwnerSync;
  urls: string[];
}

let d: DashboardApp;
let a: Side;
let b: Side;
const ROUNDS = 3;

async function side(label: string, mark: string): Promise<Side> {
  const owner = await d.owner(`isolation-${label}@example.test`);
  // The same seed: the same store, group and product ids in both Evotor accounts.
  const shop = await OwnerSync.start(d.c, owner.userId, { groups: 2, products: 60, seed: 21 });
  const admin = shop.evotor.admin;
  const storeId = shop.storeIds[0]!;
  admin.changeStore(storeId, { name: `Магазин ${mark}` });
  for (const g of admin.groups(storeId))
    admin.changeGroup(storeId, g.id, { name: `${g.name} ${mark}` });
  for (const p of admin.products(storeId)) {
    admin.changeProduct(storeId, p.id, {
      name: `${mark} ${p.name}`,
      article_number: `${mark}-${p.id.slice(0, 4)}`,
    });
  }
  return { label, mark, agent: owner.agent, shop, urls: [] };
}

/** Every page of an owner's catalog, VK catalog, history and CSV export. */
async function urlsOf(s: Side): Promise<string[]> {
  const storeId = s.shop.storeIds[0]!;
  const products = `/catalog/stores/${storeId}/products`;
  const productIds = s.shop.evotor.admin.products(storeId).map((p) => p.id);
  const groupIds = s.shop.evotor.admin.groups(storeId).map((g) => g.id);
  const albums = (await s.agent.get('/vk-catalog/albums')).text;
  const albumIds = [...albums.matchAll(/\/vk-catalog\/albums\/(\d+)\/products/g)].map((m) => m[1]!);
  expect(albumIds.length).toBeGreaterThan(0);
  return [
    '/catalog/stores',
    `/catalog/stores/${storeId}/groups`,
    products,
    `${products}?page=2`,
    `${products}?q=${encodeURIComponent(s.mark)}`,
    `${products}?sort=price&dir=desc`,
    `${products}?group=${groupIds[0]}`,
    `${products}.csv`,
    `${products}.csv?sort=article&dir=asc`,
    ...productIds.slice(0, 5).map((id) => `${products}/${id}/history`),
    '/vk-catalog/albums',
    '/vk-catalog/products',
    ...[...new Set(albumIds)].map((id) => `/vk-catalog/albums/${id}/products`),
    '/sync',
  ];
}

beforeAll(async () => {
  d = await DashboardApp.start('isolation');
  a = await side('a', 'АЛЬФА');
  b = await side('b', 'БЕТА');
  expect(a.shop.storeIds).toEqual(b.shop.storeIds);
  for (const s of [a, b]) {
    await s.shop.fetchEvotor();
    await s.shop.enableAndConfirm();
    expect((await s.shop.push()).outcome).toBe('done');
    await s.shop.fetchVk();
  }
  await d.settle();
  a.urls = await urlsOf(a);
  b.urls = await urlsOf(b);
}, 180_000);

afterAll(async () => {
  await a?.shop.stop();
  await b?.shop.stop();
  await d?.close();
});

describe('two owners with the same store, group and product ids', () => {
  it('share the ids, and each owner sees their own rows', async () => {
    const ids = (s: Side) => s.shop.evotor.admin.products(s.shop.storeIds[0]!).map((p) => p.id);
    expect(ids(a).sort()).toEqual(ids(b).sort());
    for (const s of [a, b]) {
      const page = await s.agent.get(`/catalog/stores/${s.shop.storeIds[0]}/products`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(s.mark);
      const vk = await s.agent.get('/vk-catalog/products');
      expect(vk.text).toContain(s.mark);
    }
  });

  it('never shows one owner anything of the other, with every page asked at once', async () => {
    const asked: Array<
      Promise<{ who: Side; other: Side; url: string; status: number; text: string }>
    > = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved: each of A's requests next to each of B's, all in flight together.
      const longest = Math.max(a.urls.length, b.urls.length);
      for (let i = 0; i < longest; i++) {
        for (const [who, other] of [
          [a, b],
          [b, a],
        ] as const) {
          const url = who.urls[(i + round) % who.urls.length]!;
          asked.push(
            who.agent
              .get(url)
              .then((res) => ({ who, other, url, status: res.status, text: res.text })),
          );
        }
      }
    }
    const answers = await Promise.all(asked);
    expect(answers.length).toBe(ROUNDS * 2 * Math.max(a.urls.length, b.urls.length));
    for (const { who, other, url, status, text } of answers) {
      expect(status, `${who.label} ${url}`).toBe(200);
      expect(text.includes(other.mark), `${who.label} ${url} shows ${other.mark}`).toBe(false);
      expect(text.includes(String(other.shop.vkGroupId)), `${who.label} ${url}: other group`).toBe(
        false,
      );
    }
    // The product pages and the export are about the owner's own rows, not empty answers.
    for (const { who, url, text } of answers) {
      if (/products(\.csv)?(\?|$)/.test(url) && !url.includes('group=')) {
        expect(text.includes(who.mark), `${who.label} ${url}`).toBe(true);
      }
    }
  }, 120_000);
});
