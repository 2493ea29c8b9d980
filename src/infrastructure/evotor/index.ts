import type { Config } from '../config/config.js';
import { EvotorClient, type EvotorClientOptions } from './evotor-client.js';

export * from './errors.js';
export * from './evotor-client.js';
export * from './normalize.js';
export * from './types.js';
export * from './webhooks.js';

/** A client for one user's token, pointed at `EVOTOR_API_URL` (the simulator in tests). */
export function createEvotorClient(
  config: Pick<Config, 'EVOTOR_API_URL'>,
  options: Omit<EvotorClientOptions, 'baseUrl'>,
): EvotorClient {
  return new EvotorClient({ ...options, baseUrl: config.EVOTOR_API_URL });
}
