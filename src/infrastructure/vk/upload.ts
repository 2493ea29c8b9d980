import axios from 'axios';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import { nullApiRequestLog } from '../../application/ports/api-request-log.js';
import { excerpt, redactUrl } from '../api-log/redact.js';
import { keepAliveAgents } from '../shared/keep-alive-agents.js';
import { VkTransportError, VkUploadError } from './errors.js';
import { marketPhotoFile } from './photos.js';
import type { VkClient } from './vk-client.js';

export interface UploadOptions {
  log?: ApiRequestLog;
  userId?: string | null;
  timeoutMs?: number;
}

/**
 * VK's three-step product photo upload: ask for an upload URL, POST the file there as
 * multipart field `file`, hand the upload server's raw JSON to saveProductPhoto.
 */
export async function uploadProductPhoto(
  client: VkClient,
  groupId: number,
  file: Buffer,
  filename: string,
  options: UploadOptions = {},
): Promise<number> {
  const { upload_url: uploadUrl } = await client.call<{ upload_url: string }>(
    'market.getProductPhotoUploadServer',
    { group_id: groupId },
  );
  const raw = await postProductPhoto(uploadUrl, file, filename, options);
  const saved = await client.call<{ photo_id: number }>('market.saveProductPhoto', {
    upload_response: raw,
  });
  return saved.photo_id;
}

/**
 * Step two alone: the file, enlarged to VK's minimum if needed, POSTed to an upload URL;
 * resolves to the upload server's raw JSON for `market.saveProductPhoto`, or throws
 * `VkUploadError` with the server's refusal.
 */
export async function postProductPhoto(
  uploadUrl: string,
  original: Buffer,
  originalName: string,
  options: UploadOptions = {},
): Promise<string> {
  let sized: { file: Buffer; filename: string };
  try {
    sized = await marketPhotoFile(original, originalName);
  } catch (error) {
    throw new VkUploadError(`not an image: ${error instanceof Error ? error.message : error}`);
  }
  const raw = await postFile(uploadUrl, sized.file, sized.filename, options);
  let parsed: { error?: unknown };
  try {
    parsed = JSON.parse(raw) as { error?: unknown };
  } catch {
    throw new VkUploadError('the upload server did not answer JSON');
  }
  if (parsed.error) throw new VkUploadError(String(parsed.error));
  return raw;
}

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

async function postFile(
  url: string,
  file: Buffer,
  filename: string,
  options: UploadOptions,
): Promise<string> {
  const log = options.log ?? nullApiRequestLog;
  const form = new FormData();
  const type = MIME[filename.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
  form.set('file', new Blob([file], { type }), filename);
  const started = Date.now();
  let status: number | null = null;
  let text: string | null = null;
  let errorCode: string | null = null;
  try {
    const res = await axios.post<string>(url, form, {
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
      timeout: options.timeoutMs ?? 60_000,
      ...keepAliveAgents,
    });
    status = res.status;
    text = String(res.data);
    if (status !== 200) throw new VkTransportError(`VK photo upload: HTTP ${status}`, status);
    if (text.includes('"error"')) errorCode = 'upload_error';
    return text;
  } catch (e) {
    errorCode ??= e instanceof Error ? e.name : 'Error';
    if (e instanceof VkTransportError) throw e;
    throw new VkTransportError(`VK photo upload: ${e instanceof Error ? e.message : e}`, status);
  } finally {
    log.record({
      at: new Date(started),
      service: 'vk',
      method: 'POST photo upload',
      url: redactUrl(url),
      status,
      errorCode,
      durationMs: Date.now() - started,
      requestExcerpt: `${filename} [${file.length} bytes]`,
      responseExcerpt: excerpt(text),
      userId: options.userId ?? null,
    });
  }
}
