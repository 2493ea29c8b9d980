import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { storeCatalogStream } from '../../src/domain/catalog/events.js';
import { mirrorStream } from '../../src/domain/mirror/events.js';
import { imagePng } from '../../src/simulators/evotor/index.js';
import { productTimeline } from '../../src/web/history/timeline.js';
import { listedImageIds, moveClockOutOfSweep, moveClockToSweepOf } from '../support/image-sweep.js';
import type { SyncHarness } from '../support/sync-harness.js';
import { useSyncHarnesses } from '../support/sync-harnesses.js';

const harnesses = useSyncHarnesses('photos');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A shop of 6 products, two of them with an image of a known colour, synced once. */
async function syncedShop() {
  const h = await harnesses.start({ products: 6, groups: 2, seed: 16 });
  const storeId = h.storeIds[0]!;
  const [red, blue, plain] = h.evotor.admin.products(storeId);
  h.evotor.admin.setProductImage(storeId, red!.id, { color: '#ff0000' });
  h.evotor.admin.setProductImage(storeId, blue!.id, { color: '#0000ff' });
  await h.fetchEvotor();
  await h.enableAndConfirm();
  await h.fetchVk();
  const first = await h.pushUntilSettled();
  const itemOf = (productId: string) => {
    const item = h.visibleItems().find((i) => i.sku === productId);
    if (!item) throw new Error(`no VK item for ${productId}`);
    return item;
  };
  return { h, storeId, red: red!, blue: blue!, plain: plain!, first, itemOf };
}

/** The main photo of an item: its size and the colour in its middle, from the uploaded file. */
async function mainPhoto(h: SyncHarness, photoId: number | null) {
  const photo = photoId === null ? undefined : h.vk.admin.photo(photoId);
  if (!photo?.file) throw new Error(`no uploaded file for photo ${photoId}`);
  const { data, info } = await sharp(photo.file).raw().toBuffer({ resolveWithObject: true });
  const middle =
    (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return {
    id: photo.id,
    width: photo.width,
    height: photo.height,
    color: `#${hex(data[middle]!)}${hex(data[middle + 1]!)}${hex(data[middle + 2]!)}`,
  };
}

async function mirrorEvents(h: SyncHarness, type: string) {
  const events = await harnesses.store.readStream(mirrorStream(h.userId));
  return events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
}

describe('photos from Evotor', () => {
  it('a product with a 300×300 image becomes a VK item with that image as its main photo, at 400×400 or more', async () => {
    const { h, storeId, red, blue, plain, first, itemOf } = await syncedShop();
    expect(first[0]).toMatchObject({ outcome: 'done', failed: 0, photosUploaded: 2 });

    // The catalog records the image by the sha256 of the bytes Evotor serves.
    const redImage = h.evotor.admin.productImage(storeId, red.id)!;
    expect(redImage).toMatchObject({ width: 300, height: 300 });
    const catalog = await harnesses.store.readStream(storeCatalogStream(h.userId, storeId));
    const added = catalog.find(
      (e) =>
        e.type === 'ProductAdded' && (e.data as { product: { id: string } }).product.id === red.id,
    )!.data as { product: { images: Array<{ sha256: string; width: number }> } };
    expect(added.product.images).toEqual([
      expect.objectContaining({ sha256: sha256(await imagePng(redImage)), width: 300 }),
    ]);

    const redPhoto = await mainPhoto(h, itemOf(red.id).mainPhotoId);
    const bluePhoto = await mainPhoto(h, itemOf(blue.id).mainPhotoId);
    expect(redPhoto).toMatchObject({ color: '#ff0000' });
    expect(bluePhoto).toMatchObject({ color: '#0000ff' });
    for (const photo of [redPhoto, bluePhoto]) {
      expect(photo.width).toBeGreaterThanOrEqual(400);
      expect(photo.height).toBeGreaterThanOrEqual(400);
    }
    // A product without an image shows the default photo, shared by every such item.
    const [defaultPhoto] = await mirrorEvents(h, 'DefaultPhotoUploaded');
    expect(itemOf(plain.id).mainPhotoId).toBe(defaultPhoto!.photoId);
    expect([redPhoto.id, bluePhoto.id]).not.toContain(defaultPhoto!.photoId);
  });

  it('an unchanged re-run downloads and uploads nothing', async () => {
    const { h, storeId, red } = await syncedShop();
    const ids = h.evotor.admin.products(storeId).map((p) => p.id);
    const uploads = h.vk.admin.uploadCount();
    moveClockOutOfSweep(h, ids);
    h.evotor.admin.clearRequests();
    h.vk.admin.resetCallLog();

    await h.fetchEvotor();
    await h.fetchVk();
    const report = await h.push();

    expect(report.outcome).toBe('nothing_to_do');
    expect(h.vk.admin.uploadCount()).toBe(uploads);
    expect(h.writeCalls()).toEqual({});
    // Nothing changed and no product is due for the sweep: no image list is read at all.
    expect(h.evotor.admin.countRequests({ path: /\/images$/ })).toBe(0);
    expect(h.evotor.admin.countRequests({ path: /^\/images\// })).toBe(0);

    // When the sweep reaches a product its list is read; the unchanged image is not downloaded.
    moveClockToSweepOf(h, red.id);
    h.evotor.admin.clearRequests();
    await h.fetchEvotor();
    expect(listedImageIds(h)).toContain(red.id);
    expect(h.evotor.admin.countRequests({ path: /^\/images\// })).toBe(0);
    expect((await h.push()).outcome).toBe('nothing_to_do');
  });

  it('a changed image replaces exactly that photo', async () => {
    const { h, storeId, red, blue, plain, itemOf } = await syncedShop();
    const before = {
      red: itemOf(red.id).mainPhotoId,
      blue: itemOf(blue.id).mainPhotoId,
      plain: itemOf(plain.id).mainPhotoId,
    };
    const uploads = h.vk.admin.uploadCount();
    h.evotor.admin.setProductImage(storeId, red.id, { color: '#00ff00' });
    h.vk.admin.resetCallLog();
    // The product itself did not change: the image is read when the sweep reaches it.
    moveClockToSweepOf(h, red.id);

    await h.fetchEvotor();
    const reports = await h.pushUntilSettled();

    expect(reports[0]).toMatchObject({ outcome: 'done', photosUploaded: 1, updated: 1, failed: 0 });
    expect(h.vk.admin.uploadCount()).toBe(uploads + 1);
    expect(h.writeCalls()['market.edit']).toBe(1);
    const now = await mainPhoto(h, itemOf(red.id).mainPhotoId);
    expect(now.id).not.toBe(before.red);
    expect(now.color).toBe('#00ff00');
    expect(itemOf(blue.id).mainPhotoId).toBe(before.blue);
    expect(itemOf(plain.id).mainPhotoId).toBe(before.plain);
  });

  it('an image that cannot be downloaded fails on its own product: the other fields still sync, the photo follows later', async () => {
    const { h, storeId, red, itemOf } = await syncedShop();
    const photoBefore = itemOf(red.id).mainPhotoId;
    h.evotor.admin.setProductImage(storeId, red.id, { color: '#ffff00' });
    h.evotor.admin.changeProduct(storeId, red.id, { price: 4321.5 });
    await h.fetchEvotor();
    // Evotor stops serving image files after the fetch recorded the new one.
    h.evotor.admin.addFault({ kind: 'status', status: 500, path: '^/images/' });

    const failing = await h.push();

    expect(failing).toMatchObject({ outcome: 'done', updated: 1, photosUploaded: 0 });
    // The push job enqueues the photo's retry at that time.
    expect(Date.parse(failing.nextRetryAt!) - Date.now()).toBeGreaterThan(50_000);
    const item = itemOf(red.id);
    expect(item.price).toBe(4321.5); // the price went out
    expect(item.mainPhotoId).toBe(photoBefore); // the last photo stays
    const failures = await mirrorEvents(h, 'VkPhotoFailed');
    expect(failures).toEqual([
      expect.objectContaining({ productId: red.id, stage: 'download', attempt: 1 }),
    ]);
    const history = await productTimeline(harnesses.store, h.userId, storeId, red.id);
    expect(history).toContainEqual(
      expect.objectContaining({ title: 'Фото не скачалось из Эвотор', failed: true }),
    );
    // Until its retry time the photo waits; nothing else is sent.
    expect((await h.push()).outcome).toBe('nothing_to_do');

    h.evotor.admin.clearFaults();
    h.advance(61_000);
    const retried = await h.pushUntilSettled();
    expect(retried[0]).toMatchObject({ outcome: 'done', photosUploaded: 1, failed: 0 });
    expect((await mainPhoto(h, itemOf(red.id).mainPhotoId)).color).toBe('#ffff00');
  });

  it('a new product whose image fails is created with the default photo', async () => {
    const { h, storeId } = await syncedShop();
    const product = h.evotor.admin.addProduct(storeId, { name: 'Новый товар с фото', price: 99 });
    h.evotor.admin.setProductImage(storeId, product.id, { color: '#123456' });
    await h.fetchEvotor();
    h.evotor.admin.addFault({ kind: 'status', status: 500, path: '^/images/' });

    const report = await h.push();

    expect(report).toMatchObject({ outcome: 'done', created: 1 });
    const [defaultPhoto] = await mirrorEvents(h, 'DefaultPhotoUploaded');
    const item = h.visibleItems().find((i) => i.sku === product.id)!;
    expect(item.mainPhotoId).toBe(defaultPhoto!.photoId);
    expect(await mirrorEvents(h, 'VkPhotoFailed')).toHaveLength(1);
  });

  it('photos left to VK: an image changed in Evotor is not sent, photos added in VK stay', async () => {
    const { h, storeId, red, itemOf } = await syncedShop();
    await h.configure({ type: 'SetFieldOwnership', field: 'photos', owner: 'vk' });
    const item = itemOf(red.id);
    const handAdded = h.vk.admin.snapshot().photos.find((p) => p.id !== item.mainPhotoId)!;
    h.vk.admin.changeItem(item.id, { photoIds: [handAdded.id] });
    h.evotor.admin.setProductImage(storeId, red.id, { color: '#00ffff' });
    const uploads = h.vk.admin.uploadCount();
    moveClockToSweepOf(h, red.id);

    const fetched = await h.fetchEvotor();
    expect(fetched.changes).toBeGreaterThan(0); // the catalog has the new image
    await h.fetchVk();
    const report = await h.push();

    expect(report.outcome).toBe('nothing_to_do');
    expect(h.vk.admin.uploadCount()).toBe(uploads);
    expect(itemOf(red.id)).toMatchObject({
      mainPhotoId: item.mainPhotoId,
      photoIds: [handAdded.id],
    });
  });
});
