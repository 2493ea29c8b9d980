/**
 * What Evotor sends to the app's webhooks. The paths are shared by the web handlers and the
 * simulator's sender so both ends agree. The two event paths are EvoSync's choice (they are
 * configured in the Evotor developer portal); the /user/* paths are fixed by Evotor.
 */
export const EVOTOR_WEBHOOK_PATHS = {
  userCreate: '/user/create',
  userVerify: '/user/verify',
  userToken: '/user/token',
  subscriptionEvent: '/api/v1/subscription/event',
  installationEvent: '/api/v1/installation/event',
} as const;

/**
 * Evotor's data notifications, authorised with the per-user token (not the app's secret): the
 * paths after the base URL configured in Evotor's portal, as its documentation names them.
 */
export const EVOTOR_NOTIFICATION_PATHS = {
  /** POST, a v1 product array; `:storeUuid` is the store */
  products: '/api/v1/inventories/stores/:storeUuid/products',
  /** PUT, `[{uuid, name, address}]` */
  stores: '/api/v1/inventories/stores',
  /** POST, one receipt */
  receipts: '/api/v2/receipts',
} as const;

export const productsNotificationPath = (storeUuid: string) =>
  EVOTOR_NOTIFICATION_PATHS.products.replace(':storeUuid', encodeURIComponent(storeUuid));

export type { EvotorV1Product, EvotorV1Store, EvotorV2Receipt } from './notification-types.js';

// The two event payloads are the webhook use cases' input, so they are defined with them.
export {
  SUBSCRIPTION_EVENT_TYPES,
  type EvotorInstallationEvent,
  type EvotorSubscriptionEvent,
  type InstallationEventType,
  type SubscriptionEventType,
} from '../../application/connections/webhook-events.js';

export interface EvotorUserCreateBody {
  userId: string;
  [field: string]: unknown;
}

export interface EvotorUserVerifyBody {
  userId: string;
  login: string;
  password: string;
  customField?: string;
}

export interface EvotorUserTokenBody {
  userId: string;
  token: string;
}
