/**
 * The push's photo step: the product images its creates and edits need, by content hash, each
 * uploaded to VK once. An image is downloaded from Evotor again (the catalog keeps its hash
 * and URL, not its bytes), checked against the recorded hash, and sent through VK's three steps
 * with the two API calls batched through `execute`: per photo that is 2/25 of an API request
 * plus the file's POST to the upload server. A failure is the photo's own (`VkPhotoFailed`):
 * the item still gets its other fields, with its last photo or, new, the default one.
 */
import { createHash } from 'node:crypto';
import type { MirrorCommand } from '../../domain/mirror/decide.js';
import type { DesiredVkItem, PushedVkItem } from '../../domain/mirror/desired-item.js';
import type { MirrorPlan } from '../../domain/mirror/plan.js';
import type { MirrorState } from '../../domain/mirror/state.js';
import { inTurns } from './in-turns.js';
import type {
  ProductImageSource,
  VkCall,
  VkCallResult,
  VkMarketGateway,
  VkParams,
} from './ports.js';

type Photo = MirrorPlan['photosToUpload'][number];

/** Photos handled together: their bytes are held in memory between download and upload. */
const PHOTOS_PER_ROUND = 50;
/** Downloads from Evotor and POSTs to VK's upload server at once. */
const TRANSFERS_AT_ONCE = 4;

export interface PhotoStepDeps {
  userId: string;
  groupId: number;
  gateway: VkMarketGateway;
  /** the user's Evotor images; absent: no Evotor connection, every photo fails to download */
  images: ProductImageSource | undefined;
  /** the push's chunked sending (captcha and refused tokens stop the push there) */
  send<T>(
    items: T[],
    call: (item: T) => VkCall,
    settle: (item: T, result: VkCallResult) => MirrorCommand[] | null,
    subjects: (item: T) => Array<{ productId?: string }>,
  ): Promise<void>;
  record(commands: MirrorCommand[]): Promise<void>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Uploads the planned photos; resolves to how many VK now has. */
export async function uploadPhotos(deps: PhotoStepDeps, photos: Photo[]): Promise<number> {
  let uploaded = 0;
  for (let i = 0; i < photos.length; i += PHOTOS_PER_ROUND)
    uploaded += await uploadRound(deps, photos.slice(i, i + PHOTOS_PER_ROUND));
  return uploaded;
}

async function uploadRound(deps: PhotoStepDeps, photos: Photo[]): Promise<number> {
  const { userId } = deps;
  const failed = (photo: Photo, stage: 'download' | 'upload', text: string): MirrorCommand => ({
    type: 'RecordVkPhotoFailed',
    userId,
    sha256: photo.sha256,
    productId: photo.productId,
    stage,
    message: text,
  });

  const downloaded = await inTurns(photos, TRANSFERS_AT_ONCE, async (photo) => {
    if (!deps.images) return { photo, error: 'нет подключения к Эвотор' };
    try {
      const file = await deps.images.download(photo.url);
      const hash = createHash('sha256').update(file).digest('hex');
      // Changed at Evotor since the fetch: the next fetch records the new image.
      if (hash !== photo.sha256)
        return { photo, error: 'изображение в Эвотор изменилось после загрузки каталога' };
      return { photo, file };
    } catch (error) {
      return { photo, error: `Эвотор не отдал изображение: ${message(error)}` };
    }
  });
  await deps.record(
    downloaded.flatMap((d) => ('error' in d ? [failed(d.photo, 'download', d.error!)] : [])),
  );
  const files = downloaded.flatMap((d) =>
    'file' in d ? [d as { photo: Photo; file: Buffer }] : [],
  );

  const servers = new Map<Photo, string>();
  await deps.send(
    files,
    () => ({ method: 'market.getProductPhotoUploadServer', params: { group_id: deps.groupId } }),
    (f, result) => {
      if (!result.ok) return [failed(f.photo, 'upload', `VK: ${result.error.message}`)];
      servers.set(f.photo, (result.value as { upload_url: string }).upload_url);
      return [];
    },
    (f) => [{ productId: f.photo.productId }],
  );

  const posted = await inTurns(
    files.filter((f) => servers.has(f.photo)),
    TRANSFERS_AT_ONCE,
    async ({ photo, file }) => {
      try {
        const name = `${photo.sha256.slice(0, 16)}.png`;
        return { photo, raw: await deps.gateway.postProductPhoto(servers.get(photo)!, file, name) };
      } catch (error) {
        return { photo, error: message(error) };
      }
    },
  );
  await deps.record(
    posted.flatMap((p) => ('error' in p ? [failed(p.photo, 'upload', p.error!)] : [])),
  );

  let uploaded = 0;
  await deps.send(
    posted.flatMap((p) => ('raw' in p ? [p as { photo: Photo; raw: string }] : [])),
    (p) => ({ method: 'market.saveProductPhoto', params: { upload_response: p.raw } }),
    (p, result) => {
      if (!result.ok) return [failed(p.photo, 'upload', `VK: ${result.error.message}`)];
      uploaded++;
      const photoId = (result.value as { photo_id: number }).photo_id;
      const { sha256, productId } = p.photo;
      return [{ type: 'RecordVkPhotoUploaded', userId, sha256, photoId, productId }];
    },
    (p) => [{ productId: p.photo.productId }],
  );
  return uploaded;
}

/**
 * The item as it can be sent now, when VK has not got one of its photos (a failed upload): an
 * existing item keeps the photos it shows (`last`), a new one gets its photos up to the
 * missing one, so the main photo is never one of the others; none left: the default photo.
 */
export function withUploadedPhotos(
  item: DesiredVkItem,
  uploaded: ReadonlyMap<string, number>,
  last?: readonly string[],
): DesiredVkItem {
  const missing = item.photos.findIndex((sha) => !uploaded.has(sha));
  if (missing < 0) return item;
  return { ...item, photos: last ? [...last] : item.photos.slice(0, missing) };
}

/**
 * `main_photo_id` (the first image, else the default photo) and, for several images, the rest
 * as `photo_ids`. One image leaves `photo_ids` out: photos the owner added in VK stay.
 */
export function photoParams(item: PushedVkItem, state: MirrorState): VkParams {
  const ids = item.photos.map((sha) => state.photos.get(sha)).filter((id) => id !== undefined);
  const main = ids[0] ?? state.defaultPhotoId;
  return {
    ...(main !== null ? { main_photo_id: main } : {}),
    ...(ids.length > 1 ? { photo_ids: ids.slice(1) } : {}),
  };
}
