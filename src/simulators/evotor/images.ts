import sharp from 'sharp';
import type { EvotorProductImage } from '../../infrastructure/evotor/types.js';
import { Random } from './random.js';

/**
 * A product image as Evotor keeps it: its documentation says at most one per product, a PNG
 * of 300×300 (up to about 5 MB). The simulator draws a plain square of one colour, so a test can
 * tell which image became which VK photo by its colour.
 */
export interface SimImage {
  id: string;
  productId: string;
  /** `#rrggbb` */
  color: string;
  width: number;
  height: number;
  created_at: string;
  updated_at: string;
  /** drawn on first request */
  png: Promise<Buffer> | null;
}

export interface ImageFields {
  color?: string;
  width?: number;
  height?: number;
}

export const EVOTOR_IMAGE_SIDE = 300;

export function newImage(
  productId: string,
  fields: ImageFields,
  stamp: string,
  salt: string,
): SimImage {
  const random = new Random(`${productId}:${salt}`);
  const color = fields.color ?? `#${random.hex(6)}`;
  if (!/^#[0-9a-f]{6}$/i.test(color)) throw new RangeError('color must be #rrggbb');
  const side = (n: number | undefined) => {
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 4000))
      throw new RangeError('width and height: whole pixels, 1…4000');
    return n ?? EVOTOR_IMAGE_SIDE;
  };
  return {
    id: random.uuid(),
    productId,
    color: color.toLowerCase(),
    width: side(fields.width),
    height: side(fields.height),
    created_at: stamp,
    updated_at: stamp,
    png: null,
  };
}

export function imagePng(image: SimImage): Promise<Buffer> {
  image.png ??= sharp({
    create: {
      width: image.width,
      height: image.height,
      channels: 3,
      background: image.color,
    },
  })
    .png()
    .toBuffer();
  return image.png;
}

/** The list item of `GET …/products/{pid}/images`, its `url` on the simulator's origin. */
export async function imageItem(
  image: SimImage,
  storeId: string,
  origin: string,
): Promise<EvotorProductImage & { store_id: string }> {
  const png = await imagePng(image);
  return {
    id: image.id,
    product_id: image.productId,
    store_id: storeId,
    url: `${origin}/images/${encodeURIComponent(storeId)}/${image.id}.png`,
    meta: { extension: 'png', file_size: png.length, width: image.width, height: image.height },
    created_at: image.created_at,
    updated_at: image.updated_at,
  };
}
