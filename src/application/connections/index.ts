import type { Accounts } from '../accounts/index.js';
import type { ConnectionsDeps } from './context.js';
import { EvotorConnection } from './evotor-connection.js';
import { EvotorWebhooks } from './evotor-webhooks.js';
import { VkConnection } from './vk-connection.js';

export { VkRefusal } from './ports.js';
export type {
  ConnectionProbes,
  ConnectionTestResult,
  VkCredentials,
  VkGroup,
  VkIdLogin,
  VkIdTokenPair,
  VkLogin,
} from './ports.js';
export { ConnectionError, CONNECTIONS_PROJECTION } from './context.js';
export type { ConnectionsDeps, ConnectionsSettings } from './context.js';
export { EvotorConnection } from './evotor-connection.js';
export { EVOTOR_ERRORS, EvotorWebhooks, WebhookError } from './evotor-webhooks.js';
export {
  CONNECTION_HEALTH_JOB,
  defineConnectionHealthJob,
  scheduleConnectionHealth,
} from './health-job.js';
export {
  VK_CALLBACK_PATH,
  VK_ID_CALLBACK_PATH,
  VkConnection,
  type PendingVkLogin,
} from './vk-connection.js';
export { VK_RECONNECT_REASON, VkReconnectNeeded, VkTokens } from './vk-tokens.js';

export interface Connections {
  evotor: EvotorConnection;
  vk: VkConnection;
  webhooks: EvotorWebhooks;
}

export function createConnections(deps: ConnectionsDeps, accounts: Accounts): Connections {
  return {
    evotor: new EvotorConnection(deps),
    vk: new VkConnection(deps),
    webhooks: new EvotorWebhooks(deps, accounts),
  };
}
