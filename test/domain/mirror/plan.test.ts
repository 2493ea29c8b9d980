import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/shared/decider.js';
import { mirrorDecider } from '../../../src/domain/mirror/decide.js';
import { desiredVkItem } from '../../../src/domain/mirror/desired-item.js';
import type { MirrorEvent } from '../../../src/domain/mirror/events.js';
import { isEmptyPlan, planMirror, type DesiredEntry } from '../../../src/domain/mirror/plan.js';
import { group, product } from '../catalog/fixtures.js';
import { albumCreated, created, desired, userId } from './fixtures.js';

const state = (...events: MirrorEvent[][]) => fold(mirrorDecider, events.flat());
const want = (entries: [string, DesiredEntry][]) => new Map(entries);
const photo: MirrorEvent = { type: 'DefaultPhotoUploaded', data: { userId, photoId: 7 } };

describe('planMirror', () => {
  it('first sync: the album, the default photo and one create per product, in id order', () => {
    const plan = planMirror(
      want([
        ['p2', desired('p2')],
        ['p1', desired('p1')],
      ]),
      state(),
    );
    expect(plan.albumsToCreate).toEqual([{ groupKey: 'g1', title: 'Группа g1' }]);
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
    );
    expect(plan.edits).toEqual([
      {
        productId: 'p1',
        itemId: 900,
        changes: [{ field: 'priceKopecks', from: 10_000, to: 12_990 }],
        item: desired('p1', { priceKopecks: 12_990 }),
      },
    ]);
    expect({ ...plan, edits: [] }).toEqual(planMirror(new Map(), state()));
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
      desiredVkItem(p, g, { priceMultiplier: m }, settings);
    const at = (m: string) => want(products.map((p) => [p.id, item(p, m)]));
    const mirror = state(
      [albumCreated(), photo],
      ...products.map((p, i) => created(p.id, 900 + i, item(p, '1'))),
    );
    const plan = planMirror(at('1.2'), mirror);
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
    );
    expect(plan.deletes).toEqual([{ productId: 'p1', itemId: 900 }]);
    expect(plan.hides).toEqual([]);
  });

  it('a product that leaves the scope is hidden, and restored with its changes when it comes back', () => {
    const base = state([albumCreated(), photo], created('p1', 900));
    expect(planMirror(want([['p1', null]]), base).hides).toEqual([
      { productId: 'p1', itemId: 900 },
    ]);

    const hidden = state([albumCreated(), photo], created('p1', 900), [
      { type: 'VkItemHidden', data: { userId, productId: 'p1', itemId: 900 } },
    ]);
    expect(isEmptyPlan(planMirror(want([['p1', null]]), hidden))).toBe(true);
    const back = planMirror(want([['p1', desired('p1', { name: 'Новое имя' })]]), hidden);
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
    const plan = planMirror(want([['p1', desired('p1')]]), state([albumCreated(), photo, pending]));
    expect(plan.adopts).toEqual([{ productId: 'p1', sku: 'p1', requestId: 'p1#1' }]);
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
    const [edit] = planMirror(want([['p1', desired('p1')]]), adopted).edits;
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
    ]);
  });

  it('an item deleted on the VK side is created again with a new request', () => {
    const plan = planMirror(
      want([['p1', desired('p1')]]),
      state([albumCreated(), photo], created('p1', 900)),
      {
        goneItemIds: new Set([900]),
      },
    );
    expect(plan.recreates).toEqual([
      { productId: 'p1', previousItemId: 900, requestId: 'p1#2', item: desired('p1') },
    ]);
    expect(plan.edits).toEqual([]);
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
    );
    expect(plan.albumsToCreate).toEqual([{ groupKey: 'g2', title: 'Новая' }]);
    expect(plan.albumsToRename).toEqual([{ groupKey: 'g1', albumId: 50, title: 'Группа 1' }]);
    expect(plan.edits.map((e) => [e.productId, e.changes])).toEqual([
      ['p1', [{ field: 'albumKey', from: 'g1', to: 'g2' }]],
    ]);
    expect(plan.needsDefaultPhoto).toBe(false);
  });
});
