import { createHash } from 'node:crypto';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import type { VkCore } from './core.js';
import { imageSize } from './image.js';

const MAX_BYTES = 50 * 1024 * 1024;

/** VK's upload server answers raw JSON, with `error` text instead of an API error. */
export function uploadHandler(core: VkCore) {
  return (req: Request, res: Response): void => {
    const groupId = Number(req.query.gid);
    const fail = (message: string) => res.json({ error: message, bwact: 'do_add', server: 1 });
    if (!core.state.communities.has(groupId)) {
      fail('ERR_UPLOAD_BAD_SIGNATURE: wrong upload url');
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_BYTES, files: 1 } });
    } catch {
      fail('ERR_UPLOAD_FILE_NOT_UPLOADED: multipart/form-data expected');
      return;
    }
    let file: Buffer | null = null;
    parser.on('file', (field, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (field === 'file') file = Buffer.concat(chunks);
      });
    });
    parser.on('close', () => {
      if (!file) {
        fail('ERR_UPLOAD_FILE_NOT_UPLOADED: file field is empty');
        return;
      }
      const size = imageSize(file);
      if (!size) {
        fail('ERR_UPLOAD_BAD_IMAGE_SIZE: file is not a PNG or JPEG image');
        return;
      }
      const min = core.settings.minPhotoSide;
      if (size.width < min || size.height < min) {
        fail(`ERR_UPLOAD_BAD_IMAGE_SIZE: market photo min size ${min}x${min}`);
        return;
      }
      const id = core.state.nextId.photo++;
      const hash = createHash('sha1').update(file).update(String(id)).digest('hex');
      const sha256 = createHash('sha256').update(file).digest('hex');
      core.state.uploads.set(hash, { id, groupId, width: size.width, height: size.height, sha256 });
      core.state.photoFiles.set(id, file);
      const photo = JSON.stringify([
        { photo: `${hash.slice(0, 10)}:z`, sizes: [], kid: hash.slice(10, 20) },
      ]);
      res.json({ server: 1, photo, hash, group_id: groupId });
    });
    parser.on('error', () => fail('ERR_UPLOAD_FILE_NOT_UPLOADED: broken multipart body'));
    req.pipe(parser);
  };
}
