import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvotorClient } from '../../src/infrastructure/evotor/evotor-client.js';
import { readProductImages, sha256 } from '../../src/infrastructure/evotor/images.js';
import { startEvotorSimulator, type EvotorSimulator } from '../../src/simulators/evotor/index.js';

let sim: EvotorSimulator;
let client: EvotorClient;
let storeId: string;
let productIds: string[];

beforeAll(async () => {
  sim = await startEvotorSimulator({
    users: [{ seed: { seed: 3, stores: 1, groups: 2, products: 10, imageShare: 0.5 } }],
  });
  const { token, userId } = sim.users[0]!;
  client = new EvotorClient({ baseUrl: sim.url, token, backoffBaseMs: 5 });
  storeId = sim.admin.storesOf(userId)[0]!.store.id;
  productIds = sim.admin.products(storeId).map((p) => p.id);
});
afterAll(() => sim.stop());

describe('Evotor product images', () => {
  it('lists at most one image per product, a 300×300 PNG whose meta matches the file its url serves', async () => {
    const withImage = productIds.filter((id) => sim.admin.productImage(storeId, id));
    expect(withImage.length).toBeGreaterThan(0);
    expect(withImage.length).toBeLessThan(productIds.length);
    for (const id of productIds) {
      const images = await client.productImages(storeId, id);
      expect(images.length).toBe(withImage.includes(id) ? 1 : 0);
      for (const image of images) {
        const file = await client.downloadImage(image.url);
        expect(image).toMatchObject({
          product_id: id,
          meta: { extension: 'png', file_size: file.length, width: 300, height: 300 },
        });
        expect(await sharp(file).metadata()).toMatchObject({
          format: 'png',
          width: 300,
          height: 300,
        });
      }
    }
  });

  it('downloads an image only when its identity changed, and records the sha256 of its bytes', async () => {
    const id = productIds[0]!;
    sim.admin.setProductImage(storeId, id, { color: '#336699' });
    const first = await readProductImages(client, storeId, [id]);
    const [image] = first.get(id)!;
    const bytes = await client.downloadImage(image!.url);
    expect(image!.sha256).toBe(sha256(bytes));

    sim.admin.clearRequests();
    const again = await readProductImages(client, storeId, [id], () => first.get(id));
    expect(again.get(id)).toEqual(first.get(id));
    expect(sim.admin.countRequests({ path: /^\/images\// })).toBe(0);

    const replaced = sim.admin.setProductImage(storeId, id, { color: '#993366' });
    const changed = await readProductImages(client, storeId, [id], () => first.get(id));
    expect(changed.get(id)![0]).toMatchObject({ evotorId: replaced.id });
    expect(changed.get(id)![0]!.sha256).not.toBe(image!.sha256);

    sim.admin.removeProductImage(storeId, id);
    expect((await readProductImages(client, storeId, [id])).get(id)).toEqual([]);
  });

  it('a product whose image list fails is left out (its recorded images stay), the others are read', async () => {
    const [broken, fine] = productIds;
    sim.admin.addFault({ kind: 'status', status: 404, path: `/products/${broken}/images$` });
    const images = await readProductImages(client, storeId, [broken!, fine!]);
    sim.admin.clearFaults();
    expect(images.has(broken!)).toBe(false);
    expect(images.has(fine!)).toBe(true);
  });

  it('never sends the token to an image outside Evotor’s API origin', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'image/png');
      res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const file = await client.downloadImage(`http://localhost:${port}/cdn/image.png`);
      expect(file.length).toBe(4);
      expect(seen[0]!['x-authorization']).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
