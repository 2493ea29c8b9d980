/**
 * Issue 11's findings, each against the VK simulator over HTTP and the MariaDB event store:
 * hand edits in VK repaired, albums crash-safe, failed pushes retried later without an Evotor
 * change. Issue 12.3 / 12.6: a failing record and a second pusher stop the push cleanly.
 */
import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../src/application/commands/command-handler.js';
import type { VkMarketGateway } from '../../src/application/sync/ports.js';
import { mirrorNeedsPush } from '../../src/application/sync/mirror-attention.js';
import type { MirrorEvent } from '../../src/domain/mirror/events.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

const harnesses = useSyncHarnesses('repair');

/** A first sync done and seen by a VK fetch that began after it (as the pipeline's next run). */
async function synced(seed: Parameters<typeof SyncHarness.start>[1] = { products: 20 }) {
  const h = await harnesses.start(seed);
  await h.fetchEvotor();
  await h.enableAndConfirm();
  await h.pushUntilSettled();
  h.advance(1_000);
  await h.fetchVk();
  expect((await h.push()).outcome).toBe('nothing_to_do');
  return h;
}

/** The pipeline's next run: a VK fetch that sees the hand edits, then pushes until settled. */
async function nextRun(h: SyncHarness) {
  h.advance(1_000);
  await h.fetchVk();
  return h.pushUntilSettled();
}

const mirrorEvents = async (h: SyncHarness) =>
  (await harnesses.store.readStream(`vk-mirror-${h.userId}`)).map(
    (e) => ({ type: e.type, data: e.data }) as MirrorEvent,
  );

/** Our albums in VK and which live items each holds. */
function albums(h: SyncHarness) {
  const snapshot = h.vk.admin.snapshot();
  return snapshot.albums
    .filter((a) => a.ownerId === -h.vkGroupId)
    .map((a) => ({
      title: a.title,
      id: a.id,
      items: h.visibleItems().filter((i) => i.albumIds.includes(a.id)).length,
    }));
}

/** Every live item is in the album of its Evotor group and in no other of ours (root: none). */
function everyItemInOneAlbum(h: SyncHarness) {
  const ours = new Map(albums(h).map((a) => [a.id, a.title]));
  const products = h.evotor.admin.products(h.storeIds[0]!);
  const groups = h.evotor.admin.groups(h.storeIds[0]!);
  return h.visibleItems().every((item) => {
    const product = products.find((p) => p.id === item.sku);
    const group = groups.find((g) => g.id === product?.parent_id);
    const titles = item.albumIds.flatMap((a) => (ours.has(a) ? [ours.get(a)] : []));
    return JSON.stringify(titles) === JSON.stringify(group ? [group.name.trim()] : []);
  });
}

describe('hand edits in VK are repaired (issue 11, finding 1)', () => {
  it('a price changed by hand in VK is set back, and the mirror says which field and why', async () => {
    const h = await synced();
    const victim = h.visibleItems()[0]!;
    const price = victim.price;
    h.vk.admin.changeItem(victim.id, { price: 1.23 });
    h.vk.admin.resetCallLog();
    await nextRun(h);
    expect(h.vk.admin.item(victim.id)!.price).toBe(price);
    expect(h.writeCalls()).toEqual({ 'market.edit': 1 });
    const repaired = (await mirrorEvents(h)).find(
      (e) => e.type === 'VkItemUpdated' && (e.data.reasserted ?? []).length > 0,
    );
    expect(repaired?.data).toMatchObject({
      itemId: victim.id,
      reasserted: [{ field: 'priceKopecks', seen: 123 }],
    });
    // Repaired once: the next runs see VK as pushed and write nothing.
    h.vk.admin.resetCallLog();
    await nextRun(h);
    expect(h.writeCalls()).toEqual({});
  });

  it('a main photo replaced by hand is set back; with photos left to VK it stays', async () => {
    const h = await synced();
    const [first, second] = h.visibleItems();
    const photo = first!.mainPhotoId;
    const other = h.vk.admin.snapshot().photos[0]!.id + 1;
    h.vk.admin.changeItem(first!.id, { mainPhotoId: other });
    await nextRun(h);
    expect(h.vk.admin.item(first!.id)!.mainPhotoId).toBe(photo);

    await h.configure({ type: 'SetFieldOwnership', field: 'photos', owner: 'vk' });
    h.vk.admin.changeItem(second!.id, { mainPhotoId: other });
    h.vk.admin.resetCallLog();
    await nextRun(h);
    expect(h.vk.admin.item(second!.id)!.mainPhotoId).toBe(other);
    expect(h.writeCalls()).toEqual({});
  });

  it('an item deleted by hand in VK is created again, once', async () => {
    const h = await synced();
    const [hard, soft] = h.visibleItems();
    h.vk.admin.deleteItem(hard!.id, true);
    h.vk.admin.deleteItem(soft!.id, false);
    await nextRun(h);
    for (const victim of [hard!, soft!]) {
      const again = h.visibleItems().filter((i) => i.sku === victim.sku);
      expect(again).toHaveLength(1);
      expect(again[0]!.id).not.toBe(victim.id);
    }
    expect(h.visibleItems()).toHaveLength(20);
    expect(everyItemInOneAlbum(h)).toBe(true);
  });

  it('an album deleted by hand is created again and its items are put back', async () => {
    const h = await synced();
    const before = albums(h);
    const victim = before.find((a) => a.items > 0)!;
    h.vk.admin.deleteAlbum(victim.id);
    await nextRun(h);
    const after = albums(h);
    expect(after.map((a) => [a.title, a.items]).sort()).toEqual(
      before.map((a) => [a.title, a.items]).sort(),
    );
    expect(after.find((a) => a.title === victim.title)!.id).not.toBe(victim.id);
    expect(everyItemInOneAlbum(h)).toBe(true);
  });

  it('an item taken out of its album by hand is put back', async () => {
    const h = await synced();
    const victim = h.visibleItems()[0]!;
    h.vk.admin.removeFromAlbum(victim.id, victim.albumIds[0]!);
    await nextRun(h);
    expect(h.vk.admin.item(victim.id)!.albumIds).toEqual(victim.albumIds);
    expect(
      (await mirrorEvents(h)).some((e) => e.type === 'VkItemAddedToAlbum' && e.data.reasserted),
    ).toBe(true);
  });
});

describe('albums are crash-safe (issue 11, finding 2)', () => {
  const crashing =
    (when: (method: string) => 'before' | 'after' | null) =>
    (g: VkMarketGateway): VkMarketGateway => ({
      fetchAlbums: () => g.fetchAlbums(),
      fetchItems: () => g.fetchItems(),
      uploadProductPhoto: (file, name) => g.uploadProductPhoto(file, name),
      postProductPhoto: (url, file, name) => g.postProductPhoto(url, file, name),
      run: async (calls) => {
        const at = calls.map((c) => when(c.method)).find((w) => w !== null);
        if (at === 'before') throw new Error('worker killed');
        const results = await g.run(calls);
        if (at === 'after') throw new Error('worker killed');
        return results;
      },
    });

  it('a crash after market.addAlbum makes no second album', async () => {
    const h = await harnesses.start({ groups: 4, products: 20 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    h.wrapGateway = crashing((m) => (m === 'market.addAlbum' ? 'after' : null));
    await expect(h.push()).rejects.toThrow('worker killed');
    const made = albums(h).length;
    expect(made).toBeGreaterThan(0);
    h.wrapGateway = null;
    await h.pushUntilSettled();
    expect(albums(h)).toHaveLength(made);
    expect(new Set(albums(h).map((a) => a.title)).size).toBe(made);
    expect(everyItemInOneAlbum(h)).toBe(true);
    expect((await mirrorEvents(h)).filter((e) => e.type === 'VkAlbumAdopted')).toHaveLength(made);
  });

  it('a crash before market.addToAlbum is repaired by the next push', async () => {
    const h = await harnesses.start({ products: 20 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    h.wrapGateway = crashing((m) => (m === 'market.addToAlbum' ? 'before' : null));
    await expect(h.push()).rejects.toThrow('worker killed');
    expect(h.visibleItems()).toHaveLength(20);
    expect(h.visibleItems().every((i) => i.albumIds.length === 0)).toBe(true);
    expect(everyItemInOneAlbum(h)).toBe(false);
    h.wrapGateway = null;
    const [report] = await h.pushUntilSettled();
    expect(report!.outcome).toBe('done');
    expect(everyItemInOneAlbum(h)).toBe(true);
  });

  it('a lasting error 10 on market.addToAlbum is retried after its delay until the items are in', async () => {
    const h = await harnesses.start({ products: 20 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    h.vk.admin.addFault({ code: 10, count: 10_000, method: 'market.addToAlbum' });
    const failed = await h.push();
    expect(failed.failed).toBeGreaterThan(0);
    expect(failed.nextRetryAt).not.toBeNull();
    expect(h.visibleItems().some((i) => i.albumIds.length === 0)).toBe(true);
    // No hot loop: nothing is tried again before the retry time.
    expect((await h.push()).outcome).toBe('nothing_to_do');
    h.vk.admin.clearFaults();
    h.advance(61_000);
    expect(await mirrorNeedsPush(harnesses.store, h.userId, h.clock())).toBe('failures_due');
    await h.pushUntilSettled();
    expect(everyItemInOneAlbum(h)).toBe(true);
    expect(await mirrorNeedsPush(harnesses.store, h.userId, h.clock())).toBeNull();
  });
});

describe('a failed push is retried later without an Evotor change (issue 11, finding 3)', () => {
  it('a failing market.edit waits 1, 5, 30 minutes, shows its reason, and goes through when VK recovers', async () => {
    const h = await synced();
    const product = h.evotor.admin.products(h.storeIds[0]!)[0]!;
    h.evotor.admin.changeProduct(h.storeIds[0]!, product.id, { price: 555.55 });
    await h.fetchEvotor();
    h.vk.admin.addFault({ code: 10, count: 10_000, method: 'market.edit' });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const report = await h.push();
      expect(report.failed).toBe(1);
      delays.push(Date.parse(report.nextRetryAt!) - h.clock().getTime());
      expect((await h.push()).outcome).toBe('nothing_to_do');
      h.advance(Date.parse(report.nextRetryAt!) - h.clock().getTime());
    }
    expect(delays.map((d) => Math.round(d / 60_000))).toEqual([1, 5, 30]);
    // From the fourth failure on, the product waits for the pipeline's next push.
    const fourth = await h.push();
    expect(fourth).toMatchObject({ failed: 1, nextRetryAt: null });
    expect(await mirrorNeedsPush(harnesses.store, h.userId, h.clock())).toBe('failures_due');
    const failure = (await mirrorEvents(h)).filter((e) => e.type === 'VkCommandFailed').at(-1);
    expect(failure?.data).toMatchObject({ productId: product.id, errorCode: 10, attempt: 4 });

    h.vk.admin.clearFaults();
    await h.pushUntilSettled();
    expect(h.visibleItems().find((i) => i.sku === product.id)!.price).toBe(555.55);
    expect(await mirrorNeedsPush(harnesses.store, h.userId, h.clock())).toBeNull();
  });
});

describe('the push stops cleanly (issue 12.3, 12.6)', () => {
  it('a record failing while the next chunk is in flight ends the push with that error, no unhandled rejection, no further chunk', async () => {
    const h = await harnesses.start({ products: 120 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    const failing = new CommandHandler(harnesses.store, { clock: h.clock });
    const real = failing.handleManyAt.bind(failing);
    failing.handleManyAt = (async (...args: Parameters<typeof real>) => {
      if ((args[3] as Array<{ type: string }>).some((c) => c.type === 'RecordVkItemCreated')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('event store lost');
      }
      return real(...args);
    }) as typeof failing.handleManyAt;
    // market.add answers slowly, so the first chunk's record fails while the second is in flight.
    const vk = await h.gateway();
    const slow: VkMarketGateway = {
      fetchAlbums: () => vk.fetchAlbums(),
      fetchItems: () => vk.fetchItems(),
      uploadProductPhoto: (f, n) => vk.uploadProductPhoto(f, n),
      postProductPhoto: (u, f, n) => vk.postProductPhoto(u, f, n),
      run: async (calls) => {
        if (calls.some((c) => c.method === 'market.add'))
          await new Promise((resolve) => setTimeout(resolve, 200));
        return vk.run(calls);
      },
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(h.push({ commands: failing, gateway: slow })).rejects.toThrow(
        'event store lost',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    // The chunk in flight was answered; no third was sent. The next push adopts them by sku.
    expect(h.vk.admin.callLog().calls['market.add']).toBe(100);
    await h.pushUntilSettled();
    const skus = h.vk.admin.snapshot().items.map((i) => i.sku);
    expect(new Set(skus).size).toBe(120);
    expect(skus).toHaveLength(120);
  });

  it('a second pusher (the lock lost) makes the first stop as superseded instead of interleaving', async () => {
    const h = await harnesses.start({ products: 30 });
    await h.fetchEvotor();
    await h.enableAndConfirm();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let blocked!: () => void;
    const isBlocked = new Promise<void>((resolve) => (blocked = resolve));
    const real = await h.gateway();
    const slow: VkMarketGateway = {
      ...real,
      fetchAlbums: () => real.fetchAlbums(),
      fetchItems: () => real.fetchItems(),
      uploadProductPhoto: (f, n) => real.uploadProductPhoto(f, n),
      run: async (calls) => {
        // The first pusher stalls in its first VK call (as a worker whose lock connection drops).
        blocked();
        await held;
        return real.run(calls);
      },
    };
    const first = h.push({ gateway: slow });
    await isBlocked;
    const second = await h.push();
    expect(second.outcome).toBe('done');
    release();
    const report = await first;
    expect(report.outcome).toBe('superseded');
    await h.pushUntilSettled();
    const skus = h.vk.admin.snapshot().items.map((i) => i.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus).toHaveLength(30);
    // The stalled pusher sent no item after it woke: its stale plan was never acted on.
    expect(h.vk.admin.callLog().calls['market.add']).toBe(30);
  });
});
