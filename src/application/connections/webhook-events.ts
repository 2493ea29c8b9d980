/**
 * What Evotor sends to the subscription and installation webhooks: the input of the webhook use
 * cases (evotor-webhooks.ts). src/infrastructure/evotor/webhooks.ts re-exports them with the
 * paths, for the web handlers and the simulator.
 */
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
