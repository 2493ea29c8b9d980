import sharp from 'sharp';

/** VK refuses market photos smaller than this on either side (`ERR_UPLOAD_BAD_IMAGE_SIZE`). */
export const VK_MIN_PHOTO_SIDE = 400;

/**
 * The file as VK's market accepts it: at least 400×400. A smaller image (Evotor keeps
 * 300×300) is enlarged so its shorter side is 400, keeping its proportions (Lanczos, sharp's
 * default); a PNG or JPEG large enough is sent as it is, anything else becomes a PNG.
 */
export async function marketPhotoFile(
  file: Buffer,
  filename: string,
): Promise<{ file: Buffer; filename: string }> {
  const image = sharp(file, { failOn: 'error' });
  const { width, height, format } = await image.metadata();
  if (!width || !height) throw new Error('the image has no size');
  const sendable = format === 'png' || format === 'jpeg';
  if (sendable && Math.min(width, height) >= VK_MIN_PHOTO_SIDE) return { file, filename };
  const scale = Math.max(1, VK_MIN_PHOTO_SIDE / Math.min(width, height));
  const resized = await image
    .resize(Math.ceil(width * scale), Math.ceil(height * scale), { fit: 'fill' })
    .png()
    .toBuffer();
  return { file: resized, filename: filename.replace(/(\.[a-z0-9]+)?$/i, '.png') };
}
