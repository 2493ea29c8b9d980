import { z } from 'zod';
import { SUBSCRIPTION_EVENT_TYPES } from '../../infrastructure/evotor/webhooks.js';

const id = z.string().trim().min(1).max(64);

/** userId plus the fields EvoSync configures in Evotor's portal: email, password, name. */
export const userCreateSchema = z.looseObject({
  userId: id,
  email: z.string().trim().max(254).pipe(z.email()),
  password: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
});

export const userVerifySchema = z.strictObject({
  userId: id,
  login: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  customField: z.string().max(500).optional(),
});

export const userTokenSchema = z.strictObject({
  userId: id,
  token: z.string().trim().min(1).max(2000),
});

// Event bodies keep unknown fields: Evotor may add some, and a refusal would be retried for days.
export const subscriptionSchema = z.looseObject({
  subscriptionId: z.string().min(1).max(100),
  productId: z.string().min(1).max(100),
  userId: id,
  timestamp: z.number().int().nonnegative(),
  sequenceNumber: z.number().int(),
  type: z.enum(SUBSCRIPTION_EVENT_TYPES),
  planId: z.string().max(100).nullable().default(null),
  trialPeriodDuration: z.string().max(100).nullable().default(null),
  deviceNumber: z.number().int().nullable().default(null),
});

export const installationSchema = z.looseObject({
  id: z.string().min(1).max(100),
  timestamp: z.number().int().nonnegative(),
  version: z.literal(2),
  type: z.enum(['ApplicationInstalled', 'ApplicationUninstalled']),
  data: z.looseObject({ productId: z.string().min(1).max(100), userId: id }),
});
