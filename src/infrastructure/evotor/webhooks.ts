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

export const SUBSCRIPTION_EVENT_TYPES = [
  'SubscriptionCreated',
  'SubscriptionActivated',
  'SubscriptionRenewed',
  'SubscriptionTermsChanged',
  'SubscriptionTerminationRequested',
  'SubscriptionTerminated',
] as const;
export type SubscriptionEventType = (typeof SUBSCRIPTION_EVENT_TYPES)[number];

export interface EvotorSubscriptionEvent {
  subscriptionId: string;
  productId: string;
  userId: string;
  /** ms since the epoch */
  timestamp: number;
  /** events with a lower number than one already seen are stale and dropped */
  sequenceNumber: number;
  type: SubscriptionEventType;
  planId: string;
  trialPeriodDuration: string | null;
  deviceNumber: number | null;
}

export type InstallationEventType = 'ApplicationInstalled' | 'ApplicationUninstalled';

export interface EvotorInstallationEvent {
  id: string;
  timestamp: number;
  version: 2;
  type: InstallationEventType;
  data: { productId: string; userId: string };
}

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
