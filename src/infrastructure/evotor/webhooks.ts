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
