import { createHash } from 'node:crypto';
import { inTurns } from '../../application/sync/in-turns.js';
import type { KnownImages, ProductImageSource } from '../../application/sync/ports.js';
import type { CatalogImage } from '../../domain/catalog/events.js';
import { EvotorAuthError, EvotorPaymentRequiredError } from './errors.js';
import type { EvotorClient } from './evotor-client.js';
import type { EvotorProductImage } from './types.js';

/**
 * Image lists read at once per store. Evotor has no image field in the product list, so a
 * fetch asks once per product it lists the images of (new, changed and the sweep's slice, see
 * application/sync/image-listing.ts; all on a first fetch); a few at a time keep a shop of
 * thousands of products from taking minutes while staying far below Evotor's rate limit (the
 * client waits on a 429).
 */
export const IMAGE_LIST_CONCURRENCY = 8;

/** VK takes a main photo and 4 more. */
const MAX_IMAGES = 5;

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Evotor's identity of an image: while it is unchanged, its bytes are not downloaded again. */
function sameIdentity(known: CatalogImage, image: EvotorProductImage): boolean {
  return (
    known.evotorId === image.id &&
    known.url === image.url &&
    known.fileSize === (image.meta?.file_size ?? 0) &&
    known.width === (image.meta?.width ?? 0) &&
    known.height === (image.meta?.height ?? 0)
  );
}

async function catalogImage(
  client: EvotorClient,
  image: EvotorProductImage,
  known: readonly CatalogImage[],
): Promise<CatalogImage> {
  const same = known.find((k) => sameIdentity(k, image));
  if (same) return same;
  const bytes = await client.downloadImage(image.url);
  return {
    sha256: sha256(bytes),
    evotorId: image.id,
    url: image.url,
    fileSize: image.meta?.file_size ?? 0,
    width: image.meta?.width ?? 0,
    height: image.meta?.height ?? 0,
  };
}

/**
 * Each product's images (main first, at most VK's 5), by product id. A product whose list or
 * download failed is left out: its recorded images stay until a later fetch reads them. A
 * refused token or an unpaid store still stops the whole fetch.
 */
export async function readProductImages(
  client: EvotorClient,
  storeId: string,
  productIds: readonly string[],
  known: KnownImages = () => undefined,
  concurrency = IMAGE_LIST_CONCURRENCY,
): Promise<Map<string, CatalogImage[]>> {
  const result = new Map<string, CatalogImage[]>();
  await inTurns(productIds, concurrency, async (productId) => {
    try {
      const listed = (await client.productImages(storeId, productId)).slice(0, MAX_IMAGES);
      const images: CatalogImage[] = [];
      for (const image of listed)
        images.push(await catalogImage(client, image, known(productId) ?? []));
      result.set(productId, images);
    } catch (error) {
      if (error instanceof EvotorAuthError || error instanceof EvotorPaymentRequiredError)
        throw error;
    }
  });
  return result;
}

/** The push's way to an image's bytes: through the user's Evotor client. */
export class EvotorProductImages implements ProductImageSource {
  constructor(private readonly client: EvotorClient) {}

  download(url: string): Promise<Buffer> {
    return this.client.downloadImage(url);
  }
}
