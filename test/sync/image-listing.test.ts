import { describe, expect, it } from 'vitest';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { inHourlySweep, listedImageIds, moveClockOutOfSweep } from '../support/image-sweep.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

const harnesses = useSyncHarnesses('image_listing');

const HOUR_MS = 3600_000;

/** A shop of 30 products, a third with an image, fetched once (every image list read). */
async function fetchedShop() {
  const h = await harnesses.start({ products: 30, groups: 3, seed: 41, imageShare: 0.3 });
  const storeId = h.storeIds[0]!;
  const ids = h.evotor.admin.products(storeId).map((p) => p.id);
  await h.fetchEvotor();
  expect(listedImageIds(h)).toEqual([...ids].sort());
  h.evotor.admin.clearRequests();
  const withImage = ids.filter((id) => h.evotor.admin.productImage(storeId, id));
  return { h, storeId, ids, withImage };
}

/** The images recorded for a product, as the catalog stream's events left them. */
async function recordedImageIds(h: SyncHarness, storeId: string, productId: string) {
  let images: Array<{ evotorId: string }> = [];
  for (const event of await harnesses.store.readStream(storeCatalogStream(h.userId, storeId))) {
    const data = event.data as {
      product?: { id: string; images?: typeof images };
      productId?: string;
      changes?: Array<{ field: string; to: unknown }>;
    };
    if (event.type === 'ProductAdded' && data.product?.id === productId)
      images = data.product.images ?? [];
    if (event.type === 'ProductChanged' && data.productId === productId)
      for (const c of data.changes ?? [])
        if (c.field === 'images') images = (c.to as typeof images | undefined) ?? [];
  }
  return images.map((i) => i.evotorId);
}

describe('Evotor image lists: new or changed products and a rolling sweep', () => {
  it('an unchanged resync lists the images of the sweep’s slice only, and downloads nothing', async () => {
    const { h, ids } = await fetchedShop();

    moveClockOutOfSweep(h, ids);
    const quiet = await h.fetchEvotor();
    expect(quiet).toMatchObject({ changes: 0, imageLists: { changed: 0, swept: 0 } });
    expect(h.evotor.admin.countRequests({ path: /\/images$/ })).toBe(0);

    // Each hour the window moves on: exactly the products whose phase it passed are listed.
    let swept = 0;
    for (let hour = 0; hour < 3; hour++) {
      h.advance(HOUR_MS);
      h.evotor.admin.clearRequests();
      const at = h.clock();
      const run = await h.fetchEvotor();
      const due = ids.filter((id) => inHourlySweep(at, id)).sort();
      expect(listedImageIds(h)).toEqual(due);
      expect(run).toMatchObject({ changes: 0, imageLists: { changed: 0, swept: due.length } });
      expect(h.evotor.admin.countRequests({ path: /^\/images\// })).toBe(0);
      swept += due.length;
    }
    expect(swept).toBeGreaterThan(0);
  });

  it('a product whose price changed gets its images listed, out of its sweep, and nothing else', async () => {
    const { h, storeId, ids, withImage } = await fetchedShop();
    const pictured = withImage[0]!;
    const plain = ids.find((id) => !withImage.includes(id))!;
    moveClockOutOfSweep(h, ids);
    h.evotor.admin.changeProduct(storeId, pictured, { price: 777.77 });
    h.evotor.admin.changeProduct(storeId, plain, { price: 12.5 });
    const before = await recordedImageIds(h, storeId, pictured);

    const run = await h.fetchEvotor();

    expect(listedImageIds(h)).toEqual([pictured, plain].sort());
    expect(run.imageLists).toEqual({ changed: 2, swept: 0 });
    // Its image is the same one: not downloaded, still recorded.
    expect(h.evotor.admin.countRequests({ path: /^\/images\// })).toBe(0);
    expect(await recordedImageIds(h, storeId, pictured)).toEqual(before);
    expect(before).toHaveLength(1);
  });

  it('a product whose image changed alone is picked up by the sweep within a day of hourly runs', async () => {
    const { h, storeId, ids } = await fetchedShop();
    const product = ids[7]!;
    moveClockOutOfSweep(h, [product]);
    const image = h.evotor.admin.setProductImage(storeId, product, { color: '#abcdef' });
    const listedAt = new Map<string, number>();

    let pickedUpAt: number | null = null;
    for (let hour = 1; hour <= 24 && pickedUpAt === null; hour++) {
      h.advance(HOUR_MS);
      h.evotor.admin.clearRequests();
      const due = inHourlySweep(h.clock(), product);
      await h.fetchEvotor();
      for (const id of listedImageIds(h)) listedAt.set(id, hour);
      const recorded = await recordedImageIds(h, storeId, product);
      // Recorded exactly when the sweep's window reaches the product, not before.
      expect(recorded.includes(image.id)).toBe(due);
      if (due) pickedUpAt = hour;
    }

    expect(pickedUpAt).not.toBeNull();
    expect(listedAt.get(product)).toBe(pickedUpAt);
  });
});
