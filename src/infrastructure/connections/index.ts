import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type { ConnectionProbes, VkLogin } from '../../application/connections/ports.js';
import { connectionProbes } from './probes.js';
import { vkLogin, type VkLoginSettings } from './vk-login.js';

export { connectionProbes } from './probes.js';
export { vkLogin } from './vk-login.js';

/** The Evotor and VK adapters the connection use cases are given (ConnectionsDeps). */
export function connectionAdapters(
  settings: VkLoginSettings & { EVOTOR_API_URL: string },
  log?: ApiRequestLog,
): { probes: ConnectionProbes; vkLogin: VkLogin } {
  return { probes: connectionProbes(settings, log), vkLogin: vkLogin(settings, log) };
}
