import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type { Config } from '../config/config.js';
import type { VkTokenKind } from './rate-limiter.js';
import { VkClient, type VkClientOptions } from './vk-client.js';

export * from './errors.js';
export * from './execute.js';
export * from './market.js';
export * from './oauth.js';
export * from './params.js';
export * from './rate-limiter.js';
export * from './types.js';
export * from './upload.js';
export * from './vk-client.js';
export * from './vk-id.js';

/** A client for one token, pointed at VK_API_URL with VK_API_VERSION. */
export function createVkClient(
  config: Pick<Config, 'VK_API_URL' | 'VK_API_VERSION'>,
  token: string,
  extra: Partial<Omit<VkClientOptions, 'token'>> & {
    log?: ApiRequestLog;
    tokenKind?: VkTokenKind;
  } = {},
): VkClient {
  return new VkClient({
    apiUrl: config.VK_API_URL,
    version: config.VK_API_VERSION,
    token,
    ...extra,
  });
}
