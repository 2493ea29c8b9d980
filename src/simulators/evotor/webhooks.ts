import { randomUUID } from 'node:crypto';
import {
  EVOTOR_WEBHOOK_PATHS,
  type EvotorInstallationEvent,
  type EvotorSubscriptionEvent,
  type EvotorUserCreateBody,
  type EvotorUserTokenBody,
  type EvotorUserVerifyBody,
  type InstallationEventType,
} from '../../infrastructure/evotor/webhooks.js';

export { EVOTOR_WEBHOOK_PATHS };

/** Where Evotor's cloud would deliver the app's webhooks: EvoSync's base URL and secret. */
export interface WebhookTarget {
  baseUrl: string;
  secret: string;
  /** the portal can also be set to Basic; Bearer is what EvoSync configures */
  scheme?: 'Bearer' | 'Basic';
}

export interface WebhookAnswer {
  status: number;
  /** parsed JSON, the raw text when it is not JSON, null when empty */
  body: unknown;
}

export async function postWebhook(
  target: WebhookTarget,
  path: string,
  payload: unknown,
): Promise<WebhookAnswer> {
  const response = await fetch(`${target.baseUrl.replace(/\/$/, '')}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      Authorization: `${target.scheme ?? 'Bearer'} ${target.secret}`,
    },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  let body: unknown = text === '' ? null : text;
  try {
    if (text !== '') body = JSON.parse(text);
  } catch {
    // Not JSON: the caller sees the text, which is what a failing assertion should show.
  }
  return { status: response.status, body };
}

export const sendUserCreate = (target: WebhookTarget, body: EvotorUserCreateBody) =>
  postWebhook(target, EVOTOR_WEBHOOK_PATHS.userCreate, body);

export const sendUserVerify = (target: WebhookTarget, body: EvotorUserVerifyBody) =>
  postWebhook(target, EVOTOR_WEBHOOK_PATHS.userVerify, body);

export const sendUserToken = (target: WebhookTarget, body: EvotorUserTokenBody) =>
  postWebhook(target, EVOTOR_WEBHOOK_PATHS.userToken, body);

export const sendSubscriptionEvent = (target: WebhookTarget, event: EvotorSubscriptionEvent) =>
  postWebhook(target, EVOTOR_WEBHOOK_PATHS.subscriptionEvent, event);

export const sendInstallationEvent = (target: WebhookTarget, event: EvotorInstallationEvent) =>
  postWebhook(target, EVOTOR_WEBHOOK_PATHS.installationEvent, event);

/** A subscription event with plausible defaults; override what the test is about. */
export function subscriptionEvent(
  fields: Pick<EvotorSubscriptionEvent, 'userId'> & Partial<EvotorSubscriptionEvent>,
): EvotorSubscriptionEvent {
  return {
    subscriptionId: randomUUID(),
    productId: 'evosync-app',
    timestamp: Date.now(),
    sequenceNumber: 1,
    type: 'SubscriptionCreated',
    planId: 'basic',
    trialPeriodDuration: null,
    deviceNumber: 1,
    ...fields,
  };
}

export function installationEvent(
  type: InstallationEventType,
  data: { userId: string; productId?: string },
  fields: Partial<Pick<EvotorInstallationEvent, 'id' | 'timestamp'>> = {},
): EvotorInstallationEvent {
  return {
    id: fields.id ?? randomUUID(),
    timestamp: fields.timestamp ?? Date.now(),
    version: 2,
    type,
    data: { productId: data.productId ?? 'evosync-app', userId: data.userId },
  };
}
