import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.js';
import { mirrorDecider } from '../../../src/domain/mirror/decide.js';
import { desiredVkItem } from '../../../src/domain/mirror/desired-item.js';
import { DEFAULT_STOCK_POLICY } from '../../../src/domain/sync-config/stock.js';
import type { MirrorEvent } from '../../../src/domain/mirror/events.js';
import {
  EVOSYNC_OWNS_ALL,
  isEmptyPlan,
  planMirror,
  type DesiredEntry,
  type PlanContext,
} from '../../../src/domain/mirror/plan.js';
import { group, product } from '../catalog/fixtures.js';
import type { VkAlbum, VkItem } from '../../../src/domain/vk-market/events.js';
import type { VkMarketState } from '../../../src/domain/vk-market/state.js';
import { albumCreated, created, desired, pushedOf, userId } from './fixtures.js';

const state = (...events: MirrorEvent[][]) => fold(mirrorDecider, events.flat());
const want = (entries: [string, DesiredEntry][]) => new Map(entries);
const photo: MirrorEvent = { type: 'DefaultPhotoUploaded', data: { userId, photoId: 7 } };
const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
  now: Date.parse('2026-11-28T12:00:00Z'),
  observed: null,
  ownership: EVOSYNC_OWNS_ALL,
  ...over,
});

describe('planMirror', () => {
  it('first sync: the album, the default photo and one create per product, in id order', () => {
    const plan = planMirror(
      want([
        ['p2', desired('p2')],
        ['p1', desired('p1')],
      ]),
      state(),
      ctx(),
    );
    expect(plan.albumsToCreate).toEqual([
      { groupKey: 'g1', title: 'Группа g1', requestId: 'g1#1' },
    ]);
    expect(plan.needsDefaultPhoto).toBe(true);
    expect(plan.creates).toEqual([
      { productId: 'p1', requestId: 'p1#1', item: desired('p1') },
      { productId: 'p2', requestId: 'p2#1', item: desired('p2') },
    ]);
    expect([plan.edits, plan.adopts, plan.hides, plan.deletes, plan.recreates]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
  });

  it('an unchanged desired state plans nothing', () => {
    const plan = planMirror(
      want([['p1', desired('p1')]]),
      state([albumCreated(), photo], created('p1', 900)),
      ctx(),
    );
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('a price change is one edit of only the price', () => {
    const plan = planMirror(
      want([
        ['p1', desired('p1', { priceKopecks: 12_990 })],
        ['p2', desired('p2')],
      ]),
      state([albumCreated(), photo], created('p1', 900), created('p2', 901)),
      ctx(),
    );
    expect(plan.edits).toEqual([
      {
        productId: 'p1',
        itemId: 900,
        changes: [{ field: 'priceKopecks', from: 10_000, to: 12_990 }],
        reasserted: [],
        item: desired('p1', { priceKopecks: 12_990 }),
      },
    ]);
    expect({ ...plan, edits: [] }).toEqual(planMirror(new Map(), state(), ctx()));
  });

  it('a multiplier change edits the price of every affected item, and nothing else', () => {
    const g = group('g1');
    const products = [
      product('p1', { groupId: 'g1', priceKopecks: 10_000 }),
      product('p2', { groupId: 'g1', priceKopecks: 2_990 }),
      product('p3', { groupId: 'g1', priceKopecks: 0 }),
    ];
    const settings = { categoryId: 40932, stockAmount: 1000 };
    const item = (p: (typeof products)[number], m: string) =>
      desiredVkItem(p, g, { priceMultiplier: m, stock: DEFAULT_STOCK_POLICY }, settings);
    const at = (m: string) => want(products.map((p) => [p.id, item(p, m)]));
    const mirror = state(
      [albumCreated(), photo],
      ...products.map((p, i) => created(p.id, 900 + i, item(p, '1'))),
    );
    const plan = planMirror(at('1.2'), mirror, ctx());
    expect(plan.edits.map((e) => [e.productId, e.changes])).toEqual([
      ['p1', [{ field: 'priceKopecks', from: 10_000, to: 12_000 }]],
      ['p2', [{ field: 'priceKopecks', from: 2_990, to: 3_588 }]],
    ]);
    expect(plan.creates).toEqual([]);
  });

  it('a product removed in Evotor is deleted in VK; one that was never pushed needs nothing', () => {
    const plan = planMirror(
      want([
        ['p1', 'removed'],
        ['p9', 'removed'],
      ]),
      state([albumCreated()], created('p1', 900)),
      ctx(),
    );
    expect(plan.deletes).toEqual([{ productId: 'p1', itemId: 900 }]);
    expect(plan.hides).toEqual([]);
  });

  it('a product that leaves the scope is hidden, and restored with its changes when it comes back', () => {
    const base = state([albumCreated(), photo], created('p1', 900));
    expect(planMirror(want([['p1', null]]), base, ctx()).hides).toEqual([
      { productId: 'p1', itemId: 900, reasserted: false },
    ]);

    const hidden = state([albumCreated(), photo], created('p1', 900), [
      { type: 'VkItemHidden', data: { userId, productId: 'p1', itemId: 900 } },
    ]);
    expect(isEmptyPlan(planMirror(want([['p1', null]]), hidden, ctx()))).toBe(true);
    const back = planMirror(want([['p1', desired('p1', { name: 'Новое имя' })]]), hidden, ctx());
    expect(back.restores).toEqual([{ productId: 'p1', itemId: 900 }]);
    expect(back.edits.map((e) => e.changes)).toEqual([
      [{ field: 'name', from: 'Товар p1', to: 'Новое имя' }],
    ]);
  });

  it('a pending create without outcome is adopted by sku, never created again', () => {
    const pending: MirrorEvent = {
      type: 'VkItemCreateRequested',
      data: { userId, productId: 'p1', sku: 'p1', requestId: 'p1#1' },
    };
    const plan = planMirror(
      want([['p1', desired('p1')]]),
      state([albumCreated(), photo, pending]),
      ctx(),
    );
    expect(plan.adopts).toEqual([{ productId: 'p1', sku: 'p1', requestId: 'p1#1', wanted: true }]);
    // Out of scope meanwhile: still looked up (an item may be live), then closed if VK has none.
    expect(
      planMirror(want([['p1', null]]), state([albumCreated(), photo, pending]), ctx()).adopts,
    ).toEqual([{ productId: 'p1', sku: 'p1', requestId: 'p1#1', wanted: false }]);
    expect(plan.creates).toEqual([]);
  });

  it('an adopted item gets one full edit, since its content is unknown', () => {
    const adopted = state([
      albumCreated(),
      {
        type: 'VkItemCreateRequested',
        data: { userId, productId: 'p1', sku: 'p1', requestId: 'p1#1' },
      },
      { type: 'VkItemAdopted', data: { userId, productId: 'p1', requestId: 'p1#1', itemId: 905 } },
    ]);
    const [edit] = planMirror(want([['p1', desired('p1')]]), adopted, ctx()).edits;
    expect(edit?.itemId).toBe(905);
    expect(edit?.changes.map((c) => c.field)).toEqual([
      'sku',
      'name',
      'description',
      'priceKopecks',
      'categoryId',
      'stockAmount',
      'available',
      'albumKey',
      'photos',
    ]);
  });

  it('a group moved or renamed: edits the album key, creates or renames albums once', () => {
    const base = state([albumCreated(), photo], created('p1', 900), created('p2', 901));
    const plan = planMirror(
      want([
        ['p1', desired('p1', { albumKey: 'g2', albumTitle: 'Новая' })],
        ['p2', desired('p2', { albumTitle: 'Группа 1' })],
        ['p3', desired('p3', { albumTitle: 'Группа 1' })],
      ]),
      base,
      ctx(),
    );
    expect(plan.albumsToCreate).toEqual([{ groupKey: 'g2', title: 'Новая', requestId: 'g2#1' }]);
    expect(plan.albumsToRename).toEqual([{ groupKey: 'g1', albumId: 50, title: 'Группа 1' }]);
    expect(plan.edits.map((e) => [e.productId, e.changes])).toEqual([
      ['p1', [{ field: 'albumKey', from: 'g1', to: 'g2' }]],
    ]);
    expect(plan.needsDefaultPhoto).toBe(false);
  });
});

/** VK as a fetch that began at `fetchedAt` saw it. */
function vk(
  fetchedAt: string,
  items: Array<Partial<VkItem> & { id: number; sku: string }>,
  albums: VkAlbum[] = [{ id: 50, title: 'Группа g1' }],
): VkMarketState {
  const full = items.map((i): VkItem => ({
    title: `Товар ${i.sku}`,
    description: `Товар ${i.sku} (цена за 1 шт.)`,
    priceKopecks: 10_000,
    availability: 0,
    stockAmount: 1000,
    albumIds: [50],
    deleted: false,
    ...i,
  }));
  return {
    albums: new Map(albums.map((a) => [a.id, a])),
    items: new Map(full.map((i) => [i.id, i])),
    fetchedAt: Date.parse(fetchedAt),
  };
}

const WRITTEN = '2026-11-28T10:00:00.000Z';
const BEFORE = '2026-11-28T09:00:00.000Z';
const AFTER = '2026-11-28T11:00:00.000Z';

/** A product created and added to album 50 at WRITTEN, as the push records it now. */
function pushed(productId: string, itemId: number, item = desired(productId)): MirrorEvent[] {
  const requestId = `${productId}#1`;
  const at = WRITTEN;
  return [
    { type: 'VkItemCreateRequested', data: { userId, productId, sku: item.sku, requestId } },
    {
      type: 'VkItemCreated',
      data: { userId, productId, requestId, itemId, pushed: pushedOf(item), at },
    },
    { type: 'VkItemAddedToAlbum', data: { userId, productId, itemId, albumId: 50, at } },
  ];
}
const album: MirrorEvent[] = [
  {
    type: 'VkAlbumCreateRequested',
    data: { userId, groupKey: 'g1', title: 'Группа g1', requestId: 'g1#1' },
  },
  {
    type: 'VkAlbumCreated',
    data: {
      userId,
      groupKey: 'g1',
      albumId: 50,
      title: 'Группа g1',
      requestId: 'g1#1',
      at: WRITTEN,
    },
  },
];

describe('planMirror, three-way: desired vs last pushed vs last seen in VK', () => {
  const one = want([['p1', desired('p1')]]);
  const mirror = () => state([...album, photo], pushed('p1', 900));

  it('an unchanged catalog with VK showing what was pushed plans nothing', () => {
    const plan = planMirror(one, mirror(), ctx({ observed: vk(AFTER, [{ id: 900, sku: 'p1' }]) }));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('a price changed by hand in VK is sent again, and says so', () => {
    const observed = vk(AFTER, [{ id: 900, sku: 'p1', priceKopecks: 1 }]);
    const plan = planMirror(one, mirror(), ctx({ observed }));
    expect(plan.edits).toEqual([
      {
        productId: 'p1',
        itemId: 900,
        changes: [],
        reasserted: [{ field: 'priceKopecks', seen: 1 }],
        item: desired('p1'),
      },
    ]);
  });

  it('a main photo changed by hand is set back while EvoSync owns photos, kept when left to VK', () => {
    const observed = vk(AFTER, [{ id: 900, sku: 'p1', mainPhotoId: 555 }]);
    expect(planMirror(one, mirror(), ctx({ observed })).edits[0]?.reasserted).toEqual([
      { field: 'photo', seen: 555 },
    ]);
    const ownership = { description: true, photos: false };
    expect(isEmptyPlan(planMirror(one, mirror(), ctx({ observed, ownership })))).toBe(true);
    const same = vk(AFTER, [{ id: 900, sku: 'p1', mainPhotoId: 7 }]);
    expect(isEmptyPlan(planMirror(one, mirror(), ctx({ observed: same })))).toBe(true);
  });

  it('an observation older than the last write causes nothing, however different', () => {
    const observed = vk(BEFORE, [{ id: 901, sku: 'other', priceKopecks: 1 }], []);
    expect(isEmptyPlan(planMirror(one, mirror(), ctx({ observed })))).toBe(true);
  });

  it('an item VK lost (deleted by hand) is re-created under a new request', () => {
    const plan = planMirror(one, mirror(), ctx({ observed: vk(AFTER, []) }));
    expect(plan.recreates).toEqual([
      { productId: 'p1', previousItemId: 900, requestId: 'p1#2', item: desired('p1') },
    ]);
    expect(plan.edits).toEqual([]);
  });

  it('an item VK lost while out of scope is only recorded as gone (no hide, no re-creation)', () => {
    const plan = planMirror(want([['p1', null]]), mirror(), ctx({ observed: vk(AFTER, []) }));
    expect(plan.deletes).toEqual([{ productId: 'p1', itemId: 900 }]);
    expect([plan.hides, plan.recreates]).toEqual([[], []]);
  });

  it('an album VK lost is requested again, and its items are put back once it exists', () => {
    const observed = vk(AFTER, [{ id: 900, sku: 'p1', albumIds: [] }], []);
    const plan = planMirror(one, mirror(), ctx({ observed }));
    expect(plan.albumsToCreate).toEqual([
      { groupKey: 'g1', title: 'Группа g1', requestId: 'g1#2', lostAlbumId: 50 },
    ]);
    const recreated = state([...album, photo], pushed('p1', 900), [
      { type: 'VkAlbumLost', data: { userId, groupKey: 'g1', albumId: 50 } },
      {
        type: 'VkAlbumCreateRequested',
        data: { userId, groupKey: 'g1', title: 'Группа g1', requestId: 'g1#2' },
      },
      {
        type: 'VkAlbumCreated',
        data: { userId, groupKey: 'g1', albumId: 51, title: 'Группа g1', requestId: 'g1#2' },
      },
    ]);
    expect(planMirror(one, recreated, ctx({ observed })).memberships.adds).toEqual([
      { productId: 'p1', itemId: 900, albumId: 51, reasserted: false },
    ]);
  });

  it('an item removed from its album by hand is put back', () => {
    const observed = vk(AFTER, [{ id: 900, sku: 'p1', albumIds: [] }]);
    const plan = planMirror(one, mirror(), ctx({ observed }));
    expect(plan.memberships.adds).toEqual([
      { productId: 'p1', itemId: 900, albumId: 50, reasserted: true },
    ]);
  });

  it('membership is only what VK confirmed: an item created but never added is added', () => {
    const [request, created] = pushed('p1', 900);
    const plan = planMirror(one, state([...album, photo, request!, created!]), ctx());
    expect(plan.memberships.adds).toEqual([
      { productId: 'p1', itemId: 900, albumId: 50, reasserted: false },
    ]);
  });

  it('a description left to VK is never sent, neither as a change nor after a hand edit', () => {
    const ownership = { description: false, photos: true };
    const observed = vk(AFTER, [{ id: 900, sku: 'p1', description: 'Своё описание' }]);
    const changed = want([['p1', desired('p1', { description: 'Новое из Эвотор' })]]);
    expect(isEmptyPlan(planMirror(changed, mirror(), ctx({ observed, ownership })))).toBe(true);
    expect(planMirror(changed, mirror(), ctx({ observed })).edits[0]?.reasserted).toEqual([]);
    expect(planMirror(changed, mirror(), ctx({ observed })).edits[0]?.changes).toEqual([
      { field: 'description', from: desired('p1').description, to: 'Новое из Эвотор' },
    ]);
  });

  it('an open album request is settled by adopting by title before creating', () => {
    const open: MirrorEvent = {
      type: 'VkAlbumCreateRequested',
      data: { userId, groupKey: 'g1', title: 'Группа g1', requestId: 'g1#1' },
    };
    const plan = planMirror(one, state([open]), ctx());
    expect(plan.albumsToAdopt).toEqual([
      { groupKey: 'g1', title: 'Группа g1', requestId: 'g1#1', wanted: true },
    ]);
    expect(plan.albumsToCreate).toEqual([]);
  });

  it('a failing product waits for its retry time, then is tried again', () => {
    const failed = (at: string): MirrorEvent => ({
      type: 'VkCommandFailed',
      data: {
        userId,
        productId: 'p1',
        method: 'market.edit',
        errorCode: 10,
        message: 'Internal server error',
        retryable: true,
        at,
        attempt: 1,
        nextRetryAt: new Date(Date.parse(at) + 60_000).toISOString(),
      },
    });
    const price = want([['p1', desired('p1', { priceKopecks: 5_000 })]]);
    const mirrored = state([...album, photo], pushed('p1', 900), [failed('2026-11-28T12:00:00Z')]);
    expect(isEmptyPlan(planMirror(price, mirrored, ctx()))).toBe(true);
    const later = ctx({ now: Date.parse('2026-11-28T12:01:00Z') });
    expect(planMirror(price, mirrored, later).edits).toHaveLength(1);
    // Undone meanwhile: nothing left to retry, the failure is only forgotten.
    expect(planMirror(one, mirrored, later).settledFailures).toEqual([{ productId: 'p1' }]);
    expect(planMirror(price, mirrored, later).settledFailures).toEqual([]);
  });
});
