import { describe, expect, it } from 'vitest';
import type { VkMarketGateway } from '../../src/application/sync/ports.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

const harnesses = useSyncHarnesses('mirror');

const harness = (seed?: Parameters<typeof SyncHarness.start>[1]) => harnesses.start(seed);

/** Products of the seeded store as the simulator has them. */
function evotorProducts(h: SyncHarness) {
  return h.evotor.admin.products(h.storeIds[0]!);
}

describe('the mirror: Evotor catalog → VK Market', () => {
  it('creates exactly the in-scope items, with names, descriptions, prices, albums and the photo', async () => {
    const h = await harness();
    const groups = h.evotor.admin.groups(h.storeIds[0]!);
    const included = groups[0]!;
    await h.fetchEvotor();
    await h.configure(
      { type: 'EnableSync' },
      {
        type: 'SetFilterRule',
        entityType: 'group',
        entityId: included.id,
        entityName: included.name,
        mode: 'include',
        parentEntityId: h.storeIds[0]!,
      },
      { type: 'SetPriceMultiplier', multiplier: '1.5' },
      { type: 'ConfirmSync', storeIds: h.storeIds },
    );
    const reports = await h.pushUntilSettled();
    expect(reports[0]).toMatchObject({ outcome: 'done', failed: 0 });

    const inGroup = (groupId: string | null): boolean => {
      for (let g = groupId; g; g = groups.find((x) => x.id === g)?.parent_id ?? null)
        if (g === included.id) return true;
      return false;
    };
    const wanted = evotorProducts(h).filter((p) => inGroup(p.parent_id ?? null));
    expect(wanted.length).toBeGreaterThan(0);
    const items = h.visibleItems();
    expect(items.map((i) => i.sku).sort()).toEqual(wanted.map((p) => p.id).sort());

    const snapshot = h.vk.admin.snapshot();
    expect(snapshot.photos).toHaveLength(1);
    for (const product of wanted) {
      const item = items.find((i) => i.sku === product.id)!;
      expect(item.title).toBe(product.name.trim().slice(0, 100));
      expect(item.price).toBeCloseTo(Math.round(Math.round(product.price * 100) * 1.5) / 100, 2);
      expect(item.description.length).toBeGreaterThanOrEqual(10);
      if (product.measure_name && !product.description) {
        expect(item.description).toContain(
          `(цена за 1 ${product.measure_name.replace(/\.$/, '')}.)`,
        );
      }
      expect(item.categoryId).toBe(40932);
      expect(item.mainPhotoId).toBe(snapshot.photos[0]!.id);
      const group = groups.find((g) => g.id === product.parent_id)!;
      const album = snapshot.albums.find((a) => a.title === group.name.trim())!;
      expect(item.albumIds).toEqual([album.id]);
    }
    // No album for groups that are not published.
    expect(new Set(snapshot.albums.map((a) => a.title))).toEqual(
      new Set(wanted.map((p) => groups.find((g) => g.id === p.parent_id)!.name.trim())),
    );
  });

  it('follows price changes, removals, filter and multiplier changes — and does nothing when nothing changed', async () => {
    const h = await harness();
    await h.fetchEvotor();
    await h.enableAndConfirm();
    await h.pushUntilSettled();
    const [first, second, third] = evotorProducts(h).filter((p) => p.allow_to_sell);
    h.vk.admin.resetCallLog();

    // unchanged catalog: no writes at all
    await h.fetchEvotor();
    expect((await h.push()).outcome).toBe('nothing_to_do');
    expect(h.writeCalls()).toEqual({});

    // a price change: exactly one market.edit, with the new price
    h.evotor.admin.changeProduct(h.storeIds[0]!, first!.id, { price: 777.77 });
    await h.fetchEvotor();
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.edit': 1 });
    expect(h.visibleItems().find((i) => i.sku === first!.id)!.price).toBe(777.77);

    // removed in Evotor: deleted in VK
    h.vk.admin.resetCallLog();
    h.evotor.admin.removeProduct(h.storeIds[0]!, second!.id);
    await h.fetchEvotor();
    await h.pushUntilSettled();
    expect(h.writeCalls()).toEqual({ 'market.delete': 1 });
    expect(h.visibleItems().some((i) => i.sku === second!.id)).toBe(false);

    // excluding a product hides it; clearing the rule shows it again
    h.vk.admin.resetCallLog();
    await h.configure({
      type: 'SetFilterRule',
      entityType: 'product',
      entityId: third!.id,
      entityName: third!.name,
      mode: 'exclude',
      parentEntityId: null,
    });
    await h.pushUntilSettled();
    expect(h.visibleItems().some((i) => i.sku === third!.id)).toBe(false);
    await h.configure({ type: 'ClearFilterRule', entityType: 'product', entityId: third!.id });
    await h.pushUntilSettled();
    expect(h.visibleItems().some((i) => i.sku === third!.id)).toBe(true);
    expect(h.writeCalls()).toEqual({ 'market.edit': 2 });

    // a multiplier change edits every price, and only prices
    h.vk.admin.resetCallLog();
    const before = h.visibleItems().length;
    await h.configure({ type: 'SetPriceMultiplier', multiplier: '2' });
    const [report] = await h.pushUntilSettled();
    expect(report!.updated).toBe(before);
    expect(h.writeCalls()).toEqual({ 'market.edit': before });
    const edits = h.vk.admin.callLog().entries.flatMap((e) => e.inner ?? []);
    expect(edits.every((c) => c.method === 'market.edit')).toBe(true);
  });

  it('never creates a duplicate when the worker dies between market.add and recording its outcome', async () => {
    const h = await harness({ products: 30 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    // The crash: VK executes the adds, the process dies before their outcomes are appended.
    h.wrapGateway = (g: VkMarketGateway): VkMarketGateway => ({
      ...g,
      fetchAlbums: () => g.fetchAlbums(),
      fetchItems: () => g.fetchItems(),
      uploadProductPhoto: (file, name) => g.uploadProductPhoto(file, name),
      run: async (calls) => {
        const results = await g.run(calls);
        if (calls.some((c) => c.method === 'market.add')) throw new Error('worker killed');
        return results;
      },
    });
    await expect(h.push()).rejects.toThrow('worker killed');
    const afterCrash = h.visibleItems().length;
    expect(afterCrash).toBeGreaterThan(0);

    h.wrapGateway = null;
    const reports = await h.pushUntilSettled();
    expect(reports[0]!.adopted).toBeGreaterThan(0);
    const skus = h.vk.admin.snapshot().items.map((i) => i.sku);
    expect(new Set(skus).size).toBe(skus.length);
    const sellable = evotorProducts(h).length;
    expect(h.vk.admin.snapshot().items).toHaveLength(sellable);
  });

  it('never creates a duplicate when two pushes for one user run at once', async () => {
    const h = await harness({ products: 40 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    // The job lock normally keeps them apart; the create request guard must hold even without it.
    await Promise.allSettled([h.push(), h.push(), h.push()]);
    await h.pushUntilSettled();
    const skus = h.vk.admin.snapshot().items.map((i) => i.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus).toHaveLength(evotorProducts(h).length);
  });

  it('converges to the desired state with errors 6, 9 and 10 injected at random', async () => {
    const h = await harness({ products: 60 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    h.vk.admin.setRandomFaults({ fraction: 0.3, codes: [6, 9, 10], seed: 42 });
    let settled = false;
    for (let run = 0; run < 15 && !settled; run++) {
      const report = await h.push().catch(() => null);
      settled = report?.outcome === 'nothing_to_do';
    }
    h.vk.admin.clearFaults();
    expect(settled).toBe(true);
    const skus = h
      .visibleItems()
      .map((i) => i.sku)
      .sort();
    expect(skus).toEqual(
      evotorProducts(h)
        .map((p) => p.id)
        .sort(),
    );
    const log = h.vk.admin.callLog();
    expect({ ...log.errors, ...log.innerErrors }).not.toEqual({});
  });

  it('pauses on a captcha and shows it, and recreates an item deleted on the VK side', async () => {
    const h = await harness({ products: 10 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    h.vk.admin.addFault({ code: 14, count: 1, method: 'market.add' });
    const paused = await h.push();
    expect(paused.outcome).toBe('paused');
    expect((await h.push()).outcome).toBe('paused');
    const mirror = await harnesses.store.readStream(`vk-mirror-${h.userId}`);
    expect(mirror.some((e) => e.type === 'VkPushPaused')).toBe(true);

    await h.commands.handle(
      (await import('../../src/domain/mirror/decide.js')).mirrorDecider,
      `vk-mirror-${h.userId}`,
      { type: 'ResumeVkPush', userId: h.userId },
      { actor: h.userId },
    );
    await h.pushUntilSettled();
    await h.fetchVk(); // the pipeline's VK fetch has seen the item before it goes
    const victim = h.visibleItems()[0]!;
    h.vk.admin.deleteItem(victim.id, true);
    await h.fetchVk();
    await h.pushUntilSettled();
    const again = h.visibleItems().filter((i) => i.sku === victim.sku);
    expect(again).toHaveLength(1);
    expect(again[0]!.id).not.toBe(victim.id);
  });
});
