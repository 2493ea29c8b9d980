import type { Sequelize } from 'sequelize';
import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type { Mutex } from '../../application/ports/mutex.js';
import type { ConnectionProbes, VkIdLogin, VkLogin } from '../../application/connections/ports.js';
import { MariaDbMutex } from '../db/mariadb-mutex.js';
import { connectionProbes } from './probes.js';
import { vkIdLogin, vkLogin, type VkLoginSettings } from './vk-login.js';

export { connectionProbes } from './probes.js';
export { vkIdLogin, vkLogin } from './vk-login.js';

/**
 * The Evotor and VK adapters the connection use cases are given (ConnectionsDeps), and the
 * MariaDB mutex that keeps VK ID refreshes of one user apart across processes.
 */
export function connectionAdapters(
  settings: VkLoginSettings & { EVOTOR_API_URL: string },
  sequelize: Sequelize,
  log?: ApiRequestLog,
): { probes: ConnectionProbes; vkLogin: VkLogin; vkId: VkIdLogin; mutex: Mutex } {
  return {
    probes: connectionProbes(settings, log),
    vkLogin: vkLogin(settings, log),
    vkId: vkIdLogin(settings, log),
    mutex: new MariaDbMutex(sequelize),
  };
}
